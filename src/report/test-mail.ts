// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the message of the send-test-notification action.
import type { Config } from '../config.js';
import { escapeHtml, headerSafe } from './format.js';

const TEXT = {
  en: { subject: 'Test message from the backup monitor', body: 'This test message proves that {module} can send reports through the cluster smarthost. Backup reports will reach these recipients: {to}.' },
  it: { subject: 'Messaggio di prova dal monitor dei backup', body: 'Questo messaggio di prova dimostra che {module} può inviare rapporti tramite lo smarthost del cluster. I rapporti dei backup arriveranno a questi destinatari: {to}.' },
};

export function renderTestMail(cfg: Readonly<Config>): { subject: string; text: string; html: string } {
  const t = TEXT[cfg.mail.language];
  const body = t.body.replace('{module}', cfg.moduleId).replace('{to}', cfg.mail.to.join(', ') || '–');
  return {
    subject: headerSafe(`${cfg.mail.subjectPrefix} ${t.subject}`.trim()),
    text: body + '\n',
    html: `<!DOCTYPE html><html><body style="font-family:Arial,sans-serif;"><p>${escapeHtml(body)}</p></body></html>`,
  };
}
