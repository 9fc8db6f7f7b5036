// SPDX-License-Identifier: GPL-3.0-or-later
// A Loki stand-in that answers `GET /loki/api/v1/query_range` as Loki does behind ns8-loki's
// Traefik (imageroot/scripts/expandconfig-traefik): basic auth (401 "401 Unauthorized" from
// Traefik otherwise), `start`/`end` in ns or RFC3339, `limit`, `direction`, and a JSON answer of
// streams whose values are `[<ns timestamp string>, <line>]`. Lines are journal entries as
// Alloy ships them with `format_as_json = true` (core node/bin/generate-promtail-config).
//
// It understands the part of LogQL the monitor sends: the `node_id` stream selector and the
// `unit="…" or unit="…"` filter on `_SYSTEMD_UNIT` after `| json`; anything else is a 400, as
// Loki answers a query it cannot parse.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JournalEntry {
  node: number;
  /** Unix ms. */
  at: number;
  unit: string;
  message: string;
  identifier?: string;
}

export interface LokiSim {
  url: string;
  port: number;
  user: string;
  password: string;
  entries: JournalEntry[];
  /** Answer after this many ms (a slow Loki). */
  delayMs: number;
  /** Answer every query with this body instead (garbage tests). */
  rawBody: string | null;
  /**
   * Answer every authenticated query with this status instead, as Traefik does in front of Loki
   * (403 from an IP allow-list or a forward-auth middleware that refuses the user).
   */
  refuseWith: number | null;
  /** Queries received (decoded parameters). */
  queries: URLSearchParams[];
  stop(): Promise<void>;
}

const toNs = (v: string | null, fallback: bigint): bigint => {
  if (!v) return fallback;
  if (/^\d+$/.test(v)) return BigInt(v);
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new Error(`invalid time ${v}`);
  return BigInt(ms) * 1_000_000n;
};

export async function startLoki(opts: { user?: string; password?: string } = {}): Promise<LokiSim> {
  const sim: LokiSim = {
    url: '',
    port: 0,
    user: opts.user ?? 'loki',
    password: opts.password ?? 'c3b2a1f0-loki-pass',
    entries: [],
    delayMs: 0,
    rawBody: null,
    refuseWith: null,
    queries: [],
    stop: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const expected = `Basic ${Buffer.from(`${sim.user}:${sim.password}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Basic realm="traefik"' });
      res.end('401 Unauthorized\n');
      return;
    }
    if (req.method !== 'GET' || url.pathname !== '/loki/api/v1/query_range') {
      res.writeHead(404).end('404 page not found\n');
      return;
    }
    sim.queries.push(url.searchParams);
    if (sim.refuseWith !== null) {
      res
        .writeHead(sim.refuseWith, { 'content-type': 'text/plain; charset=utf-8' })
        .end(`${sim.refuseWith} Forbidden\n`);
      return;
    }
    const answer = () => {
      if (sim.rawBody !== null) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(sim.rawBody);
        return;
      }
      const q = url.searchParams.get('query') ?? '';
      const node = /^\{node_id="(\d+)"\}/.exec(q)?.[1];
      const units = [...q.matchAll(/unit="([^"]+)"/g)].map((m) => m[1]!).filter((u) => u !== '_SYSTEMD_UNIT');
      if (!node || !/\| json /.test(q)) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('parse error : syntax error\n');
        return;
      }
      let start: bigint;
      let end: bigint;
      try {
        end = toNs(url.searchParams.get('end'), BigInt(Date.now()) * 1_000_000n);
        start = toNs(url.searchParams.get('start'), end - 3_600_000_000_000n);
      } catch (e) {
        res.writeHead(400).end(`${(e as Error).message}\n`);
        return;
      }
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const backward = (url.searchParams.get('direction') ?? 'backward') === 'backward';
      const picked = sim.entries
        .map((e) => ({ e, ns: BigInt(e.at) * 1_000_000n }))
        .filter(
          ({ e, ns }) =>
            String(e.node) === node && (units.length === 0 || units.includes(e.unit)) && ns >= start && ns < end,
        )
        .sort((a, b) => (a.ns < b.ns ? -1 : 1) * (backward ? -1 : 1))
        .slice(0, limit);
      const values = picked.map(({ e, ns }) => [
        String(ns),
        JSON.stringify({
          MESSAGE: e.message,
          PRIORITY: '6',
          SYSLOG_IDENTIFIER: e.identifier ?? 'run-backup',
          _SYSTEMD_UNIT: e.unit,
          _HOSTNAME: `node${e.node}.example.org`,
          _PID: '4242',
          _TRANSPORT: 'stdout',
        }),
      ]);
      const body = {
        status: 'success',
        data: {
          resultType: 'streams',
          result: values.length ? [{ stream: { node_id: node }, values }] : [],
          stats: { summary: { totalEntriesReturned: values.length } },
        },
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (sim.delayMs > 0) {
      const t = setTimeout(answer, sim.delayMs);
      res.on('close', () => clearTimeout(t));
    } else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sim.port = (server.address() as AddressInfo).port;
  sim.url = `http://127.0.0.1:${sim.port}`;
  sim.stop = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return sim;
}

/** The journal lines of one node's run of a plan, as run-backup and module-backup print them. */
export function backupRunLines(o: {
  node: number;
  planId: number;
  at: number;
  unit?: string;
  modules: { id: string; ok: boolean; lines?: string[] }[];
}): JournalEntry[] {
  const unit = o.unit ?? `backup${o.planId}.service`;
  const out: JournalEntry[] = [];
  let t = o.at;
  const push = (message: string, identifier = 'run-backup') => {
    out.push({ node: o.node, at: t, unit, message, identifier });
    t += 1000;
  };
  const failed: string[] = [];
  for (const m of o.modules) {
    push(`${m.id}: starting backup ${o.planId} at Sun Aug  9 03:00:01 2026`);
    for (const l of m.lines ?? []) push(l, 'module-backup');
    if (m.ok) push(`${m.id}: backup ${o.planId} completed`);
    else {
      push(`${m.id}: backup ${o.planId} failed (exit code 1)`);
      failed.push(m.id);
    }
  }
  push(
    failed.length
      ? `Backup ${o.planId} finished with failures: ${failed.join(', ')}`
      : `Backup ${o.planId} completed successfully`,
  );
  return out;
}
