// SPDX-License-Identifier: GPL-3.0-or-later
// The error catalogue (imageroot/pypkg/backup_monitor/errors.json) is the one place of codes and
// their words: every code the service, the repository check or the actions produce is in it,
// in English and Italian, and nobody else carries the words.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CATALOGUE, CODES, MonitorError, SERVICE_CODES, wordsFor } from '../src/errors.js';
import { STRINGS } from '../src/report/strings.js';
import { ApiError, type ApiErrorCode } from '../src/ns8/api-client.js';
import { classifyRepoCheck, type RawOutcome } from '../src/repocheck/classify.js';
import { SETTINGS } from '../src/settings.js';
import { IMAGEROOT, REPO_ROOT, SYSTEM_PATH } from './sim/agent-runner.js';

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? (f === '__pycache__' ? [] : files(p)) : [p];
  });
const CODE_RE =
  /['"]((?:SMTP|API|TASK|REPO|CHECK|ALERTMANAGER|REDIS|SERVICE)_[A-Z_]+|NO_RECIPIENTS|INVALID_INPUT|BAD_RESPONSE|UNAUTHORIZED|NOT_FOUND)['"]/g;
/** Names that look like codes but are not errors: settings' and NS8's variables, a run outcome. */
const NOT_ERRORS = new Set([...SETTINGS.map((s) => s.env), 'REDIS_ADDRESS', 'REDIS_REPLICA_ADDRESS', 'REPO_FAILURE']);
const codesIn = (file: string) => [...readFileSync(file, 'utf8').matchAll(CODE_RE)].map((m) => m[1]!);

describe('error catalogue', () => {
  test('every code has a kind and words in English and Italian; page texts keep their placeholders', () => {
    for (const [code, e] of Object.entries(CATALOGUE)) {
      assert.ok(e.kind === 'retryable' || e.kind === 'permanent', code);
      assert.ok(e.en && e.it && e.area, code);
      if (e.page) assert.deepEqual(e.page.it.match(/\{\w+\}/g), e.page.en.match(/\{\w+\}/g), code);
    }
  });

  test('every code in src/ and in the actions is in the catalogue', () => {
    const used = new Set(
      [...files(path.join(REPO_ROOT, 'src')), ...files(IMAGEROOT).filter((f) => !f.endsWith('.json'))]
        .flatMap(codesIn)
        .filter((c) => !NOT_ERRORS.has(c)),
    );
    assert.deepEqual([...used].filter((c) => !CATALOGUE[c]).sort(), []);
  });

  test('the service raises its codes with the catalogue words', () => {
    for (const c of SERVICE_CODES) assert.equal(new MonitorError(c).message, CODES[c].en);
    assert.equal(new MonitorError('SMTP_AUTH').retryable, false);
    assert.equal(new MonitorError('SMTP_TIMEOUT').retryable, true);
  });

  test('the report explains repository-check codes with the catalogue words', () => {
    assert.equal(STRINGS.it.destination.codes.API_TIMEOUT, CATALOGUE.API_TIMEOUT!.it);
    assert.equal(STRINGS.en.destination.codes.CHECK_SKIPPED_BUDGET, CATALOGUE.CHECK_SKIPPED_BUDGET!.en);
  });

  test('the actions read the same words', () => {
    const r = spawnSync(
      'python3',
      [
        '-c',
        'import json\nfrom backup_monitor.errors import CODES, words\nprint(json.dumps({c: [words(c), words(c, "it")] for c in CODES}))',
      ],
      { encoding: 'utf8', env: { PATH: SYSTEM_PATH, PYTHONPATH: path.join(IMAGEROOT, 'pypkg') } },
    );
    assert.equal(r.status, 0, r.stderr);
    const py = JSON.parse(r.stdout) as Record<string, [string, string]>;
    for (const c of Object.keys(CATALOGUE)) assert.deepEqual(py[c], [wordsFor(c, 'en'), wordsFor(c, 'it')], c);
  });

  test("the page's translations do not repeat the catalogue", () => {
    for (const lang of ['en', 'it']) {
      const t = JSON.parse(readFileSync(path.join(REPO_ROOT, 'ui/public/i18n', lang, 'translation.json'), 'utf8')) as {
        settings: Record<string, string>;
      };
      const repeated = Object.keys(t.settings).filter(
        (k) => k.startsWith('test_error_') && CATALOGUE[k.slice('test_error_'.length)],
      );
      assert.deepEqual(repeated, [], lang);
    }
  });
});

// Issue #20: whether a retry can help was written in three tables (the catalogue, the API client's
// set, the repository check's verdict table); the catalogue's `kind` is now the only one.
describe('retryability comes from the catalogue only', () => {
  const kindOf = (code: string) => CATALOGUE[code]?.kind === 'retryable';
  const API_CODES = Object.keys(CATALOGUE).filter((c) => c.startsWith('API_')) as ApiErrorCode[];

  test('every API client error', () => {
    for (const code of API_CODES) assert.equal(new ApiError(code, 'x').retryable, kindOf(code), code);
  });

  test('every repository check classification', () => {
    const base: RawOutcome = { exitCode: 1, stderr: '', output: null, timedOut: false, apiError: null, durationMs: 1 };
    const cases: RawOutcome[] = [
      ...API_CODES.map((apiError) => ({ ...base, apiError })),
      { ...base, timedOut: true },
      { ...base, exitCode: null },
      { ...base, exitCode: 8 },
      { ...base, exitCode: 10 },
      { ...base, exitCode: 0, output: 'not json' },
      { ...base, exitCode: 0, output: [] },
      ...[
        'repository is already locked',
        'wrong password or no key found',
        'AccessDenied',
        'context deadline exceeded',
        'connection refused',
        'repository does not exist',
        'ciphertext verification failed',
        'something else',
      ].map((stderr) => ({ ...base, stderr })),
    ];
    const seen = new Set<string>();
    for (const raw of cases) {
      const c = classifyRepoCheck(raw);
      seen.add(c.code);
      assert.ok(CATALOGUE[c.code], `${c.code} is in the catalogue`);
      assert.equal(c.retryable, kindOf(c.code), `${c.code} (${JSON.stringify(raw)})`);
    }
    assert.ok(seen.size >= 15, `the cases reach many codes: ${[...seen].join(' ')}`);
  });
});
