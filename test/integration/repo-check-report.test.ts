// SPDX-License-Identifier: GPL-3.0-or-later
// A failed run, end to end through the NS8 way of checking repositories: the service asks the
// simulated API server, whose cluster agent runs real restic against `rclone serve restic`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { startHarness, repoPathOf, type Harness } from '../repocheck/harness.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { startTestService } from '../helpers/service.js';
import { replayRun } from '../sim/cluster.js';
import { makeRepository, GATEWAY_USER, GATEWAY_PASSWORD } from '../sim/restic-server.js';

let h: Harness;
let smtp: SmtpSink;

before(async () => {
  h = await startHarness();
  smtp = await startSmtpSink();
  const admin = createClient({ url: h.redis.adminUrl });
  await admin.connect();
  let dest: string;
  let password: string;
  try {
    await admin.hSet('cluster/smarthost', {
      host: '127.0.0.1',
      port: String(smtp.port),
      enabled: '1',
      encrypt_smtp: 'none',
      tls_verify: '0',
      username: '',
      password: '',
    });
    dest = (await admin.hGet('cluster/backup/2', 'repository'))!;
    password = (await admin.hGet('private/agents/backup_destination/restic_password', dest))!;
  } finally {
    await admin.close();
  }
  // samba1's repository exists with an old snapshot; nextcloud1's was never initialised.
  await makeRepository(
    h.restic.repoUrl(dest, repoPathOf('samba1'), { user: GATEWAY_USER, password: GATEWAY_PASSWORD }),
    password,
    { time: new Date(Date.now() - 7 * 86400_000) },
  );
});
// Whatever failed before: a server left running keeps the test process, and `npm test`, from ending.
after(async () => {
  try {
    await smtp?.stop();
  } finally {
    await h?.stop();
  }
});

describe('report with a destination check', () => {
  it('says the failed module has no repository, and the comparison module is readable', async () => {
    const { service } = await startTestService(h.redis, {
      REPO_CHECK_ENABLED: '1',
      API_SERVER_URL: h.api.url,
      REPO_CHECK_CACHE_SECONDS: '0',
      // This test is about the check after a failure; confirming every success (issue #23) is tested in test/repocheck/.
      DESTINATION_VERIFY: 'failures',
    });
    try {
      await replayRun(h.redis, 2, { nextcloud1: { errors: 1 } });
      const [mail] = await smtp.waitFor(1, 30_000);
      assert.match(mail!.subject!, /^⚠️ Partly failed: Weekly SMB /);
      const text = mail!.text!;
      if (process.env.SHOW_MAIL) console.log(text);
      assert.match(text, /Cloud \(nextcloud1\)[^\n]*(missing|not initiali[sz]ed|no repository)/i, text);
      assert.match(text, /Domain controller \(samba1\)[^\n]*(healthy|readable|snapshot)/i, text);
      assert.ok(
        !text.includes(GATEWAY_PASSWORD) && !String(mail!.html).includes(GATEWAY_PASSWORD),
        'no gateway secret in the mail',
      );
      assert.match(String(mail!.html), /<details>/);
    } finally {
      await service.stop();
    }
  });

  // Issue #10 item 12: the destination section had no test in Italian.
  it('in Italian: the destination section speaks Italian too', async () => {
    smtp.messages.length = 0;
    const { service } = await startTestService(h.redis, {
      REPO_CHECK_ENABLED: '1',
      API_SERVER_URL: h.api.url,
      REPO_CHECK_CACHE_SECONDS: '0',
      // This test is about the check after a failure; confirming every success (issue #23) is tested in test/repocheck/.
      DESTINATION_VERIFY: 'failures',
      MAIL_LANGUAGE: 'it',
    });
    try {
      await replayRun(h.redis, 2, { nextcloud1: { errors: 1 } });
      const [mail] = await smtp.waitFor(1, 30_000);
      const text = mail!.text!;
      assert.match(mail!.subject!, /^⚠️ Parziale: Weekly SMB /);
      assert.match(text, /Cloud \(nextcloud1\)[^\n]*il repository non esiste o non è inizializzato/, text);
      assert.match(text, /Domain controller \(samba1\)[^\n]*snapshot elencati/, text);
      assert.doesNotMatch(
        text,
        /snapshots listed|does not exist or is not initialised/,
        'no English left in the section',
      );
    } finally {
      await service.stop();
    }
  });
});
