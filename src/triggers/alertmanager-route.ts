// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the receiver + route an admin pastes into another Alertmanager to push backup alerts to
// this module's webhook (metrics1's own configuration cannot be extended, NS8.md §7.8; the
// module follows metrics1 by polling instead). Rendered with js-yaml so quoting is always right.
import { jsYaml } from '../yaml.js';
import { BACKUP_ALERT_NAMES } from '../domain/alert.js';

export interface RouteOptions {
  /** Webhook URL, e.g. http://127.0.0.1:9099/alert. */
  url: string;
  /** Receiver name in the other Alertmanager; the module id reads well there. */
  receiverName: string;
  /** A bearer token is required by POST /alert: print a placeholder, never the token itself. */
  tokenRequired: boolean;
}

export const TOKEN_PLACEHOLDER = '<RECEIVER_TOKEN of the backup monitor>';

/** The alert names the module accepts, as one Alertmanager regex matcher. */
export const ALERTNAME_MATCHER = `alertname=~"${BACKUP_ALERT_NAMES.join('|')}"`;

/** The receiver and the child route, as plain data (tests merge it into a real configuration). */
export function routeDocument(o: RouteOptions): {
  receivers: Record<string, unknown>[];
  route: { routes: Record<string, unknown>[] };
} {
  const webhook: Record<string, unknown> = { url: o.url, send_resolved: true, max_alerts: 0 };
  if (o.tokenRequired) webhook.http_config = { authorization: { type: 'Bearer', credentials: TOKEN_PLACEHOLDER } };
  return {
    receivers: [{ name: o.receiverName, webhook_configs: [webhook] }],
    route: {
      routes: [
        {
          receiver: o.receiverName,
          matchers: [ALERTNAME_MATCHER],
          // metrics1's grouping: two failed plans on one node arrive in one payload (NS8.md §7.4).
          group_by: ['alertname', 'node'],
          group_wait: '30s',
          group_interval: '5m',
          // The module sends its own reminders; Alertmanager repeats are deduplicated anyway.
          repeat_interval: '3h',
          // Keep the alerts flowing to the routes after this one (metrics1's mail, alert-proxy).
          continue: true,
        },
      ],
    },
  };
}

/** YAML text with a short how-to header; js-yaml emits no comments, so the header is prepended. */
export function renderRoute(o: RouteOptions): string {
  const header = [
    '# Backup monitor: push backup alerts from this Alertmanager to the module.',
    '# 1. Append the receiver below to `receivers:`.',
    '# 2. Put the route below FIRST under `route.routes:` (continue: true keeps your other routes working).',
    `# The URL listens on 127.0.0.1: the Alertmanager must run on the same node as the module.`,
    ...(o.tokenRequired
      ? [
          `# Replace ${TOKEN_PLACEHOLDER} with the content of /home/${o.receiverName}/.config/state/receiver.token`,
          '# on this node (readable by root and the module user only), or point credentials_file at a copy of it.',
        ]
      : []),
  ];
  return `${header.join('\n')}\n${jsYaml().dump(routeDocument(o), { lineWidth: 200, noRefs: true })}`;
}
