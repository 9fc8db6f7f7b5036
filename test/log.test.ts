// SPDX-License-Identifier: GPL-3.0-or-later
// The logger's secret list reaches every child logger, at every level (issue #10 item 12: only
// the root logger was tested, so a child that dropped the list would have gone unnoticed).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../src/log.js';
import { Secret } from '../src/secret.js';

describe('logger', () => {
  it('children and grandchildren redact the secrets of the root, at every level', () => {
    const lines: string[] = [];
    const root = createLogger('debug', { module: 'backup-monitor1' }, (l) => lines.push(l), [
      new Secret('hunter2-redis'),
      new Secret('t0ken-xyz'),
    ]);
    const grandchild = root.child({ stage: 'delivery' }).child({ report: 'r1' });
    for (const level of ['debug', 'info', 'warning', 'error'] as const) {
      grandchild[level]('library said hunter2-redis and t0ken-xyz', {
        detail: 'AUTH hunter2-redis',
        url: 'http://u:t0ken-xyz@h/',
      });
    }
    assert.equal(lines.length, 4);
    for (const l of lines) {
      assert.ok(!l.includes('hunter2') && !l.includes('t0ken'), l);
      assert.match(l, /stage=delivery report=r1/, 'the child fields are kept');
      assert.match(l, /library said <secret> and <secret>/);
    }
  });
  it('a child logger keeps the level of its root', () => {
    const lines: string[] = [];
    createLogger('warning', {}, (l) => lines.push(l))
      .child({ stage: 'x' })
      .info('not shown');
    assert.deepEqual(lines, []);
  });
});
