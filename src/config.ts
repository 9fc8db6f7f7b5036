// SPDX-License-Identifier: GPL-3.0-or-later
// Config is parsed once, from defaults < YAML file (--config, seed-compatible keys) < environment
// (the NS8 module environment written by configure-module). Every problem is listed in one error.
import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import { Secret } from './secret.js';

export type Language = 'en' | 'it';
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

export interface Config {
  moduleId: string;
  mail: { from: string; to: string[]; subjectPrefix: string; language: Language; notifyOnSuccess: boolean };
  receiver: { host: string; port: number; token: Secret | null; bodyLimitBytes: number };
  correlator: { waitSeconds: number; recentWindow: number; maxRunSeconds: number };
  redis: {
    /** Read-only replica, `default` user: state and events. */
    replicaUrl: string;
    /** Leader, module credentials: the module's own history and outbox. */
    leaderUrl: string;
    socket: string | null;
    user: string | null;
    password: Secret | null;
  };
  repoCheck: { enabled: boolean; timeout: number; budget: number; concurrency: number; apiUrl: string; cacheSeconds: number };
  alerts: { alertmanagerUrl: string; pollSeconds: number };
  schedule: { missedRunGrace: number; staleAge: number; reminderInterval: number; timezone: string };
  logging: { level: LogLevel };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** One setting: its YAML path (seed names), its environment variable, and how to parse it. */
interface Setting<T> { yaml: string; env: string; def: T; parse: (raw: unknown, name: string) => T }

const fail = (name: string, msg: string): never => { throw new Error(`${name}: ${msg}`); };
const show = (v: unknown) => JSON.stringify(v);

const int = (min: number, max: number) => (raw: unknown, name: string): number => {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) fail(name, `must be a whole number from ${min} to ${max}, got ${show(raw)}`);
  return n;
};
const bool = (raw: unknown, name: string): boolean => {
  if (typeof raw === 'boolean') return raw;
  const s = String(raw).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
  return fail(name, `must be one of 1, 0, true, false, got ${show(raw)}`);
};
const oneOf = <T extends string>(...values: T[]) => (raw: unknown, name: string): T => {
  const s = String(raw).trim().toLowerCase();
  if (!(values as string[]).includes(s)) fail(name, `must be one of ${values.join(', ')}, got ${show(raw)}`);
  return s as T;
};
const text = (max = 200) => (raw: unknown, name: string): string => {
  const s = String(raw ?? '');
  if (s.length > max || /[\r\n]/.test(s)) fail(name, `must be a single line of at most ${max} characters`);
  return s;
};
const url = (raw: unknown, name: string): string => {
  const s = String(raw).trim();
  try { const u = new URL(s); if (!/^(https?|redis|rediss):$/.test(u.protocol)) throw new Error(); } catch {
    fail(name, `must be an http(s):// or redis:// URL, got ${show(s)}`);
  }
  return s;
};
const EMAIL = /^[^\s@<>(),;:"\[\]\\]+@[^\s@<>(),;:"\[\]\\]+\.[^\s@<>(),;:"\[\]\\]+$/;
const email = (raw: unknown, name: string): string => {
  const s = String(raw ?? '').trim();
  if (s !== '' && !EMAIL.test(s)) fail(name, `must be an email address, got ${show(s)}`);
  return s;
};
const emails = (raw: unknown, name: string): string[] => {
  const list = Array.isArray(raw) ? raw.map(String) : String(raw ?? '').split(/[,;\s]+/);
  const out = list.map((s) => s.trim()).filter(Boolean);
  for (const e of out) if (!EMAIL.test(e)) fail(name, `must be a list of email addresses, ${show(e)} is not one`);
  return out;
};
const timezone = (raw: unknown, name: string): string => {
  const s = String(raw).trim();
  try { new Intl.DateTimeFormat('en', { timeZone: s }); } catch { fail(name, `must be an IANA time zone such as Europe/Rome, got ${show(s)}`); }
  return s;
};
const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const S = {
  moduleId: { yaml: 'module.id', env: 'MODULE_ID', def: 'backup-monitor1', parse: (r: unknown, n: string) => {
    const s = String(r).trim(); if (!/^[a-z][a-z0-9-]*\d+$/.test(s)) fail(n, `must be an NS8 module id such as backup-monitor1, got ${show(s)}`); return s; } },
  mailFrom: { yaml: 'mail.from', env: 'MAIL_FROM', def: '', parse: email },
  mailTo: { yaml: 'mail.to', env: 'MAIL_TO', def: [] as string[], parse: emails },
  subjectPrefix: { yaml: 'mail.subject_prefix', env: 'MAIL_SUBJECT_PREFIX', def: '[NS8 Backup]', parse: text(80) },
  language: { yaml: 'mail.language', env: 'MAIL_LANGUAGE', def: 'en' as Language, parse: oneOf<Language>('en', 'it') },
  notifyOnSuccess: { yaml: 'mail.notify_on_success', env: 'NOTIFY_ON_SUCCESS', def: true, parse: bool },
  host: { yaml: 'receiver.host', env: 'RECEIVER_HOST', def: '127.0.0.1', parse: text(100) },
  port: { yaml: 'receiver.port', env: 'TCP_PORT', def: 9099, parse: int(0, 65535) },
  token: { yaml: 'receiver.token', env: 'RECEIVER_TOKEN', def: '', parse: text(500) },
  bodyLimit: { yaml: 'receiver.body_limit_bytes', env: 'RECEIVER_BODY_LIMIT_BYTES', def: 1_048_576, parse: int(1024, 16_777_216) },
  waitSeconds: { yaml: 'correlator.wait_seconds', env: 'WAIT_SECONDS', def: 30, parse: int(0, 3600) },
  recentWindow: { yaml: 'correlator.recent_window', env: 'RECENT_WINDOW_SECONDS', def: 3600, parse: int(60, 7 * 86400) },
  maxRunSeconds: { yaml: 'correlator.max_run_seconds', env: 'MAX_RUN_SECONDS', def: 3 * 3600, parse: int(60, 86400) },
  replicaUrl: { yaml: 'redis.url', env: 'REDIS_REPLICA_URL', def: 'redis://127.0.0.1:6379', parse: url },
  leaderUrl: { yaml: 'redis.leader_url', env: 'REDIS_LEADER_URL', def: '', parse: (r: unknown, n: string) => (String(r) === '' ? '' : url(r, n)) },
  socket: { yaml: 'redis.socket', env: 'REDIS_SOCKET', def: '', parse: text(300) },
  redisUser: { yaml: 'redis.user', env: 'REDIS_USER', def: '', parse: text(100) },
  redisPassword: { yaml: 'redis.password', env: 'REDIS_PASSWORD', def: '', parse: text(500) },
  repoEnabled: { yaml: 'repo_check.enabled', env: 'REPO_CHECK_ENABLED', def: true, parse: bool },
  repoTimeout: { yaml: 'repo_check.timeout', env: 'REPO_CHECK_TIMEOUT_SECONDS', def: 60, parse: int(5, 3600) },
  repoBudget: { yaml: 'repo_check.budget', env: 'REPO_CHECK_BUDGET_SECONDS', def: 180, parse: int(5, 7200) },
  repoConcurrency: { yaml: 'repo_check.concurrency', env: 'REPO_CHECK_CONCURRENCY', def: 2, parse: int(1, 16) },
  repoCache: { yaml: 'repo_check.cache_seconds', env: 'REPO_CHECK_CACHE_SECONDS', def: 300, parse: int(0, 86400) },
  apiUrl: { yaml: 'repo_check.api_url', env: 'API_SERVER_URL', def: 'http://cluster-leader:9311', parse: url },
  amUrl: { yaml: 'alerts.alertmanager_url', env: 'ALERTMANAGER_URL', def: 'http://127.0.0.1:9093', parse: url },
  amPoll: { yaml: 'alerts.poll_seconds', env: 'ALERTMANAGER_POLL_SECONDS', def: 60, parse: int(0, 86400) },
  grace: { yaml: 'schedule.missed_run_grace', env: 'MISSED_RUN_GRACE_SECONDS', def: 2 * 3600, parse: int(60, 7 * 86400) },
  staleAge: { yaml: 'schedule.stale_age', env: 'STALE_AGE_SECONDS', def: 8 * 86400, parse: int(3600, 366 * 86400) },
  reminder: { yaml: 'schedule.reminder_interval', env: 'REMINDER_INTERVAL_SECONDS', def: 24 * 3600, parse: int(0, 30 * 86400) },
  timezone: { yaml: 'schedule.timezone', env: 'TZ', def: '', parse: (r: unknown, n: string) => (String(r) === '' ? '' : timezone(r, n)) },
  level: { yaml: 'logging.level', env: 'LOG_LEVEL', def: 'info' as LogLevel, parse: (r: unknown, n: string) =>
    oneOf<LogLevel>('debug', 'info', 'warning', 'error')(String(r).toLowerCase() === 'warn' ? 'warning' : r, n) },
  logFile: { yaml: 'logging.file', env: 'LOG_FILE', def: '', parse: text(300) },
} satisfies Record<string, Setting<unknown>>;

type Values = { [K in keyof typeof S]: (typeof S)[K]['def'] };

/** Settings that hold secrets may also come from `<ENV>_FILE`. */
const SECRET_ENVS = new Set(['REDIS_PASSWORD', 'RECEIVER_TOKEN']);

function flattenYaml(doc: unknown, problems: string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (doc === undefined || doc === null) return out;
  if (typeof doc !== 'object' || Array.isArray(doc)) { problems.push('config file: must be a mapping of sections'); return out; }
  const known = new Set(Object.values(S).map((s) => s.yaml));
  for (const [section, body] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) { problems.push(`${section}: must be a mapping`); continue; }
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      const path = `${section}.${key}`;
      if (!known.has(path)) problems.push(`${path}: unknown key (known keys: ${[...known].filter((k) => k.startsWith(section + '.')).join(', ') || 'none in this section'})`);
      else out.set(path, value);
    }
  }
  return out;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, configFile?: string): Readonly<Config> {
  const problems: string[] = [];
  let fileValues = new Map<string, unknown>();
  if (configFile) {
    try { fileValues = flattenYaml(yaml.load(readFileSync(configFile, 'utf8')), problems); } catch (e) {
      problems.push(`--config ${configFile}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const v = {} as Record<string, unknown>;
  for (const [name, s] of Object.entries(S) as [keyof typeof S, Setting<unknown>][]) {
    let raw: unknown = s.def; let label = s.yaml;
    if (fileValues.has(s.yaml)) raw = fileValues.get(s.yaml);
    const fileEnv = SECRET_ENVS.has(s.env) ? env[`${s.env}_FILE`] : undefined;
    if (fileEnv) {
      label = `${s.env}_FILE`;
      try { raw = readFileSync(fileEnv, 'utf8').trim(); } catch { problems.push(`${label}: cannot read ${fileEnv}`); continue; }
    } else if (env[s.env] !== undefined && !(s.env === 'TZ' && env.TZ === '')) { raw = env[s.env]; label = s.env; }
    try { v[name] = raw === s.def ? s.def : s.parse(raw, label); } catch (e) { problems.push((e as Error).message); }
  }
  if (problems.length) throw new ConfigError(problems);
  return build(v as Values);
}

function build(v: Values): Readonly<Config> {
  const password = v.redisPassword ? new Secret(v.redisPassword) : null;
  const cfg: Config = {
    moduleId: v.moduleId,
    mail: { from: v.mailFrom, to: v.mailTo, subjectPrefix: v.subjectPrefix, language: v.language, notifyOnSuccess: v.notifyOnSuccess },
    receiver: { host: v.host, port: v.port, token: v.token ? new Secret(v.token) : null, bodyLimitBytes: v.bodyLimit },
    correlator: { waitSeconds: v.waitSeconds, recentWindow: v.recentWindow, maxRunSeconds: v.maxRunSeconds },
    redis: { replicaUrl: v.replicaUrl, leaderUrl: v.leaderUrl || v.replicaUrl, socket: v.socket || null, user: v.redisUser || null, password },
    repoCheck: { enabled: v.repoEnabled, timeout: v.repoTimeout, budget: v.repoBudget, concurrency: v.repoConcurrency, apiUrl: v.apiUrl, cacheSeconds: v.repoCache },
    alerts: { alertmanagerUrl: v.amUrl, pollSeconds: v.amPoll },
    schedule: { missedRunGrace: v.grace, staleAge: v.staleAge, reminderInterval: v.reminder, timezone: v.timezone || localZone() },
    logging: { level: v.level },
  };
  return deepFreeze(cfg);
}

function deepFreeze<T>(o: T): Readonly<T> {
  if (o && typeof o === 'object' && !(o instanceof Secret)) {
    for (const value of Object.values(o)) deepFreeze(value);
    Object.freeze(o);
  }
  return o;
}
