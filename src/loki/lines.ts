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
import { jsonNestingExceeds } from '../domain/json-depth.js';
import { redact } from '../secret.js';

/** Error lines kept per application (the last ones: restic's Fatal line comes last). */
export const LINES_PER_MODULE = 8;
/** Longest line kept, in characters. */
export const LINE_CHARS = 300;
/**
 * Longest part of a line that is masked: masking reads it with regular expressions, so a line of
 * megabytes is cut first (the cut token is dropped, so no half secret is shown).
 */
export const RAW_LINE_CHARS = 2000;
/** Entries asked from Loki per node (newest first, so a chatty run keeps its end). */
export const QUERY_LIMIT = 2000;
/**
 * Lines read of one journal entry, its last ones. Loki's `limit` bounds entries, not lines: one
 * MESSAGE of 128,000 lines fits in the answer cap, and reading it all froze the service (#25).
 */
export const LINES_PER_ENTRY = 100;
/** Lines read of one answer in all, the newest ones. */
export const LINES_PER_ANSWER = 20_000;
/** Applications that get error lines in one report (a plan of 300 failing apps stays small). */
export const MODULES_WITH_LINES = 20;
/** Deeper JSON in a journal line is kept as text: JSON.parse would build every level first. */
const LINE_JSON_DEPTH = 16;

/** LogQL for the backup units of one node: the scheduled unit and the node agent (manual runs). */
export function buildQuery(nodeId: number, planId: number): string {
  const unit = `backup${Math.trunc(planId)}.service`;
  return (
    `{node_id="${Math.trunc(nodeId)}"} | json unit="_SYSTEMD_UNIT", message="MESSAGE" ` +
    `| unit="${unit}" or unit="agent@node.service" | keep node_id`
  );
}

/** The times asked of Loki, in ns: entries dated outside them are not this run's. */
export interface NsWindow {
  fromNs: bigint;
  toNs: bigint;
}

/** The window of whole seconds around [fromS, toS] (unix s), as asked of Loki. */
export function nsWindow(fromS: number, toS: number): NsWindow {
  return { fromNs: BigInt(Math.floor(fromS)) * NS_PER_S, toNs: BigInt(Math.ceil(toS)) * NS_PER_S };
}
const NS_PER_S = 1_000_000_000n;

/** Query parameters of `GET /loki/api/v1/query_range`; times in unix s, sent as ns. */
export function queryParams(nodeId: number, planId: number, fromS: number, toS: number): URLSearchParams {
  const w = nsWindow(fromS, toS);
  return new URLSearchParams({
    query: buildQuery(nodeId, planId),
    start: String(w.fromNs),
    end: String(w.toNs),
    limit: String(QUERY_LIMIT),
    direction: 'backward',
  });
}

export interface LogEntry {
  ns: bigint;
  message: string;
}

export class LokiFormatError extends Error {}

/** The entries of one answer, oldest first, and how many were dated outside the window asked. */
export interface QueryRangeAnswer {
  entries: LogEntry[];
  outsideWindow: number;
}

/**
 * `query_range` JSON -> entries oldest first. Throws LokiFormatError on anything else, and on more
 * entries than asked for (QUERY_LIMIT): that is not Loki answering this query. Entry times are
 * outside input (issue #25): an entry dated outside `window` (far ahead, 1970, any time not asked
 * for) is dropped and counted, never sorted among the run's own lines; one whose time is not
 * a decimal ns count is dropped too.
 */
export function parseQueryRange(body: unknown, window: NsWindow): QueryRangeAnswer {
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
  const streams = (b.data.result as unknown[]).map((s) => (s as { values?: unknown } | null)?.values);
  const count = streams.reduce((n: number, v) => n + (Array.isArray(v) ? v.length : 0), 0);
  if (count > QUERY_LIMIT) throw new LokiFormatError(`${count} entries, ${QUERY_LIMIT} asked for`);
  const entries: LogEntry[] = [];
  let outsideWindow = 0;
  for (const values of streams) {
    if (!Array.isArray(values)) continue;
    for (const v of values) {
      if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string' || !/^\d{1,20}$/.test(v[0]))
        continue;
      const ns = BigInt(v[0]);
      if (ns < window.fromNs || ns > window.toNs) outsideWindow++;
      else entries.push({ ns, message: messageOf(v[1]) });
    }
  }
  entries.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
  return { entries, outsideWindow };
}

/** The journal entry's MESSAGE when the line is Alloy's JSON, the line itself otherwise. */
export function messageOf(line: string): string {
  if (line.startsWith('{') && !jsonNestingExceeds(line, LINE_JSON_DEPTH)) {
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

/** The lines one module keeps: its last meaningful ones, and its last ones in case none is. */
class ModuleTail {
  readonly #meaningful: string[] = [];
  readonly #last: string[] = [];
  add(line: string): void {
    keepLast(this.#last, line);
    if (MEANINGFUL.test(line)) keepLast(this.#meaningful, line);
  }
  lines(): string[] {
    return this.#meaningful.length ? this.#meaningful : this.#last;
  }
}

function keepLast(tail: string[], line: string): void {
  tail.push(line);
  if (tail.length > LINES_PER_MODULE) tail.shift();
}

/**
 * The last `max` lines of a text, oldest first, found from its end: the cost is that of the lines
 * kept, whatever the size of the text. `complete` is false when earlier lines were left out.
 */
export function lastLines(text: string, max: number): { lines: string[]; complete: boolean } {
  const lines: string[] = [];
  let end = text.length;
  while (lines.length < max) {
    const nl = end > 0 ? text.lastIndexOf('\n', end - 1) : -1;
    const line = text.slice(nl + 1, end);
    lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (nl < 0) return { lines: lines.reverse(), complete: true };
    end = nl;
  }
  return { lines: lines.reverse(), complete: false };
}

export interface Attribution {
  /** Per module its chosen lines, oldest first: at most LINES_PER_MODULE (see ModuleTail). */
  modules: Map<string, string[]>;
  /** Lines looked at: at most LINES_PER_ANSWER, and the marker line of each older entry. */
  linesRead: number;
  /** Lines were left out (the oldest of the answer, or the first of a long entry). */
  truncated: boolean;
}

/**
 * The lines to read, oldest first: the newest LINES_PER_ANSWER, at most LINES_PER_ENTRY per entry.
 * Of the older entries only a first line that is a marker is read, so a module whose own lines
 * fill the budget still has its "starting backup" line.
 */
function boundedLines(entries: LogEntry[]): { lines: string[][]; truncated: boolean } {
  const chunks: string[][] = [];
  let budget = LINES_PER_ANSWER;
  let truncated = false;
  for (let i = entries.length - 1; i >= 0; i--) {
    const message = entries[i]!.message;
    if (budget === 0) {
      truncated = true;
      const nl = message.indexOf('\n');
      const first = nl < 0 ? message : message.slice(0, nl);
      if (STARTING.test(first) || ENDED.test(first)) chunks.push([first]);
      continue;
    }
    const { lines, complete } = lastLines(message, Math.min(LINES_PER_ENTRY, budget));
    truncated ||= !complete;
    budget -= lines.length;
    chunks.push(lines);
  }
  return { lines: chunks.reverse(), truncated };
}

/**
 * Which lines belong to which module of the plan: between "<m>: starting backup <plan>" and its
 * completed/failed line (a manual run shares agent@node.service with other tasks, so lines
 * outside a marker pair are ignored). Linear in the lines read, which are bounded per entry and
 * per answer; each module keeps only the lines the report can show.
 */
export function attribute(entries: LogEntry[], planId: number, modules: ReadonlySet<string>): Attribution {
  const tails = new Map<string, ModuleTail>();
  const add = (m: string, line: string) => {
    let tail = tails.get(m);
    if (!tail) tails.set(m, (tail = new ModuleTail()));
    tail.add(line);
  };
  let current: string | null = null;
  const { lines: chunks, truncated } = boundedLines(entries);
  let linesRead = 0;
  for (const chunk of chunks) {
    for (const line of chunk) {
      linesRead++;
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
  return { modules: new Map([...tails].map(([m, t]) => [m, t.lines()])), linesRead, truncated };
}

// Secrets a log line can carry besides URLs with credentials, in any letter case:
// - `name=value`, `name: value`, `"name": "value"`, where the name holds a secret's word
//   (SECRET_KEY, secret_key, private_key, X-Api-Key, AWS_SECRET_ACCESS_KEY, db.password, …),
//   and the value may follow an auth scheme (`authorization=Bearer …`);
// - a Cookie header, whole: every cookie in it may be a session;
// - `--password X` and mysql's `-pX`;
// - `user:password@host` without a scheme (redact() masks those with one).
const SECRET_WORD = String.raw`(?:[\w-]*?(?:password|passwd|passphrase|passwort|secret|token|private[_-]?key|api[_-]?key|apikey|access[_-]?key|account[_-]?key|credentials?|authorization)[\w-]*|pass|pwd|pw)`;
const SECRET_VALUE = String.raw`(?:"(?:[^"\\]|\\.)*(?:"|$)|'[^']*(?:'|$)|\S+)`;
const SECRET_ASSIGN = new RegExp(
  String.raw`(["']?)\b(${SECRET_WORD})\1(\s*[=:]\s*)((?:Basic|Bearer|Token|Digest)\s+)?${SECRET_VALUE}`,
  'gi',
);
const COOKIE = /\b((?:set-)?cookie\s*[:=]\s*)\S.*$/gi;
const SECRET_OPTION = new RegExp(String.raw`(^|\s)(--${SECRET_WORD})(\s+)(?!-)\S+`, 'gi');
// Case-sensitive on purpose: -P is a port or a flag in most tools, -p with a value is mysql's password.
const MYSQL_PASSWORD = /(^|\s)-p(?=[^\s-])\S+/g;
const SCHEMELESS_USERINFO = /(^|[\s"'(<=,;])[^\s:@/"'<>=]+:[^\s@/"'<>]+@(?=[\w[])/g;

/** A log line made safe to mail: credentials in URLs, key=value secrets and auth headers masked. */
export function maskLine(line: string, secrets: (string | null | undefined)[] = []): string {
  return redact(line, secrets)
    .replace(COOKIE, '$1<secret>')
    .replace(SECRET_OPTION, '$1$2$3<secret>')
    .replace(
      SECRET_ASSIGN,
      (_m, q: string, k: string, sep: string, scheme = '') => `${q}${k}${q}${sep}${scheme}<secret>`,
    )
    .replace(MYSQL_PASSWORD, '$1-p<secret>')
    .replace(SCHEMELESS_USERINFO, '$1<secret>@');
}

/** A line cut to RAW_LINE_CHARS before masking; the cut token goes too (it may be half a secret). */
function cutRaw(line: string): string {
  if (line.length <= RAW_LINE_CHARS) return line;
  return `${line.slice(0, RAW_LINE_CHARS).replace(/\S*$/, '')}…`;
}

/** The last meaningful lines of a module's run, masked and bounded; new strings, not slices of the answer. */
export function meaningful(lines: string[], secrets: (string | null | undefined)[] = []): string[] {
  const picked = lines.filter((l) => MEANINGFUL.test(l));
  const chosen = (picked.length ? picked : lines).slice(-LINES_PER_MODULE);
  return chosen
    .map((l) => {
      const masked = maskLine(cutRaw(l), secrets)
        .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, ' ')
        .trim();
      const chars = [...masked];
      const kept = chars.length > LINE_CHARS ? `${chars.slice(0, LINE_CHARS - 1).join('')}…` : masked;
      // A copy: a slice would keep the whole Loki answer it came from alive until the mail is sent.
      return Buffer.from(kept, 'utf8').toString('utf8');
    })
    .filter(Boolean);
}
