// SPDX-License-Identifier: GPL-3.0-or-later
// Prints the unit tests, one path a line, for `npm run test:unit`: every test/**/*.test.ts that
// starts nothing — no child process, socket, browser or Redis connection, in the test file or in
// any test/ helper it imports. Tests mirror src/, so one folder holds a pure table and a test
// against real servers side by side: the selection follows what a file imports, not where it
// lives, and a new test lands on the right side by itself. src/ is what the tests exercise, not
// what they start, and is not followed.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TEST = fileURLToPath(new URL('../test/', import.meta.url));

/** Modules that start or reach something outside the process. */
const STARTS = new Set(['child_process', 'http', 'https', 'http2', 'net', 'dgram', 'tls', 'worker_threads']);
const STARTS_PACKAGES = [/^redis$/, /^@redis\//, /^playwright/, /^smtp-server$/, /^express$/];

/** Runtime module specifiers of a file (type-only imports start nothing and are skipped). */
function specifiers(text) {
  const out = [];
  for (const m of text.matchAll(/^[ \t]*(?:import|export)(?![ \t]+type\b)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm))
    out.push(m[1]);
  for (const m of text.matchAll(/^[ \t]*import\s*['"]([^'"]+)['"]/gm)) out.push(m[1]);
  for (const m of text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

const startsSomething = (spec) => STARTS.has(spec.replace(/^node:/, '')) || STARTS_PACKAGES.some((p) => p.test(spec));

/** Whether `file` (absolute) or a test/ file it imports starts something; `seen` breaks cycles. */
function starts(file, seen = new Set()) {
  if (seen.has(file)) return false;
  seen.add(file);
  for (const spec of specifiers(readFileSync(file, 'utf8'))) {
    if (startsSomething(spec)) return true;
    if (!spec.startsWith('.')) continue;
    const dep = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
    if (dep.startsWith(TEST) && starts(dep, seen)) return true;
  }
  return false;
}

const tests = readdirSync(TEST, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => path.join(TEST, f))
  .sort();
for (const t of tests) if (!starts(t)) console.log(path.relative(process.cwd(), t));
