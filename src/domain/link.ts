// SPDX-License-Identifier: GPL-3.0-or-later
// The service's links to what it depends on, and what is known of each: one list for /healthz,
// module/<id>/health (service/links.ts), /metrics and the admin page (LinksHealth.vue imports it).
// The actions cannot import it: status.py's LINKS and get-monitor-status' output schema are kept
// equal to PAGE_LINKS by test/domain/link.test.ts.

export const LINK_NAMES = ['redis', 'smtp', 'alertmanager', 'api_server'] as const;
export type LinkName = (typeof LINK_NAMES)[number];

/**
 * The links the admin page shows. The API server is left out: the service only uses it to check
 * the destination of a failed backup, so on most days the page would say "not checked yet"; each
 * report tells the check's outcome, and /metrics has the link.
 */
export const PAGE_LINKS: readonly LinkName[] = LINK_NAMES.filter((n) => n !== 'api_server');

/** A link's state at its last use or check, as stored in module/<id>/health (stored names). */
export interface Link {
  ok: boolean;
  /** Unix ms. */
  checkedAt: number;
  error: string | null;
}
