#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# What metrics1 does with the module targets every time it provisions Prometheus (on its start and
# on each metrics-target-changed / module-removed event; ns8-metrics imageroot/bin/provision-prometheus,
# NS8.md §7.2, §7.7), written from that behaviour for the tests:
#   1. delete every prometheus.d/provision_* file;
#   2. for each HASH module/<id>/metrics_targets (read with the `default` user) and each field:
#      YAML-load the value (a file_sd list), overwrite each item's labels.target_type with the field
#      name, and YAML-dump it (keys in their order) to prometheus.d/provision_<id>_<field>.yml;
#      a value that does not load is skipped with a message on stderr.
#
#   provision-targets.py <redis host:port> <prometheus.d directory>

import os
import sys

import redis
import yaml

host, port = sys.argv[1].rsplit(':', 1)
outdir = sys.argv[2]
rdb = redis.Redis(host=host, port=int(port), username='default', password='nopass', decode_responses=True)

for entry in os.scandir(outdir):
    if entry.name.startswith('provision_'):
        os.remove(entry.path)

for key in rdb.scan_iter('module/*/metrics_targets'):
    module_id = key.split('/')[1]
    for field, value in rdb.hgetall(key).items():
        try:
            data = yaml.safe_load(value)
            for item in data:
                item['labels']['target_type'] = field
        except Exception as ex:  # as metrics1: one bad value must not stop the others
            print(f'Skipped target {field} for module {module_id}: {ex}', file=sys.stderr)
            continue
        with open(os.path.join(outdir, f'provision_{module_id}_{field}.yml'), 'w') as fp:
            yaml.safe_dump(data, fp, sort_keys=False)
