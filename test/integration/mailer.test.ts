// SPDX-License-Identifier: GPL-3.0-or-later
// The nodemailer edge against a real SMTP server: every smarthost setting and failure mode comes
// back as a stable code, retryable or not.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { createMailer } from '../../src/notify/mailer.js';
import { MonitorError } from '../../src/errors.js';
import { parseSmarthost, type Smarthost } from '../../src/ns8/smarthost.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { freePort } from '../helpers/ports.js';

const mail = {
  from: 'backup@example.org',
  to: ['admin@example.org'],
  subject: 'Test',
  text: 'hello',
  html: '<p>hello</p>',
};
const sh = (over: Record<string, string>): Smarthost =>
  parseSmarthost({
    host: '127.0.0.1',
    port: '25',
    username: '',
    password: '',
    enabled: '1',
    encrypt_smtp: 'none',
    tls_verify: '0',
    ...over,
  });
const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof MonitorError, String(e));
    return [e.code, e.retryable] as const;
  }
  assert.fail('expected a failure');
};

let authSink: SmtpSink;
let plainSink: SmtpSink;
let tlsServer: SMTPServer;
let tlsPort = 0;
const tlsReceived: string[] = [];

before(async () => {
  authSink = await startSmtpSink({ username: 'ns8@example.org', password: 's3cr3t' });
  plainSink = await startSmtpSink();
  const dir = mkdtempSync(path.join(tmpdir(), 'smtp-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=smtp.example.org',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  tlsServer = new SMTPServer({
    secure: true,
    key: readFileSync(path.join(dir, 'key.pem')),
    cert: readFileSync(path.join(dir, 'cert.pem')),
    authOptional: true,
    logger: false,
    onData(stream, _s, cb) {
      let b = '';
      stream.on('data', (c: Buffer) => {
        b += c;
      });
      stream.on('end', () => {
        tlsReceived.push(b);
        cb();
      });
    },
  });
  tlsServer.on('error', () => undefined); // the refused handshake closes the socket under it
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', () => r()));
  tlsPort = (tlsServer.server.address() as AddressInfo).port;
});
after(async () => {
  await authSink.stop();
  await plainSink.stop();
  await new Promise<void>((r) => tlsServer.close(() => r()));
});

describe('mailer', () => {
  const mailer = createMailer();

  it('sends with username and password', async () => {
    await mailer.send(mail, sh({ port: String(authSink.port), username: 'ns8@example.org', password: 's3cr3t' }));
    const [m] = await authSink.waitFor(1);
    assert.equal(m!.subject, 'Test');
  });
  it('a wrong password is SMTP_AUTH, not retried', async () => {
    assert.deepEqual(
      await codeOf(
        mailer.send(mail, sh({ port: String(authSink.port), username: 'ns8@example.org', password: 'nope' })),
      ),
      ['SMTP_AUTH', false],
    );
  });
  it('nobody listening is SMTP_CONNECTION, retried', async () => {
    assert.deepEqual(await codeOf(mailer.send(mail, sh({ port: String(await freePort()) }))), [
      'SMTP_CONNECTION',
      true,
    ]);
  });
  it('a 451 reply is SMTP_TEMPORARY, retried', async () => {
    plainSink.refuse = true;
    try {
      assert.deepEqual(await codeOf(mailer.send(mail, sh({ port: String(plainSink.port) }))), ['SMTP_TEMPORARY', true]);
    } finally {
      plainSink.refuse = false;
    }
  });
  it('a disabled or empty smarthost sends nothing', async () => {
    assert.deepEqual(await codeOf(mailer.send(mail, sh({ port: String(plainSink.port), enabled: '0' }))), [
      'SMTP_DISABLED',
      true,
    ]);
    assert.deepEqual(await codeOf(mailer.send(mail, sh({ host: '' }))), ['SMTP_NOT_CONFIGURED', true]);
    assert.deepEqual(await codeOf(mailer.send({ ...mail, to: [] }, sh({ port: String(plainSink.port) }))), [
      'NO_RECIPIENTS',
      false,
    ]);
  });
  it('implicit TLS: accepted without verification, refused with it (self-signed)', async () => {
    await mailer.send(mail, sh({ port: String(tlsPort), encrypt_smtp: 'tls', tls_verify: '0' }));
    assert.equal(tlsReceived.length, 1);
    assert.deepEqual(
      await codeOf(mailer.send(mail, sh({ port: String(tlsPort), encrypt_smtp: 'tls', tls_verify: '1' }))),
      ['SMTP_TLS', false],
    );
  });
  it('STARTTLS required but not offered fails instead of sending in clear', async () => {
    const [code] = await codeOf(mailer.send(mail, sh({ port: String(plainSink.port), encrypt_smtp: 'starttls' })));
    assert.ok(code === 'SMTP_TLS' || code === 'SMTP_REJECTED', code);
    assert.equal(plainSink.messages.length, 0);
  });

  // Issue #10 item 10: the error text travels to the log, /healthz, module/<id>/health and the stored report.
  it('a 535 reply that repeats the password: the error never carries it, plain or base64', async () => {
    const echo = await startSmtpSink({ username: 'ns8@example.org', password: 'right', echoPassword: true });
    try {
      const secret = 'Wr0ng-Pa55-1234';
      let message = '';
      try {
        await mailer.send(mail, sh({ port: String(echo.port), username: 'ns8@example.org', password: secret }));
      } catch (e) {
        assert.ok(e instanceof MonitorError);
        assert.equal(e.code, 'SMTP_AUTH');
        message = `${e.message} ${JSON.stringify(e)} ${String((e as Error).cause ?? '')}`;
      }
      assert.match(message, /Invalid login ns8@example\.org/, 'the reply is still shown');
      for (const form of [
        secret,
        Buffer.from(secret).toString('base64'),
        Buffer.from(`\0ns8@example.org\0${secret}`).toString('base64'),
      ]) {
        assert.ok(!message.includes(form), `${form} in: ${message}`);
      }
    } finally {
      await echo.stop();
    }
  });

  // Issue #10 item 7: receivers deduplicate by Message-ID; a retry must not mint a new one.
  it('the Message-ID given is the one sent, on every attempt', async () => {
    plainSink.messages.length = 0;
    plainSink.keepButFail = 1;
    const id = '<20261127T080000-abcdef12@example.org>';
    const [code, retryable] = await codeOf(
      mailer.send({ ...mail, messageId: id }, sh({ port: String(plainSink.port) })),
    );
    assert.deepEqual([code, retryable], ['SMTP_TEMPORARY', true]);
    const { messageId } = await mailer.send({ ...mail, messageId: id }, sh({ port: String(plainSink.port) }));
    assert.equal(messageId, id);
    assert.deepEqual(
      plainSink.messages.map((m) => m.messageId),
      [id, id],
    );
  });
});
