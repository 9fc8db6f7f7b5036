// SPDX-License-Identifier: GPL-3.0-or-later
// Who hears about which plan (issue #14): the words shared by the settings, notify/ (the rules,
// notify/policy.ts), the digest and its mail. What each policy means is told in notify/policy.ts.

export const POLICIES = ['always', 'problems', 'digest', 'off'] as const;
export type Policy = (typeof POLICIES)[number];

export interface PlanNotify {
  /** null: follows the default policy. */
  policy: Policy | null;
  recipients: string[];
}

export interface NotifySettings {
  defaultPolicy: Policy;
  plans: ReadonlyMap<number, PlanNotify>;
}

export const isPolicy = (s: string): s is Policy => (POLICIES as readonly string[]).includes(s);
