// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #25: zero-width and bidi-control characters in names made look-alike plan names and
// reversed /metrics labels. One list removes them, in TypeScript (mails, labels) and in Python
// (the actions' answers, get-trends): both must remove exactly the same code points.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripInvisible } from '../../src/domain/names.js';

const PYPKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../imageroot/pypkg');

/** Every Unicode scalar value (no surrogates: they cannot travel as UTF-8). */
function everyCodePoint(): string {
  const parts: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) if (cp < 0xd800 || cp > 0xdfff) parts.push(String.fromCodePoint(cp));
  return parts.join('');
}

function pythonStrip(text: string): string {
  const r = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      'import sys\nfrom backup_monitor.names import strip_invisible\n' +
        "sys.stdout.buffer.write(strip_invisible(sys.stdin.buffer.read().decode('utf-8')).encode('utf-8'))",
    ],
    { input: Buffer.from(text, 'utf8'), env: { PYTHONPATH: PYPKG }, maxBuffer: 64 << 20 },
  );
  assert.equal(r.status, 0, String(r.stderr));
  return r.stdout.toString('utf8');
}

const removed = (all: string, kept: string): number[] => {
  const left = new Set([...kept].map((c) => c.codePointAt(0)!));
  return [...all].map((c) => c.codePointAt(0)!).filter((cp) => !left.has(cp));
};

describe('invisible characters in names', () => {
  it('TypeScript and Python remove exactly the same code points, out of all of Unicode', () => {
    const all = everyCodePoint();
    const ts = removed(all, stripInvisible(all));
    const py = removed(all, pythonStrip(all));
    assert.deepEqual(py, ts);
    assert.ok(ts.length > 100 && ts.length < 300, `${ts.length} code points removed`);
  });

  it('the zero-width, direction and byte-order characters of the issue are among them', () => {
    const listed = [
      ...[0x200b, 0x200c, 0x200d, 0x200e, 0x200f],
      ...[0x202a, 0x202b, 0x202c, 0x202d, 0x202e],
      ...[0x2066, 0x2067, 0x2068, 0x2069],
      0xfeff,
      0x2060,
      0x061c,
    ].map((cp) => String.fromCodePoint(cp));
    for (const c of listed) assert.equal(stripInvisible(`Back${c}up`), 'Backup', `U+${c.codePointAt(0)!.toString(16)}`);
    assert.equal(pythonStrip(`Back${listed.join('')}up`), 'Backup');
  });

  it('visible text of every script, emoji and their variation selectors stay', () => {
    const visible = 'Backup ünïcödé 備份 גיבוי نسخ Резерв 🏳️‍🌈 ❤️ a b';
    assert.equal(stripInvisible(visible), visible.replace('\u200d', ''));
  });
});
