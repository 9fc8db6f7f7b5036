// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';

const problemsOf = (env: Record<string, string>, file?: string) => {
  try {
    loadConfig(env, file);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.problems;
  }
  assert.fail('expected a ConfigError');
};
const yamlFile = (text: string) => {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'cfg-')), 'config.yml');
  writeFileSync(f, text);
  return f;
};

describe('config', () => {
  it('starts on defaults with no input at all', () => {
    const c = loadConfig({});
    assert.equal(c.receiver.host, '127.0.0.1');
    assert.equal(c.correlator.waitSeconds, 30);
    assert.equal(c.mail.subjectPrefix, '[NS8 Backup]');
    assert.equal(c.mail.language, 'en');
    assert.deepEqual(c.mail.to, []);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.mail) && Object.isFrozen(c.mail.to));
  });

  it('environment overrides the file, which overrides defaults', () => {
    const f = yamlFile(
      'mail:\n  to: [a@example.org, b@example.org]\n  subject_prefix: "[Backup]"\ncorrelator:\n  wait_seconds: 10\n',
    );
    const c = loadConfig({ WAIT_SECONDS: '20' }, f);
    assert.deepEqual(c.mail.to, ['a@example.org', 'b@example.org']);
    assert.equal(c.mail.subjectPrefix, '[Backup]');
    assert.equal(c.correlator.waitSeconds, 20);
  });

  it('accepts every key of the seed tool config.yml', () => {
    const f = yamlFile(
      `mail:\n  from: backup@ns02.example.com\n  to:\n    - admin@example.com\n  subject_prefix: "[NS8 Backup]"\nreceiver:\n  host: 127.0.0.1\n  port: 9099\ncorrelator:\n  wait_seconds: 30\n  recent_window: 3600\nredis:\n  socket: /var/lib/nethserver/cluster/state/redis.sock\nrepo_check:\n  enabled: true\n  timeout: 60\nlogging:\n  level: INFO\n  file: ""\n`,
    );
    const c = loadConfig({}, f);
    assert.equal(c.redis.socket, '/var/lib/nethserver/cluster/state/redis.sock');
    assert.equal(c.logging.level, 'info');
    assert.equal(c.receiver.port, 9099);
  });

  const cases: [string, Record<string, string>, string][] = [
    [
      'WAIT_SECONDS not a number',
      { WAIT_SECONDS: 'soon' },
      'WAIT_SECONDS: must be a whole number from 0 to 3600, got "soon"',
    ],
    ['TCP_PORT out of range', { TCP_PORT: '70000' }, 'TCP_PORT: must be a whole number from 0 to 65535, got "70000"'],
    ['MAIL_LANGUAGE unknown', { MAIL_LANGUAGE: 'de' }, 'MAIL_LANGUAGE: must be one of en, it, got "de"'],
    [
      'NOTIFY_POLICY unknown',
      { NOTIFY_POLICY: 'sometimes' },
      'NOTIFY_POLICY: must be one of always, problems, digest, off, got "sometimes"',
    ],
    [
      'PLAN_POLICIES with an unknown policy and a bad address',
      { PLAN_POLICIES: '2:loud,3:off:x@' },
      'PLAN_POLICIES: plan 2: unknown policy "loud"; plan 3: invalid email "x@"',
    ],
    [
      'DIGEST_TIME not HH:MM',
      { DIGEST_TIME: '8:00' },
      'DIGEST_TIME: must be a time as HH:MM from 00:00 to 23:59, got "8:00"',
    ],
    [
      'MAIL_TO with a bad address',
      { MAIL_TO: 'a@example.org,not-an-address' },
      'MAIL_TO: must be a list of email addresses, "not-an-address" is not one',
    ],
    ['MAIL_FROM bad', { MAIL_FROM: 'x@' }, 'MAIL_FROM: must be an email address, got "x@"'],
    [
      'subject prefix with a newline',
      { MAIL_SUBJECT_PREFIX: 'a\nBcc: x@y.z' },
      'MAIL_SUBJECT_PREFIX: must be a single line of at most 80 characters',
    ],
    ['LOG_LEVEL unknown', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL: must be one of debug, info, warning, error, got "loud"'],
    ['TZ unknown', { TZ: 'Mars/Olympus' }, 'TZ: must be an IANA time zone such as Europe/Rome, got "Mars/Olympus"'],
    [
      'ALERTMANAGER_URL not a URL',
      { ALERTMANAGER_URL: 'localhost:9093' },
      'ALERTMANAGER_URL: must be an http(s):// or redis:// URL, got "localhost:9093"',
    ],
    [
      'MODULE_ID malformed',
      { MODULE_ID: 'Backup Monitor' },
      'MODULE_ID: must be an NS8 module id such as backup-monitor1, got "Backup Monitor"',
    ],
  ];
  for (const [name, env, message] of cases) {
    it(`rejects ${name}, naming the key`, () => assert.deepEqual(problemsOf(env), [message]));
  }

  it('lists every problem at once', () => {
    assert.equal(problemsOf({ WAIT_SECONDS: '-1', MAIL_LANGUAGE: 'fr', REPO_CHECK_TIMEOUT_SECONDS: '1' }).length, 3);
  });

  it('names unknown keys of the YAML file with the known ones', () => {
    assert.deepEqual(problemsOf({}, yamlFile('mail:\n  too: [a@example.org]\n')), [
      'mail.too: unknown key (known keys: mail.from, mail.to, mail.subject_prefix, mail.language, mail.notify_policy, mail.plan_policies)',
    ]);
  });

  it('reports a YAML syntax error with the file name', () => {
    const f = yamlFile('mail: [unclosed\n');
    assert.match(problemsOf({}, f)[0]!, new RegExp(`^--config ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  });

  it('reads secrets from *_FILE and never prints them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    writeFileSync(path.join(dir, 'pw'), 'hunter2-redis\n');
    const c = loadConfig({
      REDIS_PASSWORD_FILE: path.join(dir, 'pw'),
      REDIS_USER: 'module/backup-monitor1',
      RECEIVER_TOKEN: 'tok-hunter3',
    });
    assert.equal(c.redis.password!.reveal(), 'hunter2-redis');
    const dumped = JSON.stringify(c) + inspect(c, { depth: 10 }) + String(c.redis.password) + `${c.receiver.token}`;
    assert.ok(!dumped.includes('hunter2') && !dumped.includes('hunter3'));
    const lines: string[] = [];
    const log = createLogger('debug', {}, (l) => lines.push(l), [c.redis.password!]);
    log.info('connecting', {
      password: c.redis.password!,
      url: 'redis://module%2Fbackup-monitor1:hunter2-redis@127.0.0.1:6379',
    });
    log.error('raw value leaked by a library: hunter2-redis');
    assert.ok(
      lines.every((l) => !l.includes('hunter2')),
      lines.join('\n'),
    );
  });
});
