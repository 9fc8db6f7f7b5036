# SPDX-License-Identifier: GPL-3.0-or-later
"""The public part of cluster/smarthost, for the admin page (never the password)."""

import agent


def public_smarthost(rdb):
    try:
        conf = agent.get_smarthost_settings(rdb)
    except (KeyError, ValueError):
        # NS8's helper raises when the hash exists but lacks a field (NS8.md §1.7).
        return {'enabled': False, 'host': '', 'port': 0}
    return {'enabled': bool(conf['enabled']), 'host': conf['host'], 'port': int(conf['port'])}
