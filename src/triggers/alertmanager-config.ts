// SPDX-License-Identifier: GPL-3.0-or-later
// GET /alertmanager-config: where another Alertmanager should push, and the receiver + route YAML
// to paste there (rendered by alertmanager-route.ts; the token itself is never printed).
import type { Config } from '../config.js';
import { renderRoute } from './alertmanager-route.js';

export function alertmanagerConfig(cfg: Readonly<Config>): { yaml: string; url: string } {
  const host = cfg.receiver.host === '0.0.0.0' ? '127.0.0.1' : cfg.receiver.host;
  const url = `http://${host}:${cfg.receiver.port}/alert`;
  return { yaml: renderRoute({ url, receiverName: cfg.moduleId, tokenRequired: cfg.receiver.token !== null }), url };
}
