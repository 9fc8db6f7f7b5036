// SPDX-License-Identifier: GPL-3.0-or-later
// POST /test-notification: one sample report (or digest) through the real smarthost, and how
// the outcome maps to HTTP (400 no recipient, 502 the mail server said no, 200 sent).
import type { Config } from '../config.js';
import { classifySmtpError } from '../errors.js';
import { senderAddress, type Mailer } from '../notify/mailer.js';
import { dedupe } from '../notify/policy.js';
import type { Redis } from '../ns8/redis.js';
import { readSmarthost } from '../ns8/smarthost.js';
import { renderTestMail } from '../report/test-mail.js';
import type { WebhookDeps } from '../triggers/webhook.js';
import type { Links } from './links.js';

type RenderedMail = { subject: string; text: string; html: string };

export interface TestMailDeps {
  config: Readonly<Config>;
  reader: Redis;
  mailer: Mailer;
  links: Links;
  /** A sample digest, rendered from the current plans. */
  sampleDigest(): Promise<RenderedMail>;
}

export function testMailSender(deps: TestMailDeps): WebhookDeps['sendTestMail'] {
  const cfg = deps.config;
  return async (to, digest) => {
    // One mail per mailbox, by the rule of run reports and the digest (notify/policy.ts).
    const recipients = dedupe(to && to.length ? to : cfg.mail.to);
    try {
      const sh = await readSmarthost(deps.reader);
      const m = digest ? await deps.sampleDigest() : renderTestMail(cfg);
      const { messageId } = await deps.mailer.send(
        { from: senderAddress(cfg.mail.from, sh), to: recipients, ...m },
        sh,
      );
      deps.links.set('smtp', true, null);
      return { ok: true, status: 200, body: { ok: true, recipients, message_id: messageId } };
    } catch (err) {
      const e = classifySmtpError(err);
      deps.links.set('smtp', false, `${e.code}: ${e.message}`);
      return {
        ok: false,
        status: e.code === 'NO_RECIPIENTS' ? 400 : 502,
        body: { ok: false, code: e.code, error: e.message },
      };
    }
  };
}
