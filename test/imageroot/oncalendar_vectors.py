#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The actions' OnCalendar check (backup_monitor/oncalendar.py) on the cases the service's parser
runs too (test/fixtures/oncalendar.json, test/schedule/oncalendar-vectors.test.ts).
Usage: PYTHONPATH=imageroot/pypkg oncalendar_vectors.py <fixture>; exits 1 on a failed case."""

import json
import sys

from backup_monitor import oncalendar


def main(path):
    with open(path, encoding='utf-8') as f:
        cases = json.load(f)['cases']
    failed = [f'{c["expr"]!r}: got {oncalendar.problem(c["expr"])!r}, want {c["problem"]!r}'
              for c in cases if oncalendar.problem(c['expr']) != c['problem']]
    print('\n'.join(failed))
    print(f'{len(cases)} cases, {len(failed)} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
