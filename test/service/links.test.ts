// SPDX-License-Identifier: GPL-3.0-or-later
// The service's link states: what /metrics gets is every link known so far, by the domain's names.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LINK_NAMES } from '../../src/domain/link.js';
import type { Redis } from '../../src/ns8/redis.js';
import { createLinks } from '../../src/service/links.js';

describe('links', () => {
  it('known() holds each link once set, and nothing before', () => {
    const mirrored: string[] = [];
    const writer = {
      hSet: async (_k: string, name: string) => {
        mirrored.push(name);
        return 1;
      },
    } as unknown as Redis;
    let now = 1_000;
    const links = createLinks(writer, 'module/backup-monitor1/health', { now: () => now });
    assert.deepEqual(links.known(), {});
    for (const name of LINK_NAMES) links.set(name, name !== 'smtp', name === 'smtp' ? 'SMTP_AUTH: refused' : null);
    now = 2_000;
    assert.deepEqual(Object.keys(links.known()), [...LINK_NAMES]);
    assert.deepEqual(links.known().smtp, { ok: false, checkedAt: 1_000, error: 'SMTP_AUTH: refused' });
    assert.deepEqual(mirrored, [...LINK_NAMES], 'each mirrored to module/<id>/health');
  });
});
