// SPDX-License-Identifier: GPL-3.0-or-later
// Every NS8 Redis key and channel the service reads, in one place (NS8.md §1, §4).

export const ns8Keys = {
  planSequence: 'cluster/backup_sequence',
  plan: (id: number) => `cluster/backup/${id}`,
  destination: (uuid: string) => `cluster/backup_repository/${uuid}`,
  moduleNode: 'cluster/module_node',
  moduleUuid: 'cluster/module_uuid',
  moduleEnvironment: (moduleId: string) => `module/${moduleId}/environment`,
  moduleUiName: (moduleId: string) => `module/${moduleId}/ui_name`,
  /** SET of image flags, e.g. `no_data_backup` (NS8.md §1.4). */
  moduleFlags: (moduleId: string) => `module/${moduleId}/flags`,
  nodeUiName: (node: number) => `node/${node}/ui_name`,
  backupStatus: (node: number, planId: number) => `node/${node}/backup_status/${planId}`,
  smarthost: 'cluster/smarthost',
} as const;

export const ns8Channels = {
  /** Pattern for every node's backup-status-changed event. */
  backupStatusChanged: '*/event/backup-status-changed',
  smarthostChanged: 'cluster/event/smarthost-changed',
  moduleRemoved: 'cluster/event/module-removed',
  backupScheduleChanged: 'cluster/event/backup-schedule-changed',
} as const;
