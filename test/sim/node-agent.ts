// SPDX-License-Identifier: GPL-3.0-or-later
// A node agent of the simulator: the task loop of test/sim/task-agent.ts as `node/<id>` (with the
// node's own Redis user), serving the one node action modules call, `allocate-ports`, with the
// behaviour of ns8-core 4f41b35 `node/actions/allocate-ports/50allocate` and
// `pypkg/node/ports_manager.py`:
// - input checked against validate-input.json (ports, module_id, protocol, keep_existing);
// - a task from a module for another module: validation-failed, `module_permission_denied`, exit 32;
// - the demand is `cluster/tcp_ports_demand` (or udp) <module_id>, 0 when absent; the count asked
//   is `ports` plus, with keep_existing, the ports the module holds; more than the demand:
//   validation-failed, `max_ports_exceeded`, exit 33;
// - without keep_existing the module's ranges are freed first; then the lowest free run of
//   `ports` consecutive ports from 20000 is recorded (none up to 45000: PortRangeExceededError,
//   a traceback, exit 1); the output is [first, last]. It does NOT touch the module's
//   environment: TCP_PORT(S)(_RANGE) are written by the node's add-module only.
// The allocation table lives in memory here (core: state/ports.sqlite of the node).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateAgainst } from './agent-runner.js';
import { startTaskLoop, type Task, type TaskResult } from './task-agent.js';

const SCHEMA = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'core',
  'node-actions',
  'allocate-ports',
  'validate-input.json',
);
const RANGE_START = 20000;
const RANGE_END = 45000;

export interface PortRange {
  start: number;
  end: number;
  module: string;
  protocol: 'tcp' | 'udp';
}

export interface NodeAgent {
  /** The node's allocation table (a copy), ordered by first port. */
  ranges(protocol?: 'tcp' | 'udp'): PortRange[];
  /** Records ranges as add-module (or core's 10upgrade_ports) would have. */
  seed(ranges: PortRange[]): void;
  /** allocate-ports tasks served so far. */
  calls(): { data: unknown; user: string; exitCode: number }[];
  stop(): Promise<void>;
}

export async function startNodeAgent(opts: {
  redisUrl: string;
  nodeId: number;
  popTimeout?: number;
}): Promise<NodeAgent> {
  let table: PortRange[] = [];
  const served: { data: unknown; user: string; exitCode: number }[] = [];
  const invalid = (field: string, value: unknown, error: string, message: string, exitCode: number): TaskResult => ({
    output: JSON.stringify([{ field, parameter: field, value, error }]),
    error: `<3>${message}\n`,
    exitCode,
    status: 'validation-failed',
  });

  const loop = await startTaskLoop({
    redisUrl: opts.redisUrl,
    agentId: `node/${opts.nodeId}`,
    popTimeout: opts.popTimeout,
    handle: async (t: Task) => {
      const r =
        t.action === 'allocate-ports'
          ? await allocate(t)
          : { output: '', error: `action ${t.action} is not defined\n`, exitCode: 8 };
      if (t.action === 'allocate-ports') served.push({ data: t.data, user: t.user ?? '', exitCode: r.exitCode });
      return r;
    },
  });

  async function allocate(t: Task): Promise<TaskResult> {
    const errors = validateAgainst(SCHEMA, t.data ?? null);
    if (errors.length) return { output: JSON.stringify(errors), error: '', exitCode: 10, status: 'validation-failed' };
    const rq = t.data as { ports: number; module_id: string; protocol: 'tcp' | 'udp'; keep_existing: boolean };
    const user = t.user ?? '';
    if (user !== '' && user !== `module/${rq.module_id}`)
      return invalid(
        'module_id',
        rq.module_id,
        'module_permission_denied',
        ` Agent ${user} does not have permission to change the port allocation for ${rq.module_id}.`,
        32,
      );
    const demand = Number((await loop.rdb.hGet(`cluster/${rq.protocol}_ports_demand`, rq.module_id)) ?? '0');
    const held = table
      .filter((r) => r.module === rq.module_id && r.protocol === rq.protocol)
      .reduce((n, r) => n + r.end - r.start + 1, 0);
    const wanted = rq.keep_existing ? held + rq.ports : rq.ports;
    if (user !== '' && wanted > demand)
      return invalid(
        'ports',
        rq.ports,
        'max_ports_exceeded',
        `Cannot allocate ${wanted} ${rq.protocol} ports to ${rq.module_id}. Max allowed is ${demand}.`,
        33,
      );
    if (rq.ports < 1)
      throw new Error('node.ports_manager.InvalidPortRequestError: The number of required ports must be at least 1.');
    if (!rq.keep_existing) table = table.filter((r) => !(r.module === rq.module_id && r.protocol === rq.protocol));
    const used = table.filter((r) => r.protocol === rq.protocol).sort((a, b) => a.start - b.start);
    let start = RANGE_START;
    for (const r of used) if (start + rq.ports - 1 >= r.start && start <= r.end) start = r.end + 1;
    if (start > RANGE_END) throw new Error('node.ports_manager.PortRangeExceededError: Ports range max exceeded!');
    const range: PortRange = { start, end: start + rq.ports - 1, module: rq.module_id, protocol: rq.protocol };
    table.push(range);
    return { output: JSON.stringify([range.start, range.end]), error: '', exitCode: 0 };
  }

  return {
    ranges: (protocol) =>
      table
        .filter((r) => !protocol || r.protocol === protocol)
        .map((r) => ({ ...r }))
        .sort((a, b) => a.start - b.start),
    seed(ranges) {
      table.push(...ranges.map((r) => ({ ...r })));
    },
    calls: () => served.map((c) => ({ ...c })),
    stop: () => loop.stop(),
  };
}
