// SPDX-License-Identifier: GPL-3.0-or-later
// GET /healthz: Redis answers, the smarthost is enabled and the last mail went out. Alertmanager
// is shown but never makes the service unhealthy: reports from NS8 events do not need it.
import type { Redis } from '../ns8/redis.js';
import { readSmarthost } from '../ns8/smarthost.js';
import type { Health } from '../triggers/webhook.js';
import type { Links } from './links.js';

export function healthCheck(reader: Redis, links: Links): () => Promise<Health> {
  return async () => {
    const ping = await reader.ping().then(
      () => null,
      (e: Error) => e.message,
    );
    links.set('redis', ping === null, ping);
    const sh = await readSmarthost(reader).catch(() => null);
    const smtpLink = links.get('smtp') ?? { ok: true, error: null };
    const smtp =
      sh === null
        ? { ok: false, error: 'smarthost not readable' }
        : !sh.enabled
          ? { ok: false, error: 'smarthost disabled' }
          : { ok: smtpLink.ok, error: smtpLink.error };
    const all = { redis: { ok: ping === null, error: ping }, smtp };
    const am = links.get('alertmanager');
    return {
      ok: Object.values(all).every((l) => l.ok),
      links: am ? { ...all, alertmanager: { ok: am.ok, error: am.error } } : all,
    };
  };
}
