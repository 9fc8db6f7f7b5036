// SPDX-License-Identifier: GPL-3.0-or-later
// Every "NS8.md §N" cited in the repository resolves to a section (or numbered item) of
// docs/NS8.md, the summary of the NS8 facts the code relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './sim/agent-runner.js';

test('every NS8.md § reference exists in docs/NS8.md', () => {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/NS8.md'), 'utf8');
  const sections = new Set([...doc.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1]));
  // Numbered items of a section count too: "## 11." + "4. …" is §11.4.
  let current = '';
  for (const line of doc.split('\n')) {
    const h = /^## (\d+)\./.exec(line);
    if (h) current = h[1]!;
    const item = /^(\d+)\. /.exec(line);
    if (item && current) sections.add(`${current}.${item[1]}`);
  }
  const files = execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  const missing: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(path.join(REPO_ROOT, f), 'utf8');
    } catch {
      continue;
    }
    // "NS8.md §3, §8.3" cites two sections.
    for (const m of text.matchAll(/NS8\.md (§[\d.]+(?:[,;]? (?:and )?§[\d.]+)*)/g)) {
      for (const s of m[1]!.matchAll(/§(\d+(?:\.\d+)?)/g)) if (!sections.has(s[1]!)) missing.push(`${f}: §${s[1]}`);
    }
  }
  assert.deepEqual(missing, []);
});
