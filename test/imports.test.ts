// SPDX-License-Identifier: GPL-3.0-or-later
// The shape of src/ (docs/ARCHITECTURE.md, issue #11): `domain/` is the shared vocabulary, so it
// imports only itself (and node: built-ins), never a stage; and no module of src/ depends on
// itself through others (type-only imports count: they are knowledge living in the wrong place).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(import.meta.dirname, '../src');

/** Every module specifier a TypeScript file names: static imports and re-exports (also multi-line), side-effect and dynamic imports. */
export function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/^[ \t]*import\s*['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

/** src-relative paths of the .ts files under `dir`. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

/** file -> the src files it imports (relative specifiers only, `.js` resolved to `.ts`). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(SRC)) {
    const text = readFileSync(path.join(SRC, file), 'utf8');
    const deps = specifiers(text)
      .filter((s) => s.startsWith('.'))
      .map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)).replace(/\.js$/, '.ts'));
    graph.set(file, [...new Set(deps)]);
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('import rules of src/', () => {
  it('finds every kind of import (the checks below rely on it)', () => {
    const text = [
      "import type { A } from '../triggers/types.js';",
      'import {',
      '  b,',
      '  type C,',
      "} from './run.js';",
      "export { d } from '../repocheck/types.js';",
      "export type * from './e.js';",
      "import './side-effect.js';",
      "const f = await import('../g.js');",
      "// import nothing from '../comment.js' (a comment: 'from' follows text, not a statement)",
    ].join('\n');
    assert.deepEqual(specifiers(text).sort(), [
      '../g.js',
      '../repocheck/types.js',
      '../triggers/types.js',
      './e.js',
      './run.js',
      './side-effect.js',
    ]);
  });

  it('finds a cycle, also a long one, and none in a tree', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts', 'd.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    assert.deepEqual(cycles(g), [['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
    assert.deepEqual(
      cycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', []],
        ]),
      ),
      [],
    );
  });

  it('domain/ imports only domain/ and node built-ins, never a stage', () => {
    const bad: string[] = [];
    const files = tsFiles(path.join(SRC, 'domain'));
    assert.ok(files.length >= 5, `domain files: ${files.join(', ')}`);
    for (const file of files) {
      const text = readFileSync(path.join(SRC, 'domain', file), 'utf8');
      for (const s of specifiers(text))
        if (!(s.startsWith('./') || s.startsWith('node:'))) bad.push(`src/domain/${file} imports ${s}`);
    }
    assert.deepEqual(bad, []);
  });

  // Issue #20: the folder-level import knot. Each rule: which files, and which imports they may have.
  const SETTINGS_LAYER = ['config.ts', 'settings.ts', 'errors.ts', 'log.ts', 'plan-policies.ts'];
  /** Top-level helpers that import nothing of src/ but domain/ (the first rule). */
  const LEAVES = ['secret.ts', 'shared.ts', 'yaml.ts'];
  const TRIGGERS = 'triggers/';
  const FOLDER_RULES: { name: string; files: (f: string) => boolean; ok: (to: string) => boolean }[] = [
    {
      name: 'the leaf helpers import only domain/',
      files: (f) => LEAVES.includes(f),
      ok: (to) => to.startsWith('domain/'),
    },
    {
      name: 'config, settings, errors, log import only domain/ and the leaf helpers',
      files: (f) => SETTINGS_LAYER.includes(f),
      ok: (to) => to.startsWith('domain/') || SETTINGS_LAYER.includes(to) || LEAVES.includes(to),
    },
    {
      name: 'report/ imports no stage',
      files: (f) => f.startsWith('report/'),
      ok: (to) =>
        to.startsWith('report/') || to.startsWith('domain/') || SETTINGS_LAYER.includes(to) || LEAVES.includes(to),
    },
    {
      name: 'metrics/ and pipeline.ts import no trigger',
      files: (f) => f.startsWith('metrics/') || f === 'pipeline.ts',
      ok: (to) => !to.startsWith(TRIGGERS),
    },
  ];

  for (const rule of FOLDER_RULES)
    it(rule.name, () => {
      const bad: string[] = [];
      let checked = 0;
      for (const [file, deps] of importGraph()) {
        if (!rule.files(file)) continue;
        checked++;
        for (const d of deps) if (!rule.ok(d)) bad.push(`src/${file} imports src/${d}`);
      }
      assert.ok(checked > 0, 'the rule applies to some file');
      assert.deepEqual(bad, []);
    });

  it('no import cycle in src/', () => {
    const graph = importGraph();
    assert.ok(graph.size > 50, `files read: ${graph.size}`);
    assert.ok(
      [...graph.values()].some((deps) => deps.length > 0),
      'some file has imports',
    );
    for (const [file, deps] of graph)
      for (const d of deps) assert.ok(graph.has(d), `${file} imports ${d}, which is not a file of src/`);
    assert.deepEqual(cycles(graph), []);
  });
});
