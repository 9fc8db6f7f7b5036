// SPDX-License-Identifier: GPL-3.0-or-later
// The pure part of the error lines: a Loki answer of any shape its size cap allows is read in
// bounded work (a journal entry of 128,000 lines, 10,000 entries of one module), and every usual
// shape of a secret is masked before a line reaches the mail and the stored report.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  attribute,
  LINE_CHARS,
  LINES_PER_ANSWER,
  LINES_PER_ENTRY,
  LINES_PER_MODULE,
  LokiFormatError,
  maskLine,
  meaningful,
  messageOf,
  nsWindow,
  parseQueryRange,
  QUERY_LIMIT,
  type LogEntry,
} from '../../src/loki/lines.js';

const entries = (messages: string[]): LogEntry[] => messages.map((message, i) => ({ ns: BigInt(i), message }));
const MODULES = new Set(['nextcloud1']);

describe('attribution is bounded', () => {
  it('one journal entry of 128,000 lines: only its last lines are read, the Fatal line is kept', () => {
    const flood = `${Array.from({ length: 128_000 }, (_, i) => `chunk ${i} failed`).join('\n')}\nFatal: the end`;
    const got = attribute(
      entries(['nextcloud1: starting backup 2 at now', flood, 'nextcloud1: backup 2 failed (exit code 1)']),
      2,
      MODULES,
    );
    assert.ok(got.linesRead <= LINES_PER_ENTRY + 2, `${got.linesRead} lines read`);
    assert.equal(got.truncated, true);
    const kept = got.modules.get('nextcloud1')!;
    assert.equal(kept.length, LINES_PER_MODULE);
    assert.deepEqual(kept.slice(-2), ['Fatal: the end', 'nextcloud1: backup 2 failed (exit code 1)']);
  });

  it('30,000 newlines in one entry (CRLF too): at most the per-entry lines are looked at', () => {
    const got = attribute(
      entries(['nextcloud1: starting backup 2 at now', `${'\r\n'.repeat(30_000)}error: last`]),
      2,
      MODULES,
    );
    assert.ok(got.linesRead <= LINES_PER_ENTRY + 1, `${got.linesRead} lines read`);
    assert.deepEqual(got.modules.get('nextcloud1'), ['error: last']);
  });

  it('many long entries: at most LINES_PER_ANSWER lines in all, the newest, and the older markers', () => {
    const entry = (i: number) => Array.from({ length: 50 }, (_, j) => `error: entry ${i} line ${j}`).join('\n');
    const many = Array.from({ length: QUERY_LIMIT - 2 }, (_, i) => entry(i));
    const all = entries(['nextcloud1: starting backup 2 at now', ...many, 'nextcloud1: backup 2 failed (exit code 1)']);
    const got = attribute(all, 2, MODULES);
    assert.ok(got.linesRead <= LINES_PER_ANSWER + all.length, `${got.linesRead} lines read`);
    assert.ok(got.linesRead < 50 * many.length, 'not every line');
    assert.equal(got.truncated, true);
    assert.deepEqual(got.modules.get('nextcloud1')!.slice(-2), [
      `error: entry ${many.length - 1} line 49`,
      'nextcloud1: backup 2 failed (exit code 1)',
    ]);
  });

  it('keeps at most LINES_PER_MODULE lines per module: the last meaningful ones', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => (i % 2 ? `error: ${i}` : `chatter ${i}`));
    const got = attribute(entries(['nextcloud1: starting backup 2 at now', ...lines]), 2, MODULES);
    assert.deepEqual(
      got.modules.get('nextcloud1'),
      lines.filter((l) => l.startsWith('error')).slice(-LINES_PER_MODULE),
    );
    assert.equal(got.truncated, false);
  });

  it('no meaningful line: the last lines', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `chatter ${i}`);
    const got = attribute(entries(['nextcloud1: starting backup 2 at now', ...lines]), 2, MODULES);
    assert.deepEqual(got.modules.get('nextcloud1'), lines.slice(-LINES_PER_MODULE));
  });
});

describe('parsing an answer is bounded', () => {
  it('a line of deeply nested JSON is kept as text, not parsed', () => {
    const deep = `{"MESSAGE":"hidden","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    assert.equal(messageOf(deep), deep);
    assert.equal(messageOf('{"MESSAGE":"shown","x":[[1]]}'), 'shown');
  });

  it('entry times are bounded by the window asked: far ahead, 1970, 10^30 or not a number are dropped', () => {
    const at = 1_786_237_200;
    const values = [
      [`${at + 10}000000000`, 'inside'],
      [`${at}000000000`, 'first second'],
      [`${at + 60}000000000`, 'last second'],
      [`${at + 60}000000001`, 'a nanosecond late'],
      [`${at - 1}999999999`, 'a nanosecond early'],
      ['9999999999999999999', 'year 2286'],
      ['1', '1970'],
      [`1${'0'.repeat(30)}`, '10^30'],
      ['1.5e18', 'not a count'],
      [' 1786237210000000000', 'padded'],
    ];
    const got = parseQueryRange(
      { status: 'success', data: { resultType: 'streams', result: [{ stream: {}, values }] } },
      nsWindow(at, at + 60),
    );
    assert.deepEqual(
      got.entries.map((e) => e.message),
      ['first second', 'inside', 'last second'],
    );
    assert.equal(got.outsideWindow, 4, 'the dated ones outside are counted (the service logs it)');
  });

  it('more entries than asked for is not a Loki answer', () => {
    const values = Array.from({ length: QUERY_LIMIT + 1 }, (_, i) => [`${i + 1}`, 'x']);
    assert.throws(
      () =>
        parseQueryRange(
          { status: 'success', data: { resultType: 'streams', result: [{ stream: {}, values }] } },
          nsWindow(0, 3600),
        ),
      LokiFormatError,
    );
  });
});

describe('a line made safe for the mail', () => {
  const masked = (line: string, secret: string, expected: string) => {
    const got = maskLine(line);
    assert.ok(!got.includes(secret), `${line} -> ${got}`);
    assert.equal(got, expected);
  };

  it('masks key=value and key: value in any letter case', () => {
    masked('Password: hunter2', 'hunter2', 'Password: <secret>');
    masked('PASSWORD=hunter2', 'hunter2', 'PASSWORD=<secret>');
    masked('SECRET_KEY=abc123', 'abc123', 'SECRET_KEY=<secret>');
    masked('secret_key: abc123', 'abc123', 'secret_key: <secret>');
    masked('private_key=abc123', 'abc123', 'private_key=<secret>');
    masked('passphrase=abc123 next', 'abc123', 'passphrase=<secret> next');
    masked('spring.datasource.password=abc123', 'abc123', 'spring.datasource.password=<secret>');
  });

  it('masks JSON members', () => {
    masked('{"password": "p w \\" q", "user": "u"}', 'p w', '{"password": <secret>, "user": "u"}');
    masked("{'api_key': 'k3y'}", 'k3y', "{'api_key': <secret>}");
    masked('{"password": "never closed', 'never', '{"password": <secret>');
  });

  it('masks headers and their values after a scheme', () => {
    masked('X-Api-Key: k3y-v4lue', 'k3y-v4lue', 'X-Api-Key: <secret>');
    masked('Cookie: session=abc123; theme=dark', 'abc123', 'Cookie: <secret>');
    masked('authorization=Bearer eyJhbGciOi.x', 'eyJhbGciOi', 'authorization=Bearer <secret>');
    masked('Authorization: Basic bG9raTpw', 'bG9raTpw', 'Authorization: Basic <secret>');
  });

  it('masks command-line passwords', () => {
    masked('mysqldump --password s3cr3t db', 's3cr3t', 'mysqldump --password <secret> db');
    masked('mysqldump --password=s3cr3t db', 's3cr3t', 'mysqldump --password=<secret> db');
    masked('mysql -uroot -ps3cr3t db', 's3cr3t', 'mysql -uroot -p<secret> db');
    assert.equal(maskLine('mkdir -p /srv/x'), 'mkdir -p /srv/x');
  });

  it('masks user:password@host without a scheme, and with one', () => {
    masked('rsync to backup:s3cr3t@nas.example.org failed', 's3cr3t', 'rsync to <secret>@nas.example.org failed');
    masked('at s3:https://AKIA1:topsecret@s3.example.com/b', 'topsecret', 'at s3:https://<secret>@s3.example.com/b');
    assert.equal(maskLine('mail to admin@example.org at 03:00'), 'mail to admin@example.org at 03:00');
  });

  it("masks the caller's secrets wherever they appear", () => {
    assert.equal(maskLine('the value 7h1s-1s-s3cr37 leaked', ['7h1s-1s-s3cr37']), 'the value <secret> leaked');
    assert.deepEqual(meaningful(['error: 7h1s-1s-s3cr37 refused'], ['7h1s-1s-s3cr37']), ['error: <secret> refused']);
  });

  it('a very long line is cut before masking, without showing half a secret', () => {
    const url = `s3:https://AKIA:${'k'.repeat(5000)}@s3.example.com/b`;
    const [line] = meaningful([`error: ${'x '.repeat(100)}${url}`]);
    assert.ok(!line!.includes('kkk'), line);
    assert.ok([...line!].length <= LINE_CHARS);
  });
});
