#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The actions' retention guard (backup_monitor/retention.py) on the cases the service's rule runs
too (test/fixtures/retention-conflicts.json, test/domain/retention.test.ts).
Usage: PYTHONPATH=imageroot/pypkg retention_vectors.py <fixture>; exits 1 on a failed case."""

import json
import sys

from backup_monitor.retention import conflicts_of_plan, retention_conflicts


def check(cases):
    failed = []
    for c in cases:
        plans = [(int(pid), h) for pid, h in c['plans'].items()]
        found = retention_conflicts(plans)
        got = {str(pid): conflicts_of_plan(found, pid) for pid, _h in plans}
        got = {k: v for k, v in got.items() if v}
        if got != c['conflicts']:
            failed.append(f"{c['name']}: got {got!r}, want {c['conflicts']!r}")
    return failed


if __name__ == '__main__':
    with open(sys.argv[1], encoding='utf-8') as f:
        cases = json.load(f)['cases']
    failed = check(cases)
    print('\n'.join(failed) or f'{len(cases)} cases passed')
    sys.exit(1 if failed else 0)
