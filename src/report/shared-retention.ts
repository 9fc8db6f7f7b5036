// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: "Plan A promises 30, plan B keeps 3: you have 3" in the run report (issue #23 item 2). The
// pipeline puts on the run the applications whose repository another enabled plan with a different
// retention prunes too (domain/retention.ts); each becomes a step of "What to do", en and it.
import type { Language } from '../config.js';
import type { RunReport } from '../domain/run.js';
import { clean } from './format.js';
import { rich, type Line } from './layout.js';

/** {application} {destination} {planName} {retention} {otherPlanName} {otherPlanId} {effective} */
export const SHARED_RETENTION_STRINGS: Record<Language, { step: string; success: string }> = {
  en: {
    // {applications} {effective} {retention} {otherPlans}: the one line of a plain success (item 4).
    success:
      '{applications}: the shared repository keeps only the last {effective} snapshots, not {retention}, because the plan {otherPlans} writes to it too. Give both plans the same retention.',
    step: '{application} is also saved to {destination} by the plan {otherPlanName} (ID {otherPlanId}): both plans write the same repository and each removes the snapshots the other keeps, so only the last {effective} snapshots are kept, whatever {planName} promises ({retention}). Give both plans the same retention, or back up the application with one plan (Backup and restore > the plan > Edit).',
  },
  it: {
    success:
      '{applications}: il repository condiviso conserva solo gli ultimi {effective} snapshot, non {retention}, perché anche il piano {otherPlans} ci scrive. Dare ai due piani la stessa retention.',
    step: "{application} è salvata in {destination} anche dal piano {otherPlanName} (ID {otherPlanId}): i due piani scrivono lo stesso repository e ognuno elimina gli snapshot che l'altro conserva, quindi restano solo gli ultimi {effective} snapshot, qualunque cosa prometta {planName} ({retention}). Dare ai due piani la stessa retention, o salvare l'applicazione con un solo piano (Backup e ripristino > il piano > Modifica).",
  },
};

const label = (uiName: string | undefined, id: string) => (uiName ? `${clean(uiName)} (${clean(id)})` : clean(id));

/**
 * A plain success has no "What to do": when another plan with a smaller retention prunes the same
 * repository, this plan keeps less than it promises, said in one line per retention really kept
 * (usually one). Nothing when this plan's own retention is the smallest or unknown.
 */
export function sharedRetentionNotes(run: RunReport, lang: Language): Line[] {
  const w = SHARED_RETENTION_STRINGS[lang] ?? SHARED_RETENTION_STRINGS.en;
  const promised = run.retention;
  if (typeof promised !== 'number') return [];
  const uiNames = new Map(run.modules.map((m) => [m.moduleId, m.uiName]));
  const byKept = new Map<number, { apps: Set<string>; plans: Set<string> }>();
  for (const c of run.retentionConflicts ?? []) {
    if (c.effectiveRetention >= promised) continue;
    const g = byKept.get(c.effectiveRetention) ?? { apps: new Set(), plans: new Set() };
    g.apps.add(label(uiNames.get(c.application), c.application));
    g.plans.add(`${clean(c.otherPlanName)} (ID ${c.otherPlanId})`);
    byKept.set(c.effectiveRetention, g);
  }
  return [...byKept].map(([effective, g]) =>
    rich(w.success, {
      applications: [...g.apps].join(', '),
      effective,
      retention: promised,
      otherPlans: [...g.plans].join(', '),
    }),
  );
}

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
