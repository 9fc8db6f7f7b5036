// SPDX-License-Identifier: GPL-3.0-or-later
// POST /test-notification's recipients follow the one mailbox rule of run reports and the digest
// (notify/policy.ts dedupe): a mailbox typed twice, in another case or with spaces, gets one mail.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import type { OutgoingMail } from '../../src/notify/mailer.js';
import type { Redis } from '../../src/ns8/redis.js';
import { testMailSender } from '../../src/service/test-mail.js';
import type { Links } from '../../src/service/links.js';

/** The cluster smarthost as NS8 stores it, enabled. */
const reader = {
  hGetAll: async () => ({
    enabled: '1',
    host: '127.0.0.1',
    port: '25',
    username: '',
    password: '',
    encrypt_smtp: 'none',
    tls_verify: '0',
  }),
} as unknown as Redis;
const links: Links = { set: () => undefined, get: () => undefined, known: () => ({}) };

async function sentTo(mailTo: string, asked?: string[]) {
  const sent: OutgoingMail[] = [];
  const send = testMailSender({
    config: loadConfig({ MAIL_TO: mailTo }),
    reader,
    mailer: {
      send: async (m) => {
        sent.push(m);
        return { messageId: '<1@test>' };
      },
    },
    links,
    sampleDigest: async () => ({ subject: 's', text: 't', html: 'h' }),
  });
  const res = await send(asked, false);
  return { envelope: sent[0]?.to, answered: (res.body as { recipients?: string[] }).recipients };
}

describe('test mail recipients', () => {
  it('addresses given in the request: each mailbox once, first spelling kept', async () => {
    const r = await sentTo('', ['Ops@Example.org', ' ops@example.org ', 'admin@example.org', 'ADMIN@example.org']);
    assert.deepEqual(r.envelope, ['Ops@Example.org', 'admin@example.org']);
    assert.deepEqual(r.answered, r.envelope, 'the answer names who was mailed');
  });

  it('MAIL_TO of an older configure-module that listed a mailbox in two cases: one mail', async () => {
    const r = await sentTo('Ops@Example.org,ops@example.org');
    assert.deepEqual(r.envelope, ['Ops@Example.org']);
  });
});
