// SPDX-License-Identifier: GPL-3.0-or-later
// The state of the service's links (domain/link.ts): kept in memory for /healthz and
// mirrored to module/<id>/health for the admin page. A failed mirror write is not an error.
import type { Clock } from '../clock.js';
import type { Link, LinkName } from '../domain/link.js';
import type { Redis } from '../ns8/redis.js';

export type { Link } from '../domain/link.js';

export interface Links {
  set(name: LinkName, ok: boolean, error: string | null): void;
  get(name: LinkName): Link | undefined;
  /** Every link set so far (what /metrics shows). */
  known(): Partial<Record<LinkName, Link>>;
}

/** An unchanged link is mirrored at most this often: /healthz must not write to Redis on every call (issue #10). */
export const MIRROR_EVERY_MS = 60_000;

export function createLinks(writer: Redis, healthKey: string, clock: Clock): Links {
  const links = new Map<LinkName, Link>();
  const mirrored = new Map<LinkName, Link>();
  return {
    set(name, ok, error) {
      const link = { ok, checkedAt: clock.now(), error };
      links.set(name, link);
      const last = mirrored.get(name);
      if (last && last.ok === ok && last.error === error && link.checkedAt - last.checkedAt < MIRROR_EVERY_MS) return;
      mirrored.set(name, link);
      writer.hSet(healthKey, name, JSON.stringify(link)).catch(() => undefined);
    },
    get: (name) => links.get(name),
    known: () => Object.fromEntries(links),
  };
}
