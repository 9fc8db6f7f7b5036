// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the address of a plan on the module's page in cluster-admin (issue #24 item 6), for the
// mail (render.ts) and the chat channels (channel-message.ts).

/** The plan on the module's page, or null when the cluster-admin address is unknown or not http(s). */
export function planLink(o: { moduleId: string; clusterAdminUrl?: string | null }, planId: number): string | null {
  if (!o.clusterAdminUrl) return null;
  try {
    const base = new URL(o.clusterAdminUrl);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') return null;
    return new URL(`#/apps/${encodeURIComponent(o.moduleId)}?plan=${planId}`, base).toString();
  } catch {
    return null;
  }
}
