# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared-repository retention guard (issue #23 item 2), for the actions: the same rule as the
service's src/domain/retention.ts, on the same cases (test/fixtures/retention-conflicts.json).

A module's restic repository is `<image>/<module uuid>` at the destination, without the plan id
(ns8-contract 1.8): enabled plans saving the same application to the same destination share one
repository, and each plan's `forget --keep-last` prunes the other's snapshots. The repository keeps
the smallest retention of them. Plans with equal retentions keep what each promises: no conflict."""

import math

DEFAULT_RETENTION = 3  # run-backup's default (ns8-contract 1.2); src/correlate/read-plan.ts parsePlan


def retention_of(raw):
    """`retention` of a plan hash as the service reads it (`Number(h.retention) || 3`)."""
    try:
        n = float(str(raw).strip()) if raw is not None and str(raw).strip() else 0.0
    except ValueError:
        return DEFAULT_RETENTION
    if math.isnan(n) or n == 0:
        return DEFAULT_RETENTION
    return int(n) if n.is_integer() else n


def retention_conflicts(plans):
    """[(plan id, plan hash)] -> [{destination, application, plans: [{id, name, retention}],
    effective_retention}] by destination then application."""
    groups = {}
    for pid, h in sorted(plans, key=lambda p: p[0]):
        repository = h.get('repository') or ''
        if h.get('enabled') != '1' or not repository:
            continue
        plan = {'id': pid, 'name': h.get('name') or f'Backup {pid}', 'retention': retention_of(h.get('retention'))}
        for app in dict.fromkeys((h.get('instances') or '').split()):
            groups.setdefault((repository, app), []).append(plan)
    out = []
    for (destination, app), members in sorted(groups.items()):
        retentions = {p['retention'] for p in members}
        if len(retentions) < 2:
            continue
        out.append({'destination': destination, 'application': app, 'plans': members,
                    'effective_retention': min(retentions)})
    return out


def conflicts_of_plan(conflicts, plan_id):
    """One plan's side: per application, each other plan it shares the repository with."""
    return [{'application': c['application'], 'other_plan_id': p['id'], 'other_plan_name': p['name'],
             'effective_retention': c['effective_retention']}
            for c in conflicts if any(p['id'] == plan_id for p in c['plans'])
            for p in c['plans'] if p['id'] != plan_id]
