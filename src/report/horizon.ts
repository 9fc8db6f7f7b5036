// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: "raise the retention or pause the plan before <date>" (issue #23 item 3). A run is
// suspicious when an application it saved changed size unusually or saved no files (the trends'
// WARNING), or when snapshots were deleted at the destination outside the plan; from then on the
// plan's own retention removes, one run at a time, the snapshots taken before it. The date is when
// the last of them goes (src/schedule/horizon.ts). Its words live here, en and it.
import type { Language } from '../config.js';
import type { RunReport } from '../domain/run.js';
import { isSuspicious, type RestoreHorizon } from '../domain/horizon.js';
import { effectiveRetentionOf } from '../domain/retention.js';
import { clean, formatDateTime } from './format.js';
import { rich, type Line } from './layout.js';

export interface HorizonWords {
  /** {modules} {planName} {retention} {runs} {date} */
  before: string;
  /** {modules} {planName} {retention} */
  gone: string;
}

export const HORIZON_STRINGS: Record<Language, HorizonWords> = {
  en: {
    before:
      'Raise the retention or pause the plan before {date}: {planName} keeps the last {retention} snapshots, so after {runs} more runs the run of {date} removes the last snapshot of {modules} taken before this one. Until you know this run saved the right data, that snapshot is the one to restore from.',
    gone: '{planName} keeps only the last {retention} snapshot: no snapshot of {modules} taken before this run is left at the destination. Raise the retention now if this run did not save the right data.',
  },
  it: {
    before:
      "Aumentare la retention o sospendere il piano prima del {date}: {planName} conserva gli ultimi {retention} snapshot, quindi dopo altre {runs} esecuzioni quella del {date} elimina l'ultimo snapshot di {modules} precedente a questa. Finché non è certo che questa esecuzione abbia salvato i dati giusti, è quello lo snapshot da cui ripristinare.",
    gone: "{planName} conserva solo l'ultimo snapshot ({retention}): nella destinazione non resta alcuno snapshot di {modules} precedente a questa esecuzione. Aumentare subito la retention se questa esecuzione non ha salvato i dati giusti.",
  },
};

/** The horizon of a suspicious run, or null when the run is not suspicious or its plan is unknown. */
export function horizonOf(run: Pick<RunReport, 'modules' | 'restoreHorizon'>): RestoreHorizon | null {
  return run.modules.some(isSuspicious) ? (run.restoreHorizon ?? null) : null;
}

/** The step for "What to do", or null. */
export function horizonStep(run: RunReport, lang: Language, timeZone: string): Line | null {
  const h = horizonOf(run);
  if (!h || (!h.gone && h.prunedAt === null)) return null;
  const w = HORIZON_STRINGS[lang] ?? HORIZON_STRINGS.en;
  const suspicious = run.modules.filter(isSuspicious);
  const modules = suspicious
    .map((m) => (m.uiName ? `${clean(m.uiName)} (${clean(m.moduleId)})` : clean(m.moduleId)))
    .join(', ');
  // The count the date was computed from: a shared repository keeps the lowest retention (issue #23 item 2).
  const ids = suspicious.map((m) => m.moduleId);
  const retention = effectiveRetentionOf(run.retention ?? 0, run.retentionConflicts, ids);
  const vars = { modules, planName: clean(run.planName), retention };
  if (h.gone) return rich(w.gone, vars);
  const date = formatDateTime(h.prunedAt!, { timeZone, zoneName: true, seconds: false });
  return rich(w.before, { ...vars, runs: h.runsLeft, date });
}
