// SPDX-License-Identifier: GPL-3.0-or-later
// Timing of the module's read actions (list-reports, get-trends, get-monitor-status …) against the
// floor every NS8 action pays: `python3` + `import agent` (the simulator's shim imports redis-py as
// NS8's agent does; NS8's own agent imports even more). Shared by bench/history.ts and
// bench/scale.ts.
// - measure(): the variants take turns RUNS times, from one Python process that reaps each child
//   with os.wait4 (wall time from fork to exit, CPU = the child's user + sys time);
// - pairedShare(): a step minus the floor, as the median of paired differences (a busy machine
//   weighs on both alike);
// - instructions(): the same shares counted by valgrind (when installed);
// - endToEnd(): through the simulated agent (test/sim/agent-runner.ts runAction: input schema,
//   step, output schema); a failed validation stops the benchmark.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { agentEnvironment, IMAGEROOT, runAction, type AgentOptions } from '../test/sim/agent-runner.js';
import { quantile } from './lib.js';

export const PYTHON = '/usr/bin/python3';
/** What every action costs before its own work: NS8's, not ours. */
export const FLOOR = 'import agent, json, sys; json.load(sys.stdin)';

/** One action called with one input, under a name for the tables. */
export interface ActionCase {
  name: string;
  action: string;
  input: unknown;
}

/**
 * The action's one step (the read actions have one), found in its directory so a renamed step
 * still is. More than one step cannot be timed alone: that stops the benchmark.
 */
export function stepOf(action: string): string {
  const dir = path.join(IMAGEROOT, 'actions', action);
  const steps = readdirSync(dir)
    .filter((f) => !f.startsWith('validate-') && (statSync(path.join(dir, f)).mode & 0o111) !== 0)
    .sort();
  if (steps.length !== 1) throw new Error(`${action}: ${steps.length} steps, this benchmark times one`);
  return path.join(dir, steps[0]!);
}

/** The step's imports of our package, read from the step itself: the import part of our share. */
export const importsOf = (action: string): string =>
  readFileSync(stepOf(action), 'utf8')
    .split('\n')
    .filter((l) => /^(from|import) backup_monitor\b/.test(l))
    .join('; ');

export interface Variant {
  name: string;
  argv: string[];
  input: string;
  env?: Record<string, string | null>;
}
export type Timings = Record<string, { wall: number[]; cpu: number[] }>;

/** The floor: python3 + import agent, reading its input as a step does. */
export const floorVariant = (): Variant => ({ name: 'floor', argv: [PYTHON, '-c', FLOOR], input: '{}' });

/** The action's step alone, with the case's input. */
export const stepVariant = (c: ActionCase): Variant => ({
  name: c.name,
  argv: [PYTHON, stepOf(c.action)],
  input: JSON.stringify(c.input),
});

/**
 * Starts every variant `runs` times, taking turns, from one Python process that reaps each child
 * with os.wait4: wall time from fork to exit, CPU = the child's user + sys time. Nothing of the
 * measuring process's own start-up is counted.
 */
export function measure(o: AgentOptions, variants: Variant[], runs: number): Timings {
  const code = `
import json, os, subprocess, sys, time
cfg = json.load(sys.stdin)
out = {v['name']: {'wall': [], 'cpu': []} for v in cfg['variants']}
for _ in range(cfg['runs']):
    for v in cfg['variants']:
        env = {k: x for k, x in {**cfg['env'], **v.get('env', {})}.items() if x is not None}
        t = time.perf_counter()
        p = subprocess.Popen(v['argv'], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cfg['cwd'])
        p.stdin.write(v['input'].encode()); p.stdin.close()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        err = p.stderr.read().decode(); p.stderr.close()
        if p.returncode != 0:
            sys.exit(f"{v['name']}: exit {p.returncode}: {err}")
        out[v['name']]['wall'].append(wall * 1000)
        out[v['name']]['cpu'].append((ru.ru_utime + ru.ru_stime) * 1000)
json.dump(out, sys.stdout)
`;
  const r = spawnSync(PYTHON, ['-c', code], {
    input: JSON.stringify({ runs, cwd: o.stateDir, env: { ...agentEnvironment(o), AGENT_COMFD: '2' }, variants }),
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Timings;
}

/** Median of the pairwise differences a[i] - b[i] (runs i took turns, so they share the machine's load). */
export const pairedShare = (a: number[], b: number[]): number =>
  quantile(
    a.map((x, i) => x - b[i]!),
    0.5,
  );

/**
 * Instructions a variant executes (valgrind's callgrind, user space): the same number on an idle
 * and on a busy machine, unlike any time. Hash seed fixed; waiting and Redis's own work are not
 * in it. null without valgrind.
 */
export function instructions(o: AgentOptions, v: Variant): number | null {
  const env: Record<string, string> = { ...agentEnvironment(o), AGENT_COMFD: '2', PYTHONHASHSEED: '0' };
  for (const [k, x] of Object.entries(v.env ?? {})) {
    if (x === null) delete env[k];
    else env[k] = x;
  }
  const r = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', ...v.argv], {
    input: v.input,
    env,
    cwd: o.stateDir,
    encoding: 'utf8',
  });
  if (r.error) return null;
  const n = /Collected : (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !n) throw new Error(`${v.name} under valgrind: exit ${r.status} ${r.stderr.slice(-500)}`);
  return Number(n[1]);
}

export interface EndToEnd {
  p50: number;
  p95: number;
  /** The agent's part: end to end minus the step alone, paired. */
  agent: number;
  /** Length of the output JSON. */
  bytes: number;
}

/**
 * Through the simulated agent, each run right after the step alone (spawned from here too), so
 * the agent's part is a paired difference as well.
 */
export async function endToEnd(o: AgentOptions, c: ActionCase, runs: number): Promise<EndToEnd> {
  const e2e: number[] = [];
  const step: number[] = [];
  let bytes = 0;
  const env = { ...agentEnvironment(o), AGENT_COMFD: '2' };
  for (let i = 0; i < runs; i++) {
    let start = performance.now();
    // Output to /dev/null, as in measure(): a large answer (get-trends of a large cluster) must not
    // outgrow spawnSync's buffer.
    const r = spawnSync(stepOf(c.action), [], {
      input: JSON.stringify(c.input),
      env,
      cwd: o.stateDir,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    step.push(performance.now() - start);
    if (r.status !== 0) throw new Error(`${c.action}: exit ${r.status} ${r.stderr}`);
    start = performance.now();
    const res = await runAction(c.action, c.input, o);
    e2e.push(performance.now() - start);
    // runAction validates the output against the action's validate-output.json: an output that
    // breaks its schema ends as aborted here.
    if (res.status !== 'completed') throw new Error(`${c.action}: ${res.status} ${res.error}`);
    bytes = JSON.stringify(res.output).length;
  }
  return { p50: quantile(e2e, 0.5), p95: quantile(e2e, 0.95), agent: pairedShare(e2e, step), bytes };
}
