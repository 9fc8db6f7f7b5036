#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The actions' PLAN_POLICIES codec (backup_monitor/plan_policies.py) on the cases the service's
codec runs too (test/fixtures/plan-policies.json, test/notify/plan-policies-vectors.test.ts).
Usage: PYTHONPATH=imageroot/pypkg plan_policies_vectors.py <fixture>; exits 1 on a failed case."""

import json
import sys

from backup_monitor import plan_policies


def problems_of(line):
    return [f"{'-' if p[0] is None else p[0]}:{p[1]}:{p[2]}" for p in plan_policies.parse(line)[1]]


def check(cases):
    failed = []

    def expect(name, got, want):
        if got != want:
            failed.append(f'{name}: got {got!r}, want {want!r}')

    for c in cases['read']:
        line = c['line']
        expect(f'parse {line!r}', problems_of(line), [])
        expect(f'decode {line!r}', plan_policies.decode(line), c['plans'])
        expect(f'strict decode {line!r}', plan_policies.decode(line, strict=True), c['plans'])
        expect(f'encode {line!r}', plan_policies.encode(c['plans']), c['written'])
    for c in cases['refused']:
        line = c['line']
        expect(f'problems of {line[:60]!r}', problems_of(line), c['problems'])
        expect(f'lenient decode {line[:60]!r}', plan_policies.decode(line), c['kept'])
        try:
            plan_policies.decode(line, strict=True)
            failed.append(f'strict decode {line[:60]!r}: accepted')
        except ValueError:
            pass
    return failed


if __name__ == '__main__':
    with open(sys.argv[1], encoding='utf-8') as f:
        cases = json.load(f)
    failed = check(cases)
    print('\n'.join(failed) or f"{len(cases['read']) + len(cases['refused'])} cases passed")
    sys.exit(1 if failed else 0)
