// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: "Plan A promises 30, plan B keeps 3: you have 3" in the run report (issue #23 item 2). The
// pipeline puts on the run the applications whose repository another enabled plan with a different
// retention prunes too (domain/retention.ts); each becomes a step of "What to do", en and it.
import type { Language } from '../config.js';
import type { RunReport } from '../domain/run.js';
import { clean } from './format.js';
import { rich, type Line } from './layout.js';

/** {application} {destination} {planName} {retention} {otherPlanName} {otherPlanId} {effective} */
export const SHARED_RETENTION_STRINGS: Record<Language, { step: string }> = {
  en: {
    step: '{application} is also saved to {destination} by the plan {otherPlanName} (ID {otherPlanId}): both plans write the same repository and each removes the snapshots the other keeps, so only the last {effective} snapshots are kept, whatever {planName} promises ({retention}). Give both plans the same retention, or back up the application with one plan (Backup and restore > the plan > Edit).',
  },
  it: {
    step: "{application} è salvata in {destination} anche dal piano {otherPlanName} (ID {otherPlanId}): i due piani scrivono lo stesso repository e ognuno elimina gli snapshot che l'altro conserva, quindi restano solo gli ultimi {effective} snapshot, qualunque cosa prometta {planName} ({retention}). Dare ai due piani la stessa retention, o salvare l'applicazione con un solo piano (Backup e ripristino > il piano > Modifica).",
  },
};

/** One step per application and other plan sharing its repository; none when nothing is shared. */
export function sharedRetentionSteps(run: RunReport, lang: Language): Line[] {
  const w = SHARED_RETENTION_STRINGS[lang] ?? SHARED_RETENTION_STRINGS.en;
  const uiNames = new Map(run.modules.map((m) => [m.moduleId, m.uiName]));
  return (run.retentionConflicts ?? []).map((c) => {
    const uiName = uiNames.get(c.application);
    return rich(w.step, {
      application: uiName ? `${clean(uiName)} (${clean(c.application)})` : clean(c.application),
      destination: clean(run.destinationName || run.destinationId),
      planName: clean(run.planName),
      retention: run.retention ?? '-',
      otherPlanName: clean(c.otherPlanName),
      otherPlanId: c.otherPlanId,
      effective: c.effectiveRetention,
    });
  });
}
