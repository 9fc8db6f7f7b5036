// SPDX-License-Identifier: GPL-3.0-or-later
// Emulates the NS8 module agent (core: core/agent/htask.go, hevent.go; NS8.md §4.3, §8.5,
// §8.6) so the real imageroot steps run here against a real Redis with NS8's ACLs:
//   1. validate the task data against validate-input.json (JSON Schema draft-07),
//      errors as [{parameter, error: "<parameter>_<rule>", value, field}], exit 10;
//   2. run the executable steps in lexical order, stdin = data JSON, fd 3 = AGENT_COMFD
//      (`set-status validation-failed`, `set-progress`, `set-weight`), environment =
//      agent env + state/environment re-read before each step, cwd = the state dir;
//   3. validate the output against validate-output.json (failure -> aborted, exit 1);
//   4. whatever happened, copy state/environment into the HASH module/<id>/environment.
// The step programs use the Python `agent` shim in test/sim/agent (same names as NS8's).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createClient } from 'redis';
import { MODULE_ID, MODULE_PASSWORD } from '../helpers/redis-server.js';
import { grantModuleAuthorizations } from './api-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../..');
export const IMAGEROOT = path.join(REPO_ROOT, 'imageroot');
export const AGENT_SHIM = path.join(here, 'agent');
/** Core's base steps the module's lifecycle actions run between (emulated, see core/README.md). */
export const CORE_ACTIONS = path.join(here, 'core', 'actions');
/** Debian's python3 (with python3-redis), not a pyenv shim that lacks the package. */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface AgentOptions {
  /** The module's state dir (AGENT_STATE_DIR): `environment`, `agent.env` live here. */
  stateDir: string;
  /** One real Redis plays the leader and the local replica (test/helpers/redis-server.ts). */
  redis: { port: number; host?: string };
  moduleId?: string;
  /** Module credentials; default: read from `<stateDir>/agent.env`, else the test ACL's. */
  redisUser?: string;
  redisPassword?: string;
  /** Directory put first in PATH; default `<stateDir>.sim-bin` with a recording `systemctl`. */
  binDir?: string;
  /** Extra variables for the steps (win over everything else). */
  env?: Record<string, string>;
  /** Where actions/, events/, bin/, pypkg/ come from; default the repo's imageroot/. */
  installDir?: string;
  /**
   * Core's base action dirs, searched before the module's own (the agent's first
   * --actionsdir, /usr/local/agent/actions): e.g. CORE_ACTIONS, the emulated core steps.
   */
  baseActionsDirs?: string[];
  /** AGENT_TASK_USER; default `admin`. */
  user?: string;
}

export type ActionStatus = 'completed' | 'aborted' | 'validation-failed';

export interface ActionResult {
  status: ActionStatus;
  exitCode: number;
  /** stdout JSON-decoded like the API server does; the raw string when it is not JSON. */
  output: unknown;
  /** Concatenated stderr of the steps (plus agent messages). */
  error: string;
}

export interface ValidationError {
  parameter: string;
  error: string;
  value: unknown;
  field: string;
}

// ajv-formats is CommonJS: under NodeNext its default export sits on `.default`.
const addFormats = (addFormatsModule as unknown as { default: (a: Ajv) => Ajv }).default;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);

/** ajv errors in the shape of the Go agent's gojsonschema output (validation.ToJSON). */
export function toAgentErrors(errors: ErrorObject[], data: unknown): ValidationError[] {
  return errors
    .filter((e) => !['if', 'anyOf', 'oneOf'].includes(e.keyword) || errors.length === 1)
    .map((e) => {
      const parts = e.instancePath
        .split('/')
        .slice(1)
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
      const at = (keys: string[]) =>
        keys.reduce<unknown>(
          (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
          data,
        );
      let value = at(parts);
      // gojsonschema reports required/additional-property errors on the parent object.
      if (e.keyword === 'additionalProperties') value = at([...parts, String(e.params.additionalProperty)]);
      const field = parts.length ? parts.join('.') : '(root)';
      const parameter = parts[0] ?? '(root)';
      return { parameter, error: `${parameter}_${RULES[e.keyword] ?? e.keyword}`, value: value ?? null, field };
    });
}

const RULES: Record<string, string> = {
  required: 'required',
  type: 'invalid_type',
  enum: 'enum',
  const: 'const',
  format: 'format',
  pattern: 'pattern',
  minimum: 'number_gte',
  maximum: 'number_lte',
  exclusiveMinimum: 'number_gt',
  exclusiveMaximum: 'number_lt',
  minLength: 'string_gte',
  maxLength: 'string_lte',
  minItems: 'array_min_items',
  maxItems: 'array_max_items',
  uniqueItems: 'unique',
  additionalProperties: 'additional_property_not_allowed',
  multipleOf: 'multiple_of',
  anyOf: 'number_any_of',
  oneOf: 'number_one_of',
  not: 'number_not',
  if: 'condition_then',
};

// Compiled validators by schema file and its text: ajv compiles a schema into a JS function,
// which took 25-50 ms per call here (the Go agent's gojsonschema, well under 1 ms); a changed
// file compiles again.
const compiled = new Map<string, { text: string; validate: ReturnType<Ajv['compile']> }>();

/** Validates `data` against a schema file; [] when valid. */
export function validateAgainst(schemaPath: string, data: unknown): ValidationError[] {
  const text = readFileSync(schemaPath, 'utf8');
  let hit = compiled.get(schemaPath);
  if (hit?.text !== text) {
    hit = { text, validate: ajv.compile({ ...(JSON.parse(text) as object), $id: undefined }) };
    compiled.set(schemaPath, hit);
  }
  const validate = hit.validate;
  return validate(data) ? [] : toAgentErrors(validate.errors ?? [], data);
}

/** KEY=VALUE lines as the agent reads them (no quoting, first `=` splits). */
export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (line === '' || line.startsWith('#') || i < 1) continue;
    env[line.slice(0, i)] = line.slice(i + 1);
  }
  return env;
}

const moduleIdOf = (o: AgentOptions) => o.moduleId ?? MODULE_ID;
const installDirOf = (o: AgentOptions) => o.installDir ?? IMAGEROOT;

/** The stub bin dir: `systemctl` (and `runagent`-free helpers) record their argv in calls.log. */
export function stubBinDir(o: AgentOptions): string {
  const dir = o.binDir ?? `${o.stateDir}.sim-bin`;
  if (!existsSync(path.join(dir, 'systemctl'))) {
    mkdirSync(dir, { recursive: true });
    const stub = `#!/bin/sh\n# recorded by test/sim/agent-runner.ts\necho "systemctl $*" >> "${path.join(dir, 'calls.log')}"\nexit 0\n`;
    writeFileSync(path.join(dir, 'systemctl'), stub);
    chmodSync(path.join(dir, 'systemctl'), 0o755);
  }
  return dir;
}

/** Command lines the stubs recorded so far (e.g. `systemctl --user restart backup-monitor.service`). */
export function stubCalls(o: AgentOptions): string[] {
  const log = path.join(stubBinDir(o), 'calls.log');
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
}

/** The process environment a step sees (agent.service env + agent.env + state/environment). */
export function agentEnvironment(o: AgentOptions): Record<string, string> {
  const installDir = installDirOf(o);
  const agentEnv = readEnvFile(path.join(o.stateDir, 'agent.env'));
  const address = `${o.redis.host ?? '127.0.0.1'}:${o.redis.port}`;
  return {
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    PATH: [stubBinDir(o), path.join(installDir, 'bin'), SYSTEM_PATH].join(':'),
    PYTHONPATH: [path.join(installDir, 'pypkg'), AGENT_SHIM].join(':'),
    PYTHONDONTWRITEBYTECODE: '1',
    AGENT_ID: `module/${moduleIdOf(o)}`,
    AGENT_INSTALL_DIR: installDir,
    AGENT_STATE_DIR: o.stateDir,
    REDIS_ADDRESS: address,
    REDIS_REPLICA_ADDRESS: address,
    REDIS_USER: o.redisUser ?? agentEnv.REDIS_USER ?? `module/${moduleIdOf(o)}`,
    REDIS_PASSWORD: o.redisPassword ?? agentEnv.REDIS_PASSWORD ?? MODULE_PASSWORD,
    ...readEnvFile(path.join(o.stateDir, 'environment')),
  };
}

function listSteps(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => !f.startsWith('validate-') && !statSync(path.join(dir, f)).isDirectory())
    .sort();
}

/**
 * The agent's squash of its action dirs (core: core/agent/models/task.go CreateTaskProcessor):
 * steps of every dir by name, a later dir's step replacing a same-named one; the last
 * validate-input.json / validate-output.json found wins; steps run sorted by name.
 */
function actionPlan(action: string, o: AgentOptions): { steps: string[]; inSchema?: string; outSchema?: string } {
  const byName = new Map<string, string>();
  let inSchema: string | undefined;
  let outSchema: string | undefined;
  for (const base of [...(o.baseActionsDirs ?? []), path.join(installDirOf(o), 'actions')]) {
    const dir = path.join(base, action);
    for (const step of listSteps(dir)) byName.set(step, path.join(dir, step));
    if (existsSync(path.join(dir, 'validate-input.json'))) inSchema = path.join(dir, 'validate-input.json');
    if (existsSync(path.join(dir, 'validate-output.json'))) outSchema = path.join(dir, 'validate-output.json');
  }
  return { steps: [...byName.keys()].sort().map((k) => byName.get(k)!), inSchema, outSchema };
}

interface StepRun {
  code: number;
  stdout: string;
  stderr: string;
  commands: string[][];
}

function runStep(
  file: string,
  input: string,
  env: Record<string, string>,
  cwd: string,
  comFd: 2 | 3,
): Promise<StepRun> {
  return new Promise((resolve) => {
    const child = spawn(file, [], { cwd, env, stdio: ['pipe', 'pipe', 'pipe', comFd === 3 ? 'pipe' : 'ignore'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const com: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (b: Buffer) => com.push(b));
    child.on('error', (e) => resolve({ code: -1, stdout: '', stderr: `${e.message}\n`, commands: [] }));
    child.on('close', (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        commands: parseCommands(Buffer.concat(com).toString()),
      }),
    );
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(input);
  });
}

/** CSV rows separated by spaces, quotes as in Python's csv module (QUOTE_MINIMAL). */
function parseCommands(text: string): string[][] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) =>
      [...line.matchAll(/"((?:[^"]|"")*)"|(\S+)/g)].map((m) =>
        m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? ''),
      ),
    );
}

const decode = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
};

async function syncEnvironmentToRedis(o: AgentOptions): Promise<void> {
  const env = readEnvFile(path.join(o.stateDir, 'environment'));
  const ae = agentEnvironment(o);
  const c = createClient({
    url: `redis://${encodeURIComponent(ae.REDIS_USER!)}:${encodeURIComponent(ae.REDIS_PASSWORD!)}@${ae.REDIS_ADDRESS}`,
  });
  c.on('error', () => undefined);
  await c.connect();
  try {
    const key = `module/${moduleIdOf(o)}/environment`;
    const m = c.multi().del(key);
    if (Object.keys(env).length) m.hSet(key, env);
    await m.exec();
  } finally {
    await c.quit();
  }
}

/**
 * Runs `imageroot/actions/<action>` like the NS8 module agent runs a task.
 * Never throws for a failing action: the result carries status, exit code, output and stderr.
 */
export async function runAction(action: string, data: unknown, opts: AgentOptions): Promise<ActionResult> {
  const { steps, inSchema, outSchema } = actionPlan(action, opts);
  let status: ActionStatus | 'running' = 'running';
  let exitCode = 0;
  let output = '';
  let error = '';
  if (!steps.length && !inSchema) {
    await syncEnvironmentToRedis(opts);
    return { status: 'aborted', exitCode: 8, output: '', error: `Action ${action} is not defined\n` };
  }
  const input = JSON.stringify(data ?? null);
  const inErrors = inSchema ? validateAgainst(inSchema, data ?? null) : [];
  if (inErrors.length) {
    status = 'validation-failed';
    exitCode = 10;
    output = JSON.stringify(inErrors);
    error = `Validation errors: ${inErrors.map((e) => e.error).join(', ')}\n`;
  }
  const taskEnv = {
    AGENT_TASK_ID: randomUUID(),
    AGENT_TASK_ACTION: action,
    AGENT_TASK_USER: opts.user ?? 'admin',
    AGENT_COMFD: '3',
  };
  for (const file of status === 'running' ? steps : []) {
    const step = path.basename(file);
    if ((statSync(file).mode & 0o111) === 0) {
      error += `step ${step} is not executable: skipped\n`;
      continue;
    }
    const env = { ...agentEnvironment(opts), ...taskEnv, ...opts.env };
    const r = await runStep(file, input, env, opts.stateDir, 3);
    output += r.stdout;
    error += r.stderr;
    if (r.commands.some((c) => c[0] === 'set-status' && c[1] === 'validation-failed')) status = 'validation-failed';
    if (r.code !== 0) {
      exitCode = r.code;
      if (status === 'running') status = 'aborted';
      break;
    }
    if (status === 'validation-failed') {
      exitCode = 10;
      break;
    }
  }
  if (status === 'running' && outSchema) {
    let parsed: unknown;
    let bad = '';
    try {
      parsed = JSON.parse(output);
    } catch (e) {
      bad = `JSON unmarshal error: ${(e as Error).message}`;
    }
    const outErrors = bad ? [] : validateAgainst(outSchema, parsed);
    if (bad || outErrors.length) {
      status = 'aborted';
      exitCode = 1;
      error += bad
        ? `JSON Schema output validation aborted: ${bad}\n`
        : `Validation errors: ${JSON.stringify(outErrors)}\n`;
    }
  }
  await syncEnvironmentToRedis(opts);
  return { status: status === 'running' ? 'completed' : status, exitCode, output: decode(output), error };
}

export interface EventResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  steps: string[];
}

/**
 * Runs `imageroot/events/<event>` handlers as the agent does on a received event: payload on
 * stdin, AGENT_EVENT_NAME/AGENT_EVENT_SOURCE set, AGENT_COMFD=2; a failing step stops the rest.
 * The Redis environment copy is not refreshed (contract fact 9).
 */
export async function runEvent(
  event: string,
  payload: unknown,
  source: string,
  opts: AgentOptions,
): Promise<EventResult> {
  const dir = path.join(installDirOf(opts), 'events', event);
  const res: EventResult = { exitCode: 0, stdout: '', stderr: '', steps: [] };
  for (const step of listSteps(dir)) {
    const env = {
      ...agentEnvironment(opts),
      AGENT_EVENT_NAME: event,
      AGENT_EVENT_SOURCE: source,
      AGENT_COMFD: '2',
      ...opts.env,
    };
    const r = await runStep(
      path.join(dir, step),
      typeof payload === 'string' ? payload : JSON.stringify(payload),
      env,
      opts.stateDir,
      2,
    );
    res.steps.push(step);
    res.stdout += r.stdout;
    res.stderr += r.stderr;
    if (r.code !== 0) {
      res.exitCode = r.code;
      break;
    }
  }
  return res;
}

export interface InstallOptions extends AgentOptions {
  tcpPort: number;
  nodeId?: number;
  image?: string;
  /** add-module's `module_uuid` (restore and move keep the source's); default a new one. */
  moduleUuid?: string;
  /**
   * The image's tcp-ports-demand at install: 2 (this release: webhook + /metrics) by default; 1 is
   * an instance installed by a release before the metrics listener.
   */
  tcpPorts?: 1 | 2;
}

/**
 * What the node's add-module writes before create-module runs (NS8.md §1.4, §8.3):
 * state/environment (MODULE_ID, NODE_ID, MODULE_UUID, IMAGE_URL, TCP_PORT(S)(_RANGE), <NAME>_IMAGE)
 * and state/agent.env (mode 600, the module's Redis credentials). Then runs create-module.
 */
export async function installModule(o: InstallOptions): Promise<ActionResult> {
  mkdirSync(o.stateDir, { recursive: true });
  const id = moduleIdOf(o);
  const image = o.image ?? 'localhost/backup-monitor:dev';
  const env: Record<string, string> = {
    MODULE_ID: id,
    NODE_ID: String(o.nodeId ?? 1),
    MODULE_UUID: o.moduleUuid ?? randomUUID(),
    IMAGE_URL: image,
    // core node add-module/50update: TCP_PORT always, TCP_PORTS up to 8 ports, TCP_PORTS_RANGE
    // from 2; tcp-ports-demand=2 gives two consecutive ports (webhook, /metrics).
    TCP_PORT: String(o.tcpPort),
    ...(o.tcpPorts === 1
      ? { TCP_PORTS: String(o.tcpPort) }
      : { TCP_PORTS: `${o.tcpPort},${o.tcpPort + 1}`, TCP_PORTS_RANGE: `${o.tcpPort}-${o.tcpPort + 1}` }),
    // org.nethserver.images lists the service image; NS8 exports it as <NAME>_IMAGE.
    BACKUP_MONITOR_SERVICE_IMAGE: image.replace(/backup-monitor(?=[:@]|$)/, 'backup-monitor-service'),
  };
  writeFileSync(
    path.join(o.stateDir, 'environment'),
    Object.keys(env)
      .sort()
      .map((k) => `${k}=${env[k]}\n`)
      .join(''),
  );
  const agentEnv = `AGENT_ID=module/${id}\nREDIS_USER=${o.redisUser ?? `module/${id}`}\nREDIS_PASSWORD=${o.redisPassword ?? MODULE_PASSWORD}\n`;
  writeFileSync(path.join(o.stateDir, 'agent.env'), agentEnv, { mode: 0o600 });
  return await runAction('create-module', {}, o);
}

/** The module image's labels as build-images.sh sets them (`--label="org.nethserver.<name>=<value>"`). */
export function shippedLabels(): Record<string, string> {
  const script = readFileSync(path.join(REPO_ROOT, 'build-images.sh'), 'utf8');
  return Object.fromEntries(
    [...script.matchAll(/--label="(org\.nethserver\.[a-z-]+)=([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
  );
}

export interface UpdateOptions extends AgentOptions {
  /** Redis URL with the cluster agent's rights (the cluster's update-module runs as `cluster`). */
  adminUrl: string;
  imageUrl: string;
  /** The new image's labels; default shippedLabels(). */
  labels?: Record<string, string>;
  nodeId?: number;
}

/**
 * Core's update of one instance (ns8-core 4f41b35 cluster/actions/update-module/50update): the
 * new image's `tcp-ports-demand` is recorded in `cluster/tcp_ports_demand` (no port is
 * allocated), its `authorizations` replace `cluster/authorizations/module/<id>` and are granted
 * (grantModuleAuthorizations), then the module runs `update-module`: core's base steps
 * (test/sim/core/actions/update-module: 05pullimages, 50run_scriptdir over update-module.d).
 */
export async function updateModule(o: UpdateOptions): Promise<ActionResult> {
  const id = moduleIdOf(o);
  const labels = o.labels ?? shippedLabels();
  const authorizations = (labels['org.nethserver.authorizations'] ?? '').split(/\s+/).filter(Boolean);
  const c = createClient({ url: o.adminUrl });
  c.on('error', () => undefined);
  await c.connect();
  try {
    const m = c.multi();
    for (const proto of ['tcp', 'udp']) {
      const demand = Number(labels[`org.nethserver.${proto}-ports-demand`] ?? '0');
      if (demand > 0) m.hSet(`cluster/${proto}_ports_demand`, id, String(demand));
      else m.hDel(`cluster/${proto}_ports_demand`, id);
    }
    if (authorizations.length)
      m.del(`cluster/authorizations/module/${id}`).sAdd(`cluster/authorizations/module/${id}`, [
        'self:selfadm',
        ...authorizations,
      ]);
    await m.exec();
  } finally {
    c.destroy();
  }
  if (authorizations.length) await grantModuleAuthorizations(o.adminUrl, id, o.nodeId ?? 1, authorizations);
  return await runAction('update-module', { module_url: o.imageUrl }, { ...o, baseActionsDirs: [CORE_ACTIONS] });
}
