// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: a run with every outside text bounded and cleaned before it is rendered and stored
// (issue #10 item 9): a 100 KB plan name or a right-to-left override character in a module's
// label must neither widen the mail nor make a megabyte report in Redis.
import type { RunReport } from '../domain/run.js';
import { clean, NAME_MAX } from './format.js';

/** Error lines kept per application and their longest length (the report prints them all). */
export const ERROR_LINES_MAX = 8;
/** Applications that keep error lines (the first ones with lines). */
export const MODULES_WITH_LINES = 20;

export function boundRun(run: RunReport): RunReport {
  let withLines = 0;
  return {
    ...run,
    planName: clean(run.planName, NAME_MAX),
    destinationName: clean(run.destinationName, NAME_MAX),
    nodes: run.nodes.map((n) => ({ ...n, name: clean(n.name, NAME_MAX) })),
    modules: run.modules.map((m) => ({
      ...m,
      uiName: clean(m.uiName, NAME_MAX),
      nodeName: clean(m.nodeName, NAME_MAX),
      ...(m.errorLines
        ? {
            errorLines:
              withLines++ < MODULES_WITH_LINES ? m.errorLines.slice(-ERROR_LINES_MAX).map((l) => clean(l, 300)) : [],
          }
        : {}),
    })),
  };
}
