// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #15: reports stored by an older version get their history index entry (and the history
// its facets) once, at start, so that list-reports never reads whole reports.

/** Completes the index in the background; never rejects (the next start tries again). */
export function completeHistoryIndex(
  records: { indexMissing(): Promise<number> },
  log: { info(m: string, f?: Record<string, number>): void; warning(m: string, f?: Record<string, string>): void },
): Promise<void> {
  return records.indexMissing().then(
    (n) => {
      if (n) log.info('history index completed', { reports: n });
    },
    (err: Error) => log.warning('history index not completed', { error: err.message }),
  );
}
