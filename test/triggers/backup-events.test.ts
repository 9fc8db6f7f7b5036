// SPDX-License-Identifier: GPL-3.0-or-later
// parseBackupEvent accepts every module id NS8 can give: core's add-module names an instance
// <image name><sequence> (agent.get_image_name_from_url: the last path part of the image URL), and
// an image name may hold `.`, `_` and `__` between letters and digits (the OCI name grammar).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseBackupEvent } from '../../src/triggers/backup-events.js';

const event = (moduleId: string) =>
  parseBackupEvent(
    'node/1/event/backup-status-changed',
    JSON.stringify({ node_id: 1, backup_id: 2, module_id: moduleId }),
  );

describe('backup-status-changed module ids', () => {
  for (const id of ['nextcloud1', 'my_app1', 'my__app12', 'web.site3', 'nethvoice-proxy1', 'n8n4', '2fauth1']) {
    it(`accepts ${id}`, () => assert.deepEqual(event(id), { nodeId: 1, planId: 2, moduleId: id }));
  }
  for (const id of [
    '',
    'nextcloud',
    'Nextcloud1',
    '../x1',
    'a/b1',
    '_app1',
    '.app1',
    'app._x1',
    'a b1',
    'x'.repeat(200) + '1',
  ]) {
    it(`rejects ${JSON.stringify(id.slice(0, 20))}`, () => assert.equal(event(id), null));
  }
});
