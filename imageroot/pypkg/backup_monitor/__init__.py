# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers shared by the backup-monitor actions, events and bin/ scripts."""

SERVICE_UNIT = 'backup-monitor.service'
