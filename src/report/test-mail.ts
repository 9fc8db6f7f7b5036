// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the message of the send-test-notification action, in the same layout as the reports.
import type { Config } from '../config.js';
import { clean, headerSafe } from './format.js';
import { banner, footer, page, paragraph, rich } from './layout.js';
import { STRINGS } from './strings.js';

const TEXT = {
  en: {
    subject: 'Test message from the backup monitor',
    body: 'This test message proves that {module} can send reports through the cluster smarthost. Backup reports will reach these recipients: {to}.',
    footer: 'Sent by {module}, the NethServer 8 backup monitor.',
  },
  it: {
    subject: 'Messaggio di prova dal monitor dei backup',
    body: 'Questo messaggio di prova dimostra che {module} può inviare rapporti tramite lo smarthost del cluster. I rapporti dei backup arriveranno a questi destinatari: {to}.',
    footer: 'Inviato da {module}, il monitor dei backup di NethServer 8.',
  },
};

export function renderTestMail(cfg: Readonly<Config>): { subject: string; text: string; html: string } {
  const t = TEXT[cfg.mail.language];
  const vars = { module: cfg.moduleId, to: cfg.mail.to.map((a) => clean(a, 254)).join(', ') || '-' };
  const { html, text } = page({
    lang: cfg.mail.language,
    title: t.subject,
    preheader: rich(t.body, vars).text,
    blocks: [
      banner({ tone: 'neutral', title: `✉️ ${t.subject}` }),
      paragraph(rich(t.body, vars)),
      footer([rich(t.footer, { module: cfg.moduleId })]),
    ],
  });
  // The state first, as in every subject (issue #21); then the prefix and the old words for filters.
  const tail = `${headerSafe(cfg.mail.subjectPrefix, 100)} ${t.subject}`.trim();
  return { subject: headerSafe(`${STRINGS[cfg.mail.language].subjectState.testMail} · ${tail}`), text, html };
}
