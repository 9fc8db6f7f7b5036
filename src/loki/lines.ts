// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the reason a backup failed, from the node's journal as the cluster's Loki holds it.
//
// NS8 keeps only an error count per module; the words are in the journal of the node that ran
// the backup. Facts this relies on (ns8-core 4f41b35, ns8-loki 045a6cd):
// - every node ships its journal to the default Loki instance with Alloy, one JSON object per
//   entry (`format_as_json = true`) labelled `node_id` (core node/bin/generate-promtail-config);
// - a scheduled run is the transient unit `backup<plan id>.service` started by
//   node/bin/schedule-backup (`systemd-run --unit backup<id> … run-backup --backup=<id>`);
//   "Run backup now" runs the same helper inside the node agent, `agent@node.service`
//   (cluster/actions/run-backup → node/actions/run-backup/50run_backup);
// - run-backup (node/bin/run-backup) runs the plan's modules of that node one after the other and
//   writes "<module>: starting backup <id> at …", then "<module>: backup <id> completed" or
//   "<module>: backup <id> failed (exit code N)"; between them are module-backup's and restic's
//   own lines ("[ERROR] restic backup failed: …", "Fatal: …") (agent/bin/module-backup);
// - Loki answers `query_range` with `data.result[].values[] = [<ns timestamp>, <line>]`; the API
//   is behind basic auth (ns8-loki scripts/expandconfig-traefik); core's logcli wrapper reads
//   LOKI_ADDR, LOKI_HTTP_PORT and LOKI_API_AUTH_* from module/<loki>/environment (core
//   usr/local/bin/logcli).
// So the lines of one module are those between its "starting backup" marker and its
// completed/failed line, in that node's units, within the run's time window.
import { redact } from '../secret.js';

/** Error lines kept per application (the last ones: restic's Fatal line comes last). */
export const LINES_PER_MODULE = 8;
/** Longest line kept, in characters. */
export const LINE_CHARS = 300;
/** Entries asked from Loki per node (newest first, so a chatty run keeps its end). */
export const QUERY_LIMIT = 2000;
/** Applications that get error lines in one report (a plan of 300 failing apps stays small). */
export const MODULES_WITH_LINES = 20;

/** LogQL for the backup units of one node: the scheduled unit and the node agent (manual runs). */
export function buildQuery(nodeId: number, planId: number): string {
  const unit = `backup${Math.trunc(planId)}.service`;
  return (
    `{node_id="${Math.trunc(nodeId)}"} | json unit="_SYSTEMD_UNIT", message="MESSAGE" ` +
    `| unit="${unit}" or unit="agent@node.service" | keep node_id`
  );
}

/** Query parameters of `GET /loki/api/v1/query_range`; times in unix s, sent as ns. */
export function queryParams(nodeId: number, planId: number, fromS: number, toS: number): URLSearchParams {
  return new URLSearchParams({
    query: buildQuery(nodeId, planId),
    start: `${Math.floor(fromS)}000000000`,
    end: `${Math.ceil(toS)}000000000`,
    limit: String(QUERY_LIMIT),
    direction: 'backward',
  });
}

export interface LogEntry {
  ns: bigint;
  message: string;
}

export class LokiFormatError extends Error {}

/** `query_range` JSON -> entries oldest first. Throws LokiFormatError on anything else. */
export function parseQueryRange(body: unknown): LogEntry[] {
  const b = body as { status?: unknown; data?: { resultType?: unknown; result?: unknown } } | null;
  if (
    !b ||
    typeof b !== 'object' ||
    b.status !== 'success' ||
    !b.data ||
    b.data.resultType !== 'streams' ||
    !Array.isArray(b.data.result)
  ) {
    throw new LokiFormatError('not a query_range answer with streams');
  }
  const out: LogEntry[] = [];
  for (const stream of b.data.result as unknown[]) {
    const values = (stream as { values?: unknown } | null)?.values;
    if (!Array.isArray(values)) continue;
    for (const v of values) {
      if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string' || !/^\d{1,20}$/.test(v[0]))
        continue;
      out.push({ ns: BigInt(v[0]), message: messageOf(v[1]) });
    }
  }
  return out.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
}

/** The journal entry's MESSAGE when the line is Alloy's JSON, the line itself otherwise. */
export function messageOf(line: string): string {
  if (line.startsWith('{')) {
    try {
      const j = JSON.parse(line) as { MESSAGE?: unknown };
      if (typeof j.MESSAGE === 'string') return j.MESSAGE;
      if (Array.isArray(j.MESSAGE) && j.MESSAGE.every((x) => typeof x === 'number'))
        return Buffer.from(j.MESSAGE as number[]).toString('utf8');
    } catch {
      /* not JSON: the line as is */
    }
  }
  return line;
}

const STARTING = /^(\S+): starting backup (\d+)\b/;
const ENDED = /^(\S+): (?:backup (\d+) (?:completed|failed)|gave up retrying|already running|still running)/;
const MEANINGFUL =
  /\b(fatal|error|errors|failed|failure|denied|refused|unable|cannot|can't|could not|timeout|timed out|no such|not found|permission|exit (?:code|status)|unauthori[sz]ed|forbidden|no space|quota|lock(?:ed)?)\b/i;

/**
 * Which lines belong to which module of the plan: between "<m>: starting backup <plan>" and its
 * completed/failed line (a manual run shares agent@node.service with other tasks, so lines
 * outside a marker pair are ignored). Returns all attributed lines per module, in order.
 */
export function attribute(entries: LogEntry[], planId: number, modules: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string | null = null;
  const add = (m: string, line: string) => {
    out.set(m, [...(out.get(m) ?? []), line]);
  };
  for (const e of entries) {
    for (const line of e.message.split(/\r?\n/)) {
      const start = STARTING.exec(line);
      if (start) {
        current = Number(start[2]) === planId && modules.has(start[1]!) ? start[1]! : null;
        continue;
      }
      const end = ENDED.exec(line);
      if (end && modules.has(end[1]!) && (end[2] === undefined || Number(end[2]) === planId)) {
        add(end[1]!, line);
        if (end[1] === current) current = null;
        continue;
      }
      if (current && line.trim()) add(current, line);
    }
  }
  return out;
}

// Secrets a log line can carry besides URLs with credentials: key=value and header forms.
const SECRET_ASSIGN =
  /\b([A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|ACCOUNT_KEY|ACCESS_KEY(?:_ID)?|API_KEY|CREDENTIALS?)|password|passwd|pass|pwd|secret|token|apikey|api_key)(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi;
const AUTH_HEADER = /\b(Authorization:\s*(?:Basic|Bearer|Token)\s+)\S+/gi;

/** A log line made safe to mail: credentials in URLs, key=value secrets and auth headers masked. */
export function maskLine(line: string, secrets: (string | null | undefined)[] = []): string {
  return redact(line, secrets)
    .replace(AUTH_HEADER, '$1<secret>')
    .replace(SECRET_ASSIGN, (_m, k: string, sep: string) => `${k}${sep}<secret>`);
}

/** The last meaningful lines of a module's run, masked and bounded. */
export function meaningful(lines: string[], secrets: (string | null | undefined)[] = []): string[] {
  const picked = lines.filter((l) => MEANINGFUL.test(l));
  const chosen = (picked.length ? picked : lines).slice(-LINES_PER_MODULE);
  return chosen
    .map((l) => {
      const masked = maskLine(l, secrets)
        .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ' ')
        .trim();
      const chars = [...masked];
      return chars.length > LINE_CHARS ? `${chars.slice(0, LINE_CHARS - 1).join('')}…` : masked;
    })
    .filter(Boolean);
}
