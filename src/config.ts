// SPDX-License-Identifier: GPL-3.0-or-later
// Config is parsed once, from defaults < YAML file (--config, seed-compatible keys) < environment
// (the NS8 module environment written by configure-module). Every problem is listed in one error.
// What the settings are (names, variables, YAML keys, types, defaults, ranges) is the manifest's
// business (src/settings.ts); this file only layers the sources and builds the typed `Config`.
import { readFileSync } from 'node:fs';
import { Secret } from './secret.js';
import { parseSetting, SETTINGS } from './settings.js';
import type { NotifySettings } from './domain/policy.js';
import type { DigestSettings } from './domain/digest.js';
import type { EscalationSettings } from './domain/escalation.js';
import { jsYaml } from './yaml.js';

import type { Language } from './domain/language.js';
import type { LogLevel } from './domain/log-level.js';

export type { Language } from './domain/language.js';
export type { LogLevel } from './domain/log-level.js';

/** The typed view of the manifest: each leaf is the `config` path of one setting (test/config.test.ts). */
export interface Config {
  moduleId: string;
  mail: { from: string; to: string[]; subjectPrefix: string; language: Language };
  /** Who hears about which plan (issue #14). */
  notify: NotifySettings;
  /** The cluster-wide digest (issue #14). */
  digest: DigestSettings;
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
  repoCheck: {
    enabled: boolean;
    timeout: number;
    budget: number;
    concurrency: number;
    apiUrl: string;
    cacheSeconds: number;
    /** Issue #23: which applications' snapshots are looked for after a run (all | failures | off). */
    verify: 'all' | 'failures' | 'off';
    /** Issue #23: repository checks started in one hour at most, all reports together. */
    maxPerHour: number;
  };
  /** Error lines of failed backups from the cluster's Loki (issue #13). */
  loki: { budget: number };
  /** When a run that saved everything is a WARNING (src/trends/anomaly.ts). */
  anomaly: { shrinkPercent: number; growthPercent: number; minRuns: number };
  alerts: { alertmanagerUrl: string; pollSeconds: number };
  schedule: { missedRunGrace: number; staleAge: number; reminderInterval: number; timezone: string };
  /** Failure tolerance and escalation per plan (issue #24, src/notify/escalation.ts). */
  escalation: EscalationSettings;
  /**
   * Issue #24 item 5: when an open run is stuck (src/notify/stuck.ts): a maximum run duration (s)
   * for every plan, 0 = from its history; per plan `<plan id>:<seconds>` entries by `,`.
   */
  stuck: { maxRunDurationSeconds: number; plans: string };
  logging: { level: LogLevel };
  /** The /metrics listener (issue #16): on only with an address (bin/write-service-env gives the node's VPN address). */
  metrics: { enabled: boolean; host: string | null; port: number };
  /** cluster-admin's address, for the plan's link in chat and push messages (issue #22); null = unknown. */
  clusterAdminUrl: string | null;
  /** Issue #22: each channel besides email, null while its settings leave it off. */
  channels: ChannelsConfig;
}

/**
 * Who hears what on a channel besides email: the vocabulary of the email policies. The shapes are
 * the channels' own (src/channels/<kind>/settings.ts), repeated here structurally because the
 * settings layer imports no stage (test/imports.test.ts); a mismatch fails the typecheck in
 * src/channels/index.ts.
 */
export interface ChannelAudience {
  level: 'every' | 'problems';
  /** Plan ids; null = every plan. */
  plans: number[] | null;
}
export interface ChannelsConfig {
  telegram: ({ botToken: Secret; chatId: string; apiUrl: string } & ChannelAudience) | null;
  teams: ({ webhookUrl: Secret } & ChannelAudience) | null;
  ntfy: ({ topicUrl: Secret; token: Secret | null } & ChannelAudience) | null;
  webhook: ({ url: Secret; secret: Secret } & ChannelAudience) | null;
}

/** The fields a channel cannot work without: while one is empty the channel is off (null). */
const CHANNEL_NEEDS: Record<keyof ChannelsConfig, string[]> = {
  telegram: ['botToken', 'chatId'],
  teams: ['webhookUrl'],
  ntfy: ['topicUrl'],
  webhook: ['url', 'secret'],
};

/** `2,5` -> [2, 5]; empty -> null (every plan). The manifest's pattern has checked the shape. */
const planIds = (text: unknown): number[] | null =>
  typeof text === 'string' && text !== '' ? [...new Set(text.split(',').map(Number))] : null;

function channelsOf(raw: Record<string, Record<string, unknown>>): ChannelsConfig {
  const out: Record<string, unknown> = {};
  for (const [kind, needs] of Object.entries(CHANNEL_NEEDS)) {
    const c = raw[kind]!;
    out[kind] = needs.every((k) => c[k] !== null && c[k] !== '') ? { ...c, plans: planIds(c.plans) } : null;
  }
  return out as unknown as ChannelsConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Settings that hold secrets may also come from `<ENV>_FILE`. */
const SECRET_ENVS = new Set(SETTINGS.filter((s) => s.secret).map((s) => s.env));

function flattenYaml(doc: unknown, problems: string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (doc === undefined || doc === null) return out;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    problems.push('config file: must be a mapping of sections');
    return out;
  }
  const known = new Set(SETTINGS.map((s) => s.yaml));
  for (const [section, body] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      problems.push(`${section}: must be a mapping`);
      continue;
    }
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      const path = `${section}.${key}`;
      if (!known.has(path))
        problems.push(
          `${path}: unknown key (known keys: ${[...known].filter((k) => k.startsWith(section + '.')).join(', ') || 'none in this section'})`,
        );
      else out.set(path, value);
    }
  }
  return out;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, configFile?: string): Readonly<Config> {
  const problems: string[] = [];
  let fileValues = new Map<string, unknown>();
  if (configFile) {
    try {
      fileValues = flattenYaml(jsYaml().load(readFileSync(configFile, 'utf8')), problems);
    } catch (e) {
      problems.push(`--config ${configFile}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const v = new Map<string, unknown>();
  for (const s of SETTINGS) {
    let raw: unknown = s.default;
    let label = s.yaml;
    if (fileValues.has(s.yaml)) raw = fileValues.get(s.yaml);
    const fileEnv = SECRET_ENVS.has(s.env) ? env[`${s.env}_FILE`] : undefined;
    if (fileEnv) {
      label = `${s.env}_FILE`;
      try {
        raw = readFileSync(fileEnv, 'utf8').trim();
      } catch {
        problems.push(`${label}: cannot read ${fileEnv}`);
        continue;
      }
    } else if (env[s.env] !== undefined && !(s.env === 'TZ' && env.TZ === '')) {
      raw = env[s.env];
      label = s.env;
    }
    // An object default (a list) is parsed too: settings may turn it into another type (plan_policies -> Map).
    try {
      v.set(s.name, raw === s.default && typeof raw !== 'object' ? s.default : parseSetting(s, raw, label));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return build(v);
}

/** Each parsed value goes to its manifest `config` path; the few derived defaults follow. */
function build(v: Map<string, unknown>): Readonly<Config> {
  const cfg: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    if (s.config === null) continue;
    let value = v.get(s.name);
    if (s.secret) value = value ? new Secret(String(value)) : null;
    else if (s.emptyIsNull && value === '') value = null;
    else if (Array.isArray(value)) value = [...value];
    const keys = s.config.split('.');
    let at = cfg;
    for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    at[keys.at(-1)!] = value;
  }
  const c = cfg as unknown as Config;
  c.redis.leaderUrl ||= c.redis.replicaUrl;
  c.schedule.timezone ||= localZone();
  c.channels = channelsOf(c.channels as unknown as Record<string, Record<string, unknown>>);
  return deepFreeze(c);
}

function deepFreeze<T>(o: T): Readonly<T> {
  if (o && typeof o === 'object' && !(o instanceof Secret)) {
    for (const value of Object.values(o)) deepFreeze(value);
    Object.freeze(o);
  }
  return o;
}
