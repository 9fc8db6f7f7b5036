// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: the cluster smarthost, `cluster/smarthost` (NS8.md §1.7), read with the `default` user.
import { Secret } from '../secret.js';
import { ns8Keys } from './keys.js';
import type { Redis } from './redis.js';

export interface Smarthost {
  enabled: boolean;
  host: string;
  port: number;
  username: string;
  password: Secret | null;
  encryption: 'none' | 'starttls' | 'tls';
  tlsVerify: boolean;
}

/** Same defaults as agent.get_smarthost_settings() when the key does not exist. */
export function parseSmarthost(h: Record<string, string>): Smarthost {
  const enc = h.encrypt_smtp === 'none' || h.encrypt_smtp === 'tls' ? h.encrypt_smtp : 'starttls';
  return {
    enabled: h.enabled === '1',
    host: h.host ?? '',
    port: Number(h.port) || 587,
    username: h.username ?? '',
    password: h.password ? new Secret(h.password) : null,
    encryption: enc,
    tlsVerify: h.tls_verify === undefined ? true : h.tls_verify === '1',
  };
}

export async function readSmarthost(redis: Redis): Promise<Smarthost> {
  return parseSmarthost(await redis.hGetAll(ns8Keys.smarthost));
}
