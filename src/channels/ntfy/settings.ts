// SPDX-License-Identifier: GPL-3.0-or-later
// The ntfy channel's settings and who it tells (issue #22 §3): a topic URL (a Secret: on ntfy.sh
// "the topic is essentially a password", https://docs.ntfy.sh/publish/), an optional access token
// (https://docs.ntfy.sh/publish/#access-tokens), a minimum level and an optional list of plans, in
// the words of the email policies (notify/policy.ts).
import type { Secret } from '../../secret.js';

export interface NtfySettings {
  /** `https://ntfy.sh/<topic>` or a self-hosted server's `https://ntfy.example.org/<topic>`. */
  topicUrl: Secret;
  /** An access token (`tk_…`), sent as `Authorization: Bearer`; null for an open topic. */
  token: Secret | null;
  /** `every` run, or `problems` only: what the email policies `always` and `problems` mail. */
  level: 'every' | 'problems';
  /** Plan ids the topic hears about; null = every plan. */
  plans: number[] | null;
}

/** ntfy's topic names (server/server.go topicRegex). */
const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;

/**
 * Why a topic URL cannot be used, in words that never repeat it (it is the secret), or null when
 * it can: http(s), no user or password in it (the token goes in its own field), and a last path
 * segment that is a valid topic name.
 */
export function topicUrlProblem(topicUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(topicUrl);
  } catch {
    return 'the ntfy topic URL is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'the ntfy topic URL must start with https://';
  if (url.username || url.password) return 'the ntfy topic URL must not hold a user or password: use the token';
  if (url.search || url.hash) return 'the ntfy topic URL must not have a query or a fragment';
  const topic = url.pathname.split('/').pop() ?? '';
  if (!TOPIC.test(topic)) return 'the ntfy topic URL must end with a topic name (letters, digits, - and _)';
  return null;
}

/** The server's host, the only part of the topic URL that is not secret: the delivery's target. */
export function serverOf(topicUrl: string): string {
  try {
    return new URL(topicUrl).host || 'ntfy';
  } catch {
    return 'ntfy';
  }
}
