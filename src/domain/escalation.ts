// SPDX-License-Identifier: GPL-3.0-or-later
/** Failure tolerance and escalation settings (issue #24): the settings' shape, read by notify/escalation.ts. */
export interface EscalationSettings {
  /** Consecutive failed runs before the first problem mail, for plans without their own. */
  failureTolerance: number;
  /** Seconds a plan may fail before its mail also goes to `to`; 0 = never. */
  afterSeconds: number;
  to: string[];
  /** Per plan: `<plan id>:<failed runs>:<escalation seconds>`, entries by `,`. */
  plans: string;
}
