// SPDX-License-Identifier: GPL-3.0-or-later
// Every code a channel can return is in the one catalogue (imageroot/pypkg/backup_monitor/
// errors.json), with the kind the transport says and words in English and Italian: the page and
// the actions show a failing channel in the admin's words, never a bare `HTTP_401` (issue #22).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CHANNEL_CODES, classifyHttpAnswer } from '../../src/channels/http-answer.js';
import { CATALOGUE } from '../../src/errors.js';
import { REPO_ROOT } from '../sim/agent-runner.js';

const CHANNELS_DIR = path.join(REPO_ROOT, 'src', 'channels');

/** The code literals the channels' sources return (`code: 'X'`, `refused('X'`). */
function codesInSources(): string[] {
  const files = readdirSync(CHANNELS_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const found = new Set<string>();
  for (const f of files) {
    const text = readFileSync(path.join(CHANNELS_DIR, f), 'utf8');
    for (const m of text.matchAll(/(?:code: |refused\()'([A-Z0-9_]+)'/g)) found.add(m[1]!);
    assert.doesNotMatch(text, /code: `/, `${f}: a code built at run time cannot be checked`);
  }
  found.delete('OK');
  return [...found].sort();
}

describe('channel error codes', () => {
  it('every code in the channels sources is a channel code of the catalogue', () => {
    const codes = codesInSources();
    assert.ok(codes.length >= 5, `found ${codes.join(',')}`);
    for (const code of codes) assert.ok((CHANNEL_CODES as readonly string[]).includes(code), code);
  });

  it('every channel code is in the catalogue with its kind and en/it words', () => {
    for (const code of CHANNEL_CODES) {
      const e = CATALOGUE[code];
      assert.ok(e, `${code} is not in errors.json`);
      assert.equal(e.area, 'channel', code);
      assert.ok(e.en && e.it && e.en !== e.it, code);
      assert.ok(e.kind === 'retryable' || e.kind === 'permanent', code);
    }
  });

  it('every HTTP status maps to a catalogue code whose kind is what the transport does', () => {
    for (let status = 100; status < 600; status++) {
      const r = classifyHttpAnswer(status, { nowMs: 0 });
      if (status >= 200 && status < 300) {
        assert.equal(r.code, 'OK');
        continue;
      }
      const e = CATALOGUE[r.code];
      assert.ok(e, `${status} -> ${r.code}: not in the catalogue`);
      assert.equal(e.kind === 'retryable', r.retryable, `${status} -> ${r.code}`);
    }
  });

  it('the statuses a channel documents get their own code', () => {
    const code = (s: number) => classifyHttpAnswer(s, { nowMs: 0 }).code;
    assert.deepEqual([401, 403, 404, 413, 429, 503, 400, 408].map(code), [
      'CHANNEL_CREDENTIALS',
      'CHANNEL_CREDENTIALS',
      'CHANNEL_NOT_FOUND',
      'CHANNEL_TOO_LARGE',
      'CHANNEL_BUSY',
      'CHANNEL_UNAVAILABLE',
      'CHANNEL_REFUSED',
      'CHANNEL_TIMEOUT',
    ]);
  });
});
