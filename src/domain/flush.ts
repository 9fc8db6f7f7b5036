// SPDX-License-Identifier: GPL-3.0-or-later
// What the run tracker hands the pipeline: a plan to report now, and why.
export type FlushRequest =
  | { kind: 'run'; planId: number; since: number | null; triggers: string[] }
  | { kind: 'missing'; planId: number; expectedAt: number; modules: string[]; triggers: string[] }
  /** No new run, but a reminder or held flap news may be due (issue #4, notify/decide.ts). */
  | { kind: 'reminder'; planId: number; triggers: string[] }
  /** A run still open long after its usual duration: one "still running since …" notice (issue #24). */
  | {
      kind: 'stuck';
      planId: number;
      since: number;
      usualSeconds: number | null;
      /** Present when a maximum run duration set by the admin made it stuck, not the history. */
      maximumSeconds?: number;
      triggers: string[];
    };
