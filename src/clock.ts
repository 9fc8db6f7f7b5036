// SPDX-License-Identifier: GPL-3.0-or-later
/** Injected time, so pure stages and trackers can be tested with a fixed clock. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
