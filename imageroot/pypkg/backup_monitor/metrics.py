# SPDX-License-Identifier: GPL-3.0-or-later
"""Registration with metrics1: the Prometheus target and the Grafana dashboard (issue #16).

metrics1's contract (ns8-metrics imageroot/bin/provision-prometheus and provision-grafana,
events/metrics-target-changed, events/metrics-dashboard-changed; NS8.md §7.7, §12.5):
- HASH module/<id>/metrics_targets, field = a name, value = a YAML file_sd list whose items have
  `targets` and a `labels` map; metrics1 writes it to prometheus.d/provision_<id>_<name>.yml with
  the label target_type set to the field name, and Prometheus (on the leader) scrapes
  http://<target>/metrics every minute;
- HASH module/<id>/metrics_dashboards, field = a name, value = the dashboard JSON; Grafana reads
  it when it starts, and a value that is not JSON stops its start: it is validated here first;
- each change is announced with PUBLISH module/<id>/event/metrics-target-changed (or
  metrics-dashboard-changed); the module user may publish only on module/<id>/event/*.

The address is the node's VPN address (node/<NODE_ID>/vpn ip_address) and the second TCP port
NS8 gave the module (org.nethserver.tcp-ports-demand=2 -> TCP_PORTS=a,b): the same pair that
bin/write-service-env hands the service, so the target and the listener cannot disagree.
"""

import ipaddress
import json

import yaml

FIELD = 'backup_monitor'
TARGET_EVENT = 'metrics-target-changed'
DASHBOARD_EVENT = 'metrics-dashboard-changed'
PROMETHEUS_DATASOURCE_UID = 'prometheus'  # the uid metrics1's provision-grafana gives its Prometheus
MAX_DASHBOARD_BYTES = 512 * 1024


class DashboardError(ValueError):
    """The dashboard file would not load in Grafana: nothing is published."""


def is_enabled(env):
    """METRICS_ENABLED as the service parses it (settings manifest, bool); unset = on."""
    raw = env.get('METRICS_ENABLED')
    return raw is None or str(raw).strip().lower() in ('1', 'true', 'yes', 'on')


def metrics_port(env):
    """The second demanded TCP port, or None (an instance installed with a single port)."""
    ports = [p.strip() for p in str(env.get('TCP_PORTS', '')).split(',') if p.strip()]
    if len(ports) >= 2 and ports[1].isdigit():
        return int(ports[1])
    first, _, last = str(env.get('TCP_PORTS_RANGE', '')).partition('-')
    if first.isdigit() and last.isdigit() and int(last) > int(first):
        return int(first) + 1
    return None


def webhook_port(env):
    """TCP_PORT, the webhook's port, as an int; ValueError if it is not a port."""
    first = str(env.get('TCP_PORT', ''))
    if not first.isdigit() or not 0 < int(first) < 65536:
        raise ValueError(f'TCP_PORT is not a port: {first!r}')
    return int(first)


def second_port_patch(env, allocated):
    """The environment change that records `allocated`, the answer of core's allocate-ports
    ([first, last]) to a request for one more port, next to the webhook's TCP_PORT, the way the
    node's add-module describes a module's ports: TCP_PORTS = the list, TCP_PORTS_RANGE =
    "first-last" only when the two are consecutive (allocate-ports may give any free port).
    Returns (set, unset); raises ValueError for an answer that is not one valid new port."""
    first = webhook_port(env)
    if (not isinstance(allocated, (list, tuple)) or len(allocated) != 2
            or not all(type(p) is int for p in allocated) or allocated[0] != allocated[1]
            or not 0 < allocated[0] < 65536 or allocated[0] == first):
        raise ValueError(f'allocate-ports answered {allocated!r}, not one new port')
    port = allocated[0]
    if port == first + 1:
        return {'TCP_PORTS': f'{first},{port}', 'TCP_PORTS_RANGE': f'{first}-{port}'}, []
    return {'TCP_PORTS': f'{first},{port}'}, ['TCP_PORTS_RANGE']


def vpn_address(rdb, node_id):
    """node/<id>/vpn ip_address as a valid IP, or None."""
    raw = rdb.hget(f'node/{node_id}/vpn', 'ip_address') if node_id else None
    try:
        return str(ipaddress.ip_address((raw or '').strip()))
    except ValueError:
        return None


def listen_address(rdb, env):
    """(host, port) the service listens on and Prometheus scrapes, or None when metrics are off
    or NS8 gave no address or port (then nothing is registered and no listener opens)."""
    if not is_enabled(env):
        return None
    port = metrics_port(env)
    host = vpn_address(rdb, env.get('NODE_ID'))
    if port is None or host is None:
        return None
    return host, port


def target_value(host, port, module_id, node_id):
    """The file_sd YAML list metrics1 expects (labels as ns8-loki sets them: module_id, node)."""
    hostport = f'[{host}]:{port}' if ':' in host else f'{host}:{port}'
    entries = [{'targets': [hostport], 'labels': {'module_id': module_id, 'node': str(node_id)}}]
    return yaml.safe_dump(entries, sort_keys=False, default_flow_style=False)


def _expressions(panels):
    for p in panels:
        yield from _expressions(p.get('panels', []) if isinstance(p, dict) else [])
        for t in (p.get('targets') or []) if isinstance(p, dict) else []:
            yield p, t


def validate_dashboard(data):
    """Raise DashboardError unless `data` is a dashboard Grafana's file provisioning accepts
    and every query goes to metrics1's Prometheus."""
    if not isinstance(data, dict):
        raise DashboardError('the dashboard must be a JSON object')
    for key, kind in (('title', str), ('uid', str), ('panels', list)):
        if not isinstance(data.get(key), kind) or not data.get(key):
            raise DashboardError(f'the dashboard needs a non-empty "{key}"')
    if len(data['uid']) > 40:
        raise DashboardError('the dashboard uid is longer than Grafana allows (40)')
    queries = 0
    for panel, target in _expressions(data['panels']):
        if not isinstance(target, dict) or not isinstance(target.get('expr'), str) or not target['expr'].strip():
            raise DashboardError(f'panel "{panel.get("title")}" has a query without an expression')
        ds = target.get('datasource') or panel.get('datasource') or {}
        if not isinstance(ds, dict) or ds.get('uid') != PROMETHEUS_DATASOURCE_UID:
            raise DashboardError(f'panel "{panel.get("title")}" does not query metrics1\'s Prometheus')
        queries += 1
    if queries == 0:
        raise DashboardError('the dashboard has no query')


def dashboard_value(path, module_id):
    """The dashboard file made specific to this instance (uid, title, `monitor` variable), as
    compact JSON, validated before and after; raises DashboardError."""
    try:
        with open(path, 'rb') as f:
            raw = f.read(MAX_DASHBOARD_BYTES + 1)
    except OSError as ex:
        raise DashboardError(f'cannot read {path}: {ex.strerror}') from ex
    if len(raw) > MAX_DASHBOARD_BYTES:
        raise DashboardError(f'{path} is larger than {MAX_DASHBOARD_BYTES} bytes')
    try:
        data = json.loads(raw.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as ex:
        raise DashboardError(f'{path} is not valid JSON: {ex}') from ex
    validate_dashboard(data)
    data['uid'] = module_id[:40]
    data['title'] = f"{data['title']} ({module_id})"
    for var in (data.get('templating') or {}).get('list', []):
        if isinstance(var, dict) and var.get('name') == 'monitor' and var.get('type') == 'constant':
            var['query'] = module_id
    value = json.dumps(data, separators=(',', ':'), ensure_ascii=False)
    validate_dashboard(json.loads(value))
    return value


def sync(rdb, module_id, target, dashboard, force=False):
    """Make the two HASH fields equal `target` / `dashboard` (None = remove the field) and announce
    each change on the module's own channel, in one MULTI. Returns the events published.
    `force` announces both even when nothing changed."""
    keys = {TARGET_EVENT: (f'module/{module_id}/metrics_targets', target),
            DASHBOARD_EVENT: (f'module/{module_id}/metrics_dashboards', dashboard)}
    trx = rdb.pipeline(transaction=True)
    published = []
    for event, (key, wanted) in keys.items():
        current = rdb.hget(key, FIELD)
        if current == wanted and not force:
            continue
        if wanted is None:
            trx.hdel(key, FIELD)
        else:
            trx.hset(key, FIELD, wanted)
        trx.publish(f'module/{module_id}/event/{event}', json.dumps({'module_id': module_id, 'field': FIELD}))
        published.append(event)
    if published:
        trx.execute()
    return published
