// SPDX-License-Identifier: GPL-3.0-or-later
// Every sentence of the digest mail, per language. `{x}` placeholders are filled by digest.ts.
import type { Language } from '../config.js';
import type { PlanStateClass } from '../domain/digest.js';

export interface DigestStrings {
  locale: string;
  subject: { daily: string; weekly: string; sample: string };
  allGood: string;
  attention: string;
  catchUp: string;
  period: string;
  intro: string;
  totals: string;
  tiles: { saved: string; warnings: string; failed: string; missed: string };
  plansTitle: string;
  /** The word next to a plan's name: its state, in the admin page's words (not its notify policy). */
  state: Record<PlanStateClass | 'partlyFailing', string>;
  /** Details, for plans that need attention only. */
  failingSince: string;
  warningSince: string;
  lastSuccess: string;
  runsLine: string;
  runs: string;
  noRuns: string;
  never: string;
  destination: string;
  destinationChecked: string;
  size: string;
  /** Size and change beside an OK plan's state, or in a warning plan's details. */
  sizeChange: string;
  gapsTitle: string;
  noGaps: string;
  unprotected: string;
  unprotectedDisabled: string;
  disabledPlans: string;
  neverRan: string;
  noPlans: string;
  footer: string;
  sampleNote: string;
  /** Issue #24: "{count} plans snoozed: {plans}." with each plan "{name} until {until}". */
  snoozed: { one: string; other: string; until: string; untilSuccess: string; untilEither: string };
  /** Issue #24: one line per acknowledged plan; {line} is `by` or `page`, then {comment} when there is one. */
  acknowledged: { by: string; page: string; withComment: string; withoutComment: string };
  /**
   * Issue #24 item 3: news a maintenance window holds ("held"), and the windows listed with the
   * silences: "{count} maintenance windows: {windows}." with each "{calendar} for {duration}", of
   * every plan or of "{plan}".
   */
  maintenance: { held: string; one: string; other: string; everyPlan: string; plan: string };
  /**
   * Issue #23: plans sharing one repository. line: {app} {destination} {plans} {kept}; plan: {name}
   * {id} {retention}; fix: the one step that ends it.
   */
  sharedRetention: { title: string; line: string; plan: string; fix: string };
  /** Issue #23 item 4: {app} {path} {destination} {date}. */
  unowned: { title: string; removed: string; other_cluster: string; fixRemoved: string; fixOther: string };
}

const en: DigestStrings = {
  locale: 'en-GB',
  subject: { daily: 'Daily backup digest', weekly: 'Weekly backup digest', sample: 'Sample backup digest' },
  allGood: '✅ All backups are fine',
  attention: '⚠️ {count} of {total} plans need attention',
  catchUp: 'The backup monitor was not running when this digest was due: it covers everything since the previous one.',
  period: 'From {from} to {to}',
  intro: 'Every backup plan of the cluster, and what is not backed up at all.',
  totals: 'Runs in this period: {saved} saved, {warnings} with warnings, {failed} failed, {missed} missed.',
  tiles: { saved: 'runs saved', warnings: 'with warnings', failed: 'failed', missed: 'missed' },
  plansTitle: 'Backup plans',
  state: {
    failing: 'failed',
    partlyFailing: 'partly failed',
    missed: 'did not run',
    warning: 'saved, with warnings',
    never: 'never ran',
    ok: 'OK',
    disabled: 'disabled',
  },
  failingSince: 'Failing since {since}',
  warningSince: 'Warnings since {since}',
  lastSuccess: 'Last full success: {at}',
  runsLine: 'Runs: {runs}',
  runs: '{saved} saved · {warnings} warnings · {failed} failed · {missed} missed',
  noRuns: 'no run',
  never: 'never',
  destination: 'Destination: {name}',
  destinationChecked: 'Destination: {name} — {verdict} ({at})',
  size: 'Size: {size}',
  sizeChange: '{size} ({change})',
  gapsTitle: 'Coverage gaps',
  noGaps: 'Every application is in an enabled plan, and every enabled plan has run.',
  unprotected: 'Applications in no backup plan: {apps}.',
  unprotectedDisabled: 'Applications only in disabled plans: {apps}.',
  disabledPlans: 'Disabled plans: {plans}.',
  neverRan: 'Enabled plans that never ran: {plans}.',
  noPlans: 'There is no backup plan in this cluster.',
  footer:
    'Sent by {module}, the NethServer 8 backup monitor. Change the digest or the per-plan notifications in its Settings page.',
  sampleNote:
    'This is a sample, sent from the Settings page: the numbers are real, the schedule of the digest is unchanged.',
  snoozed: {
    one: '1 plan snoozed: {plans}.',
    other: '{count} plans snoozed: {plans}.',
    until: '{name} until {until}',
    untilSuccess: '{name} until its next full success',
    untilEither: '{name} until {until} or its next full success',
  },
  acknowledged: {
    by: '{name}: acknowledged by {who} on {when}',
    page: '{name}: acknowledged from the admin page on {when}',
    withComment: '{line}: {comment}.',
    withoutComment: '{line}.',
  },
  maintenance: {
    held: 'held by a maintenance window',
    one: '1 maintenance window: {windows}.',
    other: '{count} maintenance windows: {windows}.',
    everyPlan: '{calendar} for {duration}, every plan',
    plan: '{calendar} for {duration}, {plan}',
  },
  sharedRetention: {
    title: 'Plans that prune each other',
    line: "{app} at {destination}: {plans} save it to one repository, so each removes the other's snapshots and only {kept} are kept.",
    plan: '{name} (ID {id}) keeps {retention}',
    fix: 'Give both plans the same retention, or back up the application with one plan (Backup and restore > the plan > Edit).',
  },
  unowned: {
    title: 'Repositories nobody here owns',
    removed:
      '{app} at {destination} ({path}): its application is no longer in the cluster; last backup {date}. It still takes space.',
    other_cluster:
      '{app} at {destination} ({path}): written by another cluster to the same destination; last backup {date}.',
    fixRemoved:
      'Restore the application from it if it is still needed (Backup and restore > Restore), otherwise delete that folder on the storage to free its space.',
    fixOther:
      'Two clusters writing to one destination is expected only after a migration: if the other cluster is still running, give each cluster its own destination or folder.',
  },
};

const it: DigestStrings = {
  locale: 'it-IT',
  subject: {
    daily: 'Riepilogo giornaliero dei backup',
    weekly: 'Riepilogo settimanale dei backup',
    sample: 'Riepilogo dei backup di prova',
  },
  allGood: '✅ Tutti i backup sono in ordine',
  attention: '⚠️ {count} piani su {total} richiedono attenzione',
  catchUp:
    'Il monitor dei backup non era in esecuzione quando questo riepilogo era previsto: copre tutto dal riepilogo precedente.',
  period: 'Dal {from} al {to}',
  intro: 'Tutti i piani di backup del cluster, e ciò che non ha alcun backup.',
  totals: 'Esecuzioni nel periodo: {saved} salvate, {warnings} con avvisi, {failed} fallite, {missed} mancate.',
  tiles: { saved: 'esecuzioni salvate', warnings: 'con avvisi', failed: 'fallite', missed: 'mancate' },
  plansTitle: 'Piani di backup',
  state: {
    failing: 'fallito',
    partlyFailing: 'parzialmente fallito',
    missed: 'non eseguito',
    warning: 'salvato, con avvisi',
    never: 'mai eseguito',
    ok: 'OK',
    disabled: 'disabilitato',
  },
  failingSince: 'In errore dal {since}',
  warningSince: 'Con avvisi dal {since}',
  lastSuccess: 'Ultimo successo completo: {at}',
  runsLine: 'Esecuzioni: {runs}',
  runs: '{saved} salvate · {warnings} avvisi · {failed} fallite · {missed} mancate',
  noRuns: 'nessuna esecuzione',
  never: 'mai',
  destination: 'Destinazione: {name}',
  destinationChecked: 'Destinazione: {name} — {verdict} ({at})',
  size: 'Dimensione: {size}',
  sizeChange: '{size} ({change})',
  gapsTitle: 'Lacune nella copertura',
  noGaps: 'Ogni applicazione è in un piano abilitato, e ogni piano abilitato è stato eseguito.',
  unprotected: 'Applicazioni in nessun piano di backup: {apps}.',
  unprotectedDisabled: 'Applicazioni solo in piani disabilitati: {apps}.',
  disabledPlans: 'Piani disabilitati: {plans}.',
  neverRan: 'Piani abilitati mai eseguiti: {plans}.',
  noPlans: "Nel cluster non c'è alcun piano di backup.",
  footer:
    'Inviato da {module}, il monitor dei backup di NethServer 8. Il riepilogo e le notifiche per piano si impostano nella sua pagina Impostazioni.',
  sampleNote:
    'Questo è un esempio inviato dalla pagina Impostazioni: i numeri sono reali, la pianificazione del riepilogo non cambia.',
  snoozed: {
    one: '1 piano sospeso: {plans}.',
    other: '{count} piani sospesi: {plans}.',
    until: '{name} fino al {until}',
    untilSuccess: '{name} fino al prossimo backup completo',
    untilEither: '{name} fino al {until} o al prossimo backup completo',
  },
  acknowledged: {
    by: '{name}: preso in carico da {who} il {when}',
    page: '{name}: preso in carico dalla pagina di amministrazione il {when}',
    withComment: '{line}: {comment}.',
    withoutComment: '{line}.',
  },
  maintenance: {
    held: 'trattenuto da una finestra di manutenzione',
    one: '1 finestra di manutenzione: {windows}.',
    other: '{count} finestre di manutenzione: {windows}.',
    everyPlan: '{calendar} per {duration}, tutti i piani',
    plan: '{calendar} per {duration}, {plan}',
  },
  sharedRetention: {
    title: 'Piani che si cancellano a vicenda',
    line: "{app} in {destination}: {plans} lo salvano nello stesso repository, quindi ognuno rimuove gli snapshot dell'altro e ne restano solo {kept}.",
    plan: '{name} (ID {id}) ne conserva {retention}',
    fix: "Dare ai due piani la stessa retention, o salvare l'applicazione con un solo piano (Backup e ripristino > il piano > Modifica).",
  },
  unowned: {
    title: 'Repository di nessuno in questo cluster',
    removed:
      "{app} in {destination} ({path}): l'applicazione non è più nel cluster; ultimo backup {date}. Occupa ancora spazio.",
    other_cluster:
      '{app} in {destination} ({path}): scritto da un altro cluster sulla stessa destinazione; ultimo backup {date}.',
    fixRemoved:
      "Ripristinare l'applicazione da lì se serve ancora (Backup e ripristino > Ripristina), altrimenti cancellare quella cartella sullo storage per liberarne lo spazio.",
    fixOther:
      "Due cluster che scrivono sulla stessa destinazione sono normali solo durante una migrazione: se l'altro cluster è ancora attivo, dare a ogni cluster una destinazione o una cartella propria.",
  },
};

export const DIGEST_STRINGS: Record<Language, DigestStrings> = { en, it };
