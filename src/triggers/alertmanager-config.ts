// SPDX-License-Identifier: GPL-3.0-or-later
// GET /alertmanager-config: where another Alertmanager should push. The YAML itself is rendered
// by alertmanager-route.ts (issue #4); until then a minimal js-yaml rendering is used.
import * as yaml from 'js-yaml';
import type { Config } from '../config.js';
import { BACKUP_ALERTS } from '../domain/alert.js';

export function alertmanagerConfig(cfg: Readonly<Config>): { yaml: string; url: string } {
  const host = cfg.receiver.host === '0.0.0.0' ? '127.0.0.1' : cfg.receiver.host;
  const url = `http://${host}:${cfg.receiver.port}/alert`;
  const doc = {
    receivers: [{ name: cfg.moduleId, webhook_configs: [{ url, send_resolved: true }] }],
    route: { routes: [{ receiver: cfg.moduleId, matchers: [`alertname=~"${Object.keys(BACKUP_ALERTS).join('|')}"`], group_by: ['alertname', 'node'], continue: true }] },
  };
  return { yaml: yaml.dump(doc, { lineWidth: 200 }), url };
}
