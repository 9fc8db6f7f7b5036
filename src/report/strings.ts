// SPDX-License-Identifier: GPL-3.0-or-later
// Every word a report mail can contain, per language: the run report, the destination section
// and the reason lines. `{x}` placeholders are values, filled (escaped, bidi-isolated) by
// format.ts. UI places are named as NS8's cluster-admin names them
// (core/ui/public/i18n/<lang>/translation.json): "Backup and restore" page, "Backup destinations"
// section, "Edit destination", "Run backup now", "System logs", "Nodes", "Software center".
import type { Language } from '../config.js';
import type { AnomalyKind, ErrorLogStatus, ModuleResult, Outcome } from '../domain/run.js';
import type { ConfirmationVerdict } from '../domain/destination.js';
import type { NotifyReason } from '../domain/records.js';
import type { ConclusiveVerdict, RepoVerdict } from '../domain/destination.js';
import type { StatusProblem } from '../domain/backup.js';
import { areaWords } from '../errors.js';

export interface DestinationWords {
  title: string;
  nextStep: string;
  checked: string;
  failedInRun: string;
  comparison: string;
  /** {when} {count} {size} */
  latest: string;
  latestOne: string;
  noSnapshots: string;
  /** {expected} */
  outdated: string;
  /** {age} */
  lockAge: string;
  /** {module} */
  resticSaid: string;
  unknownSize: string;
  /** Plain-language verdict of one repository / the destination. */
  verdict: Record<RepoVerdict, string>;
  /** What to do, naming the NS8 UI place. {destination} */
  action: Record<RepoVerdict, string>;
  /** Verdicts `error` and `skipped` are explained by their code. */
  codes: Record<string, string>;
  /** A destination whose repositories could be listed, for a run where something failed. */
  healthyButFailed: string;
  readable: string;
}

/**
 * Confirmed at the destination (issue #23): what was seen and what it means. Placeholders:
 * {destination} {since} {latest} {count} {retention} {reason} {before} {after} {modules}.
 */
export interface ConfirmWords {
  /** Heading. {destination} */
  title: string;
  /** {confirmed} {total} {destination} */
  summary: string;
  /** The row's result word when the destination changes it. */
  result: { unconfirmed: string; cleanup_failed: string };
  /** One line per application: what was seen and what it means. */
  seen: Record<ConfirmationVerdict, string>;
  /** Snapshots gone outside the plan. */
  loss: string;
  none: string;
  /** What to do. {modules} {destination} {planName}; stuck also {since}. */
  steps: { unconfirmed: string; cleanup_failed: string; loss: string; stuck: string };
  /** A cleanup failing run after run (the run history). {since} {runs} {destination} */
  stuck: string;
}

/** Time units for "failing for 3 days": [one, many]. */
export interface Units {
  minute: [string, string];
  hour: [string, string];
  day: [string, string];
}

export interface Strings {
  locale: string;
  headline: Record<Outcome, string>;
  /** REPO_FAILURE once the destination check confirmed a repository problem (no "possible"). */
  headlineConfirmed: string;
  /**
   * The first words of a subject, before the plan name (issue #21): short, so that state and
   * plan fit the ~40 characters an inbox shows on a phone. Digest and test message too.
   */
  subjectState: Record<Outcome, string> & {
    recovered: string;
    /** Digest: the worst plan never ran; every plan is fine. */
    neverRan: string;
    allFine: string;
    testMail: string;
  };
  /** After the plan name in a subject. {duration} */
  subjectSince: { failing: string; warning: string; down: string };
  units: Units;
  recovered: string;
  reminder: string;
  update: string;
  /** Subject suffixes. {failed} {total} / {count} */
  failedCount: string;
  warningCount: string;
  intro: Partial<Record<NotifyReason, string>> & { default: Record<Outcome, string> };
  /** A failure alert for a plan without any backup result. */
  noStatusIntro: string;
  /** A reminder about a plan whose last run saved everything, with warnings. */
  warningReminder: string;
  /** {since} */
  failingSince: string;
  stale: string;
  /** Banner lines. {plan} {destination} / {window} / {time} */
  planLine: string;
  windowLine: string;
  expectedLine: string;
  noStatusLine: string;
  counts: { saved: string; warnings: string; failed: string; notRun: string; size: string; duration: string };
  whatToDo: string;
  /** A chat or push channel's way to the plan: the link's words, or before where to open it. */
  openPlan: string;
  /** Issue #24: after the plan's link in a problem's mail (its tile has Acknowledge and Snooze). */
  silenceHint: string;
  steps: {
    /** The destination check's conclusive verdict, naming the destination: banner line and first step. {destination} */
    cause: Record<ConclusiveVerdict, string>;
    /** One bullet for every node. {nodes} {modules} {plan} {planName}; failed: with error lines in the mail, failedNoLines: without */
    failed: string;
    failedNoLines: string;
    /** {nodes} {modules} */
    notRun: string;
    /** {nodes} {expected} {planName} */
    missing: string;
    /** {destination} */
    allFailed: string;
    /** {modules} */
    warning: string;
    noStatus: string;
    none: string;
  };
  applications: string;
  /** {more} */
  moreSaved: string;
  result: Record<ModuleResult, string>;
  warningResult: string;
  /** {node} {id} / {id} */
  nodeNamed: string;
  node: string;
  /** {module} {node} */
  meta: string;
  /** {window} {duration} */
  ran: string;
  /** {size} {files} */
  size: string;
  /** {size} {change} {median} {files} */
  sizeVsUsual: string;
  /** {window} {duration} {median} */
  ranVsUsual: string;
  /** {time} */
  lastGood: string;
  lastGoodSnapshot: string;
  noLastGood: string;
  notRunDetail: string;
  anomaly: Record<AnomalyKind, string>;
  /** {saved} {runs} {time} */
  record: string;
  recordAll: string;
  recordNoFull: string;
  /** Why the error lines are missing: one line. {seconds} */
  errorLog: Record<Exclude<ErrorLogStatus, 'ok'>, string>;
  errorLinesTitle: string;
  destination: DestinationWords;
  confirm: ConfirmWords;
  /** {module} */
  footer: string;
  /** {id} */
  planId: string;
  /** A status not taken at face value (issue #25): the row's result word. */
  statusProblem: Record<StatusProblem, string>;
  /** Its detail line under the row. {node} */
  statusProblemDetail: Record<StatusProblem, string>;
  /** What to do, per node. {node} {modules} {plan} {planName} */
  statusProblemStep: Record<StatusProblem, string>;
}

const en: Strings = {
  locale: 'en-GB',
  headline: {
    SUCCESS: '✅ Backup completed successfully',
    WARNING: '⚠️ Backup completed with warnings',
    PARTIAL: '⚠️ Backup partially failed',
    REPO_FAILURE: '❌ Backup failed – possible repository error',
    MISSING: '⏰ Backup did not run',
  },
  headlineConfirmed: '❌ Backup failed – repository error',
  subjectState: {
    SUCCESS: '✅ OK',
    WARNING: '⚠️ Warning',
    PARTIAL: '⚠️ Partly failed',
    REPO_FAILURE: '❌ Failed',
    MISSING: '⏰ Did not run',
    recovered: '✅ Recovered',
    neverRan: '⏰ Never ran',
    allFine: '✅ All OK',
    testMail: '✅ Mail works',
  },
  subjectSince: { failing: 'failing for {duration}', warning: 'unusual for {duration}', down: 'down for {duration}' },
  units: { minute: ['minute', 'minutes'], hour: ['hour', 'hours'], day: ['day', 'days'] },
  recovered: '✅ Backup recovered',
  reminder: '🔁 Reminder',
  update: 'update',
  failedCount: '{failed} of {total} applications not saved',
  warningCount: '{count} to check',
  intro: {
    default: {
      SUCCESS: 'Every application of the plan was saved.',
      WARNING: 'Every application of the plan was saved, but something in this backup is unusual: check it below.',
      PARTIAL: 'Some applications of the plan were saved, others were not.',
      REPO_FAILURE:
        'No application of the plan was saved. When every application fails, the destination itself is the usual suspect.',
      MISSING: 'The plan was due to run at {expected}, but no application reported a backup.',
    },
    recovered: 'The plan works again: every application was saved.',
    reminder: 'The plan is still failing. This is a reminder of its last run.',
    update: 'More results arrived for this run after the first report. This is the complete picture.',
  },
  noStatusIntro: 'NS8 reports this plan as failed, but no application of it has a backup result yet.',
  warningReminder: 'The last run of the plan saved everything but is still unusual. This is a reminder of it.',
  failingSince: 'Failing since {since}.',
  stale:
    'No successful backup of this plan since {since}: the latest restorable data is older than the configured stale age.',
  planLine: 'Plan {plan} · destination {destination}',
  windowLine: '{window}',
  expectedLine: 'Expected at {time}',
  noStatusLine: 'No application has reported a result yet · alert received {time}',
  counts: {
    saved: 'saved',
    warnings: 'to check',
    failed: 'failed',
    notRun: 'not run',
    size: 'total size',
    duration: 'duration',
  },
  whatToDo: 'What to do',
  openPlan: 'Open the plan',
  silenceHint: 'Already known? Acknowledge or snooze it there.',
  steps: {
    cause: {
      unreachable: 'The destination {destination} could not be reached',
      auth: 'The destination {destination} refused the credentials',
      missing: 'The repository at the destination {destination} does not exist or is not initialised',
      wrong_password: 'The repository at the destination {destination} does not accept the encryption password',
      locked: 'The repository at the destination {destination} is locked by another operation',
      corrupt: 'The repository at the destination {destination} is damaged',
      timeout: 'The destination {destination} did not answer in time',
      forbidden: 'NS8 refused to check the destination {destination}: Backup monitor lacks the cluster reader role',
    },
    failed:
      'Failed: {modules}. Read their error lines below; for the whole log, open System logs for {nodes} or run `journalctl -u backup{plan}` there. Then: Backup and restore > {planName} > Run backup now.',
    failedNoLines:
      'Failed: {modules}. The error text is in the log: open System logs for {nodes} or run `journalctl -u backup{plan}` there. Then: Backup and restore > {planName} > Run backup now.',
    notRun:
      'No result: {modules}. The node may be down, or the application was busy with another backup for an hour: check {nodes} in Nodes.',
    missing:
      'Check that nodes {nodes} were online at {expected} and that the plan is enabled in Backup and restore. Scheduled runs missed while a node is off are not repeated: run the plan now from Backup and restore > {planName} > Run backup now.',
    allFailed:
      'Check the destination {destination} in Backup and restore > Backup destinations (reachable, credentials, free space).',
    warning:
      "Check {modules}: the backup saved much more or much less than usual, or no files. If data was removed or added on purpose, nothing is wrong; otherwise look at the application's data now, while older snapshots can still restore it.",
    noStatus:
      'NS8 has no backup result for this plan yet: check in Backup and restore that the plan has run at least once and that its applications exist.',
    none: 'Nothing to do.',
  },
  applications: 'Applications',
  moreSaved: '… and {more} more applications saved.',
  result: { success: 'saved', failed: 'FAILED', not_run: 'not run' },
  warningResult: 'saved – check',
  nodeNamed: '{node} (node {id})',
  node: 'node {id}',
  meta: '{module} · {node}',
  ran: 'Ran {window} ({duration})',
  size: 'Size {size} · {files} files',
  sizeVsUsual: 'Size {size} ({change} vs usual {median}) · {files} files',
  ranVsUsual: 'Ran {window} ({duration}; usually {median})',
  lastGood: 'Last successful backup: {time}',
  lastGoodSnapshot: 'Latest snapshot at the destination: {time}',
  noLastGood: 'No successful backup in the kept history',
  notRunDetail: 'No result from this application in this run.',
  anomaly: {
    shrink: 'Saved {size}: less than half of its usual {median} (median of its last {runs} backups).',
    growth: 'Saved {size}: more than twice its usual {median} (median of its last {runs} backups).',
    zero_files: 'The backup holds no files.',
    cleanup_failed: 'Saved, but removing old snapshots failed: the repository grows.',
    snapshots_deleted: 'Snapshots were deleted at the destination outside the plan.',
  },
  record: '{saved} of the last {runs} runs saved everything; last full success {time}.',
  recordAll: 'The last {runs} runs saved everything.',
  recordNoFull: '{saved} of the last {runs} runs saved everything; no full success in the kept history.',
  errorLog: {
    empty: 'The cluster logs have no error lines for this backup run.',
    no_loki: 'Error lines cannot be shown: the cluster has no log server (Loki).',
    unreachable: 'Error lines could not be read: the cluster log server (Loki) did not answer.',
    auth: 'Error lines could not be read: the cluster log server (Loki) refused the credentials.',
    timeout: 'Error lines could not be read: the cluster log server (Loki) did not answer within {seconds} s.',
    error: 'Error lines could not be read: the cluster log server (Loki) gave an unexpected answer.',
  },
  errorLinesTitle: 'From the backup log:',
  destination: {
    title: 'Destination {name}',
    nextStep: 'Next step',
    checked: 'Repositories checked',
    failedInRun: 'failed in this run',
    comparison: 'comparison, succeeded in this run',
    latest: 'latest snapshot {when}, {count} snapshots, {size}',
    latestOne: 'latest snapshot {when}, 1 snapshot, {size}',
    noSnapshots: 'no snapshots',
    outdated: 'older than the last expected run ({expected})',
    lockAge: 'lock created {age} ago',
    resticSaid: 'Technical details ({module})',
    unknownSize: 'size unknown',
    verdict: {
      healthy: 'the destination answers: its repositories can be listed',
      unreachable: 'the destination could not be reached',
      auth: 'the destination refused the credentials',
      missing: 'the repository does not exist or is not initialised',
      wrong_password: 'the repository does not accept the encryption password',
      locked: 'the repository is locked by another operation',
      corrupt: 'the repository is damaged',
      timeout: 'the destination did not answer in time',
      forbidden: 'NS8 refused to run the check: Backup monitor lacks the cluster reader role',
      error: 'the destination could not be checked',
      skipped: 'not checked',
    },
    action: {
      healthy:
        'read the error lines of the failed applications above, then start the plan again with Run backup now in Backup and restore.',
      unreachable:
        'check that the storage of {destination} (NAS, server or cloud bucket) is online and reachable from the cluster nodes, then check its address in Backup and restore > Backup destinations > Edit destination.',
      auth: 'check the credentials of {destination} (access key, user name, password) in Backup and restore > Backup destinations > Edit destination.',
      missing:
        'check that the path of {destination} was not changed, moved or emptied (Backup and restore > Backup destinations). The next successful backup creates a new repository: use Run backup now.',
      wrong_password:
        'the repository at {destination} was created with another encryption password, for example by another cluster or a re-created destination. Import the destination again with its original password in Backup and restore > Backup destinations, or point the plan to a new destination.',
      locked:
        'wait for the running backup or cleanup on {destination} to end. A lock older than the longest backup was left by an interrupted operation: the system administrator can remove it with `restic unlock` on that repository.',
      corrupt:
        'do not remove old snapshots from {destination}. Have the system administrator run `restic check` on the repository, and start a new backup on another destination (Backup and restore > Backup destinations) to have a safe copy.',
      timeout:
        'the storage of {destination} is slow or hung: check its load and the network between the nodes and the destination. The check runs again with the next report.',
      forbidden:
        'update Backup monitor in Software center, so that it may check {destination}: installing the new version applies its cluster:reader authorization again.',
      error: 'this says nothing about the destination itself. Look at the Backup monitor messages in System logs.',
      skipped: 'the time allowed for checks ran out; they run again with the next report.',
    },
    codes: areaWords('repocheck', 'en'),
    healthyButFailed:
      'The destination is reachable and accepts the credentials. This check only lists snapshots: it does not read the saved data, so it cannot tell whether data files are missing or damaged.',
    readable: 'snapshots listed',
  },
  confirm: {
    title: 'Confirmed at {destination}',
    summary: '{confirmed} of {total} applications have a snapshot of this run at {destination}.',
    result: { unconfirmed: 'not found at the destination', cleanup_failed: 'saved, cleanup failed' },
    seen: {
      confirmed: 'snapshot of {latest} at {destination} ({count} kept): saved.',
      unconfirmed:
        'no snapshot newer than {since} at {destination} (latest: {latest}, {count} snapshots): NS8 reported it saved, but this run left nothing there, so it is not counted as saved.',
      cleanup_failed:
        'snapshot of {latest} at {destination}, but NS8 reported the run failed and the repository holds {count} snapshots where the plan keeps {retention}: the data is saved; removing old snapshots (restic forget --prune) failed, so the repository grows.',
      not_saved:
        'no snapshot newer than {since} at {destination}: the destination agrees, nothing of this run was saved.',
      not_checked: 'not checked at {destination}: {reason}. Nothing is concluded about it.',
    },
    loss: '{before} snapshots at the previous check, {after} now, and the plan keeps {retention}: snapshots were deleted at {destination} outside the plan (a replaced or emptied share, or files deleted on the storage).',
    none: 'none',
    steps: {
      unconfirmed:
        'NS8 reported {modules} saved, but {destination} holds no snapshot of this run: run the backup again (Backup and restore > {planName} > Run backup now) and check that {destination} is the storage the plan really writes to.',
      cleanup_failed:
        'Old snapshots of {modules} are not being removed at {destination} (restic forget --prune failed; a stale lock left by an interrupted operation is a known cause): the data is saved, but the repository grows. Look for "retention policy failed" in System logs of the node; the system administrator can remove a stale lock with `restic unlock`.',
      loss: 'Snapshots of {modules} were deleted at {destination} outside the plan: check who can write to that storage and whether the share was replaced or emptied, and raise the retention or pause the plan before the older snapshots left are pruned.',
      stuck:
        'Retention has failed on every run of {modules} since {since}: the repository at {destination} keeps growing and will fill the storage. Look for "retention policy failed" in System logs of the node; the system administrator can remove a stale lock with `restic unlock`, then run the backup again (Backup and restore > {planName} > Run backup now).',
    },
    stuck:
      'Retention has failed on every run since {since} ({runs} runs in a row): the repository at {destination} keeps growing.',
  },
  footer: 'Sent by {module}, the NethServer 8 backup monitor.',
  planId: 'Plan ID {id}',
  statusProblem: { clock_ahead: 'dated in the future', unreadable: 'status unreadable' },
  statusProblemDetail: {
    clock_ahead:
      'NS8 recorded this backup with a date in the future: the clock of {node} is off. The result cannot be trusted, so the application is not counted as saved.',
    unreadable:
      "NS8's record of this backup cannot be read (its start or error count is not a number), so the application is not counted as saved.",
  },
  statusProblemStep: {
    clock_ahead:
      'The clock of {node} is off: {modules} reported a backup dated in the future. Set the date and time of that node right (`timedatectl` on the node must say "System clock synchronized: yes"), then run the plan again: Backup and restore > {planName} > Run backup now.',
    unreadable:
      'The backup result of {modules} on {node} cannot be read. Run the plan again: Backup and restore > {planName} > Run backup now. If it stays unreadable, read `journalctl -u backup{plan}` on that node.',
  },
};

const it: Strings = {
  locale: 'it-IT',
  headline: {
    SUCCESS: '✅ Backup completato con successo',
    WARNING: '⚠️ Backup completato con avvisi',
    PARTIAL: '⚠️ Backup parzialmente fallito',
    REPO_FAILURE: '❌ Backup fallito – possibile errore del repository',
    MISSING: '⏰ Backup non eseguito',
  },
  headlineConfirmed: '❌ Backup fallito – errore del repository',
  subjectState: {
    SUCCESS: '✅ OK',
    WARNING: '⚠️ Con avvisi',
    PARTIAL: '⚠️ Parziale',
    REPO_FAILURE: '❌ Fallito',
    MISSING: '⏰ Non eseguito',
    recovered: '✅ Di nuovo OK',
    neverRan: '⏰ Mai eseguito',
    allFine: '✅ Tutto OK',
    testMail: '✅ La posta funziona',
  },
  subjectSince: {
    failing: 'in errore da {duration}',
    warning: 'insolito da {duration}',
    down: 'dopo {duration} in errore',
  },
  units: { minute: ['minuto', 'minuti'], hour: ['ora', 'ore'], day: ['giorno', 'giorni'] },
  recovered: '✅ Backup ripristinato',
  reminder: '🔁 Promemoria',
  update: 'aggiornamento',
  failedCount: '{failed} applicazioni su {total} non salvate',
  warningCount: '{count} da verificare',
  intro: {
    default: {
      SUCCESS: 'Tutte le applicazioni del piano sono state salvate.',
      WARNING:
        'Tutte le applicazioni del piano sono state salvate, ma in questo backup qualcosa è insolito: verificare qui sotto.',
      PARTIAL: 'Alcune applicazioni del piano sono state salvate, altre no.',
      REPO_FAILURE:
        'Nessuna applicazione del piano è stata salvata. Quando falliscono tutte, di solito il problema è la destinazione.',
      MISSING: 'Il piano doveva essere eseguito alle {expected}, ma nessuna applicazione ha registrato un backup.',
    },
    recovered: 'Il piano funziona di nuovo: tutte le applicazioni sono state salvate.',
    reminder: 'Il piano continua a fallire. Questo è un promemoria della sua ultima esecuzione.',
    update: 'Dopo il primo rapporto sono arrivati altri risultati per questa esecuzione. Questo è il quadro completo.',
  },
  noStatusIntro: 'NS8 segnala questo piano come fallito, ma nessuna sua applicazione ha ancora un risultato di backup.',
  warningReminder: "L'ultima esecuzione del piano ha salvato tutto ma resta insolita. Questo è un promemoria.",
  failingSince: 'In errore dal {since}.',
  stale:
    "Nessun backup riuscito di questo piano dal {since}: gli ultimi dati ripristinabili sono più vecchi dell'età massima configurata.",
  planLine: 'Piano {plan} · destinazione {destination}',
  windowLine: '{window}',
  expectedLine: 'Previsto alle {time}',
  noStatusLine: 'Nessuna applicazione ha ancora registrato un risultato · allarme ricevuto {time}',
  counts: {
    saved: 'salvate',
    warnings: 'da verificare',
    failed: 'fallite',
    notRun: 'non eseguite',
    size: 'dimensione totale',
    duration: 'durata',
  },
  whatToDo: 'Cosa fare',
  openPlan: 'Aprire il piano',
  silenceHint: 'Già noto? Lì è possibile prenderlo in carico o sospenderlo.',
  steps: {
    cause: {
      unreachable: 'La destinazione {destination} non è raggiungibile',
      auth: 'La destinazione {destination} ha rifiutato le credenziali',
      missing: 'Il repository nella destinazione {destination} non esiste o non è inizializzato',
      wrong_password: 'Il repository nella destinazione {destination} non accetta la password di crittografia',
      locked: "Il repository nella destinazione {destination} è bloccato da un'altra operazione",
      corrupt: 'Il repository nella destinazione {destination} è danneggiato',
      timeout: 'La destinazione {destination} non ha risposto in tempo',
      forbidden:
        'NS8 ha rifiutato il controllo della destinazione {destination}: Backup monitor non ha il ruolo reader del cluster',
    },
    failed:
      'Fallito: {modules}. Leggere le righe di errore qui sotto; per il log completo aprire Log di sistema per {nodes} o eseguire lì `journalctl -u backup{plan}`. Poi: Backup e ripristino > {planName} > Eseguire il backup ora.',
    failedNoLines:
      "Fallito: {modules}. Il testo dell'errore è nel log: aprire Log di sistema per {nodes} o eseguire lì `journalctl -u backup{plan}`. Poi: Backup e ripristino > {planName} > Eseguire il backup ora.",
    notRun:
      "Nessun risultato: {modules}. Il nodo potrebbe essere spento, o l'applicazione occupata da un altro backup per un'ora: verificare {nodes} in Nodi.",
    missing:
      'Verificare che i nodi {nodes} fossero online alle {expected} e che il piano sia abilitato in Backup e ripristino. Le esecuzioni perse mentre un nodo è spento non vengono ripetute: eseguire ora il piano da Backup e ripristino > {planName} > Eseguire il backup ora.',
    allFailed:
      'Controllare la destinazione {destination} in Backup e ripristino > Destinazioni backup (raggiungibilità, credenziali, spazio libero).',
    warning:
      "Verificare {modules}: il backup ha salvato molto più o molto meno del solito, oppure nessun file. Se i dati sono stati rimossi o aggiunti di proposito va tutto bene; altrimenti controllare subito i dati dell'applicazione, finché gli snapshot precedenti possono ancora ripristinarli.",
    noStatus:
      'NS8 non ha ancora un risultato di backup per questo piano: verificare in Backup e ripristino che il piano sia stato eseguito almeno una volta e che le sue applicazioni esistano.',
    none: 'Nessuna azione necessaria.',
  },
  applications: 'Applicazioni',
  moreSaved: '… e altre {more} applicazioni salvate.',
  result: { success: 'salvato', failed: 'FALLITO', not_run: 'non eseguito' },
  warningResult: 'salvato – da verificare',
  nodeNamed: '{node} (nodo {id})',
  node: 'nodo {id}',
  meta: '{module} · {node}',
  ran: 'Eseguito {window} ({duration})',
  size: 'Dimensione {size} · {files} file',
  sizeVsUsual: 'Dimensione {size} ({change} rispetto al solito {median}) · {files} file',
  ranVsUsual: 'Eseguito {window} ({duration}; di solito {median})',
  lastGood: 'Ultimo backup riuscito: {time}',
  lastGoodSnapshot: 'Ultimo snapshot nella destinazione: {time}',
  noLastGood: 'Nessun backup riuscito nello storico conservato',
  notRunDetail: 'Nessun risultato da questa applicazione in questa esecuzione.',
  anomaly: {
    shrink: 'Salvati {size}: meno della metà del solito {median} (mediana degli ultimi {runs} backup).',
    growth: 'Salvati {size}: più del doppio del solito {median} (mediana degli ultimi {runs} backup).',
    zero_files: 'Il backup non contiene alcun file.',
    cleanup_failed: 'Salvato, ma la rimozione degli snapshot vecchi non è riuscita: il repository cresce.',
    snapshots_deleted: 'Alcuni snapshot sono stati cancellati nella destinazione al di fuori del piano.',
  },
  record: '{saved} delle ultime {runs} esecuzioni hanno salvato tutto; ultimo successo completo {time}.',
  recordAll: 'Le ultime {runs} esecuzioni hanno salvato tutto.',
  recordNoFull:
    '{saved} delle ultime {runs} esecuzioni hanno salvato tutto; nessun successo completo nello storico conservato.',
  errorLog: {
    empty: 'I log del cluster non contengono righe di errore per questa esecuzione del backup.',
    no_loki: 'Impossibile mostrare le righe di errore: il cluster non ha un server di log (Loki).',
    unreachable: 'Impossibile leggere le righe di errore: il server di log del cluster (Loki) non ha risposto.',
    auth: 'Impossibile leggere le righe di errore: il server di log del cluster (Loki) ha rifiutato le credenziali.',
    timeout:
      'Impossibile leggere le righe di errore: il server di log del cluster (Loki) non ha risposto entro {seconds} s.',
    error: 'Impossibile leggere le righe di errore: il server di log del cluster (Loki) ha dato una risposta inattesa.',
  },
  errorLinesTitle: 'Dal log del backup:',
  destination: {
    title: 'Destinazione {name}',
    nextStep: 'Cosa fare',
    checked: 'Repository controllati',
    failedInRun: 'fallito in questa esecuzione',
    comparison: 'confronto, riuscito in questa esecuzione',
    latest: 'ultimo snapshot {when}, {count} snapshot, {size}',
    latestOne: 'ultimo snapshot {when}, 1 snapshot, {size}',
    noSnapshots: 'nessuno snapshot',
    outdated: "più vecchio dell'ultima esecuzione prevista ({expected})",
    lockAge: 'blocco creato {age} fa',
    resticSaid: 'Dettagli tecnici ({module})',
    unknownSize: 'dimensione sconosciuta',
    verdict: {
      healthy: 'la destinazione risponde: i suoi repository possono essere elencati',
      unreachable: 'la destinazione non è raggiungibile',
      auth: 'la destinazione ha rifiutato le credenziali',
      missing: 'il repository non esiste o non è inizializzato',
      wrong_password: 'il repository non accetta la password di crittografia',
      locked: "il repository è bloccato da un'altra operazione",
      corrupt: 'il repository è danneggiato',
      timeout: 'la destinazione non ha risposto in tempo',
      forbidden: 'NS8 ha rifiutato il controllo: Backup monitor non ha il ruolo reader del cluster',
      error: 'non è stato possibile controllare la destinazione',
      skipped: 'non controllato',
    },
    action: {
      healthy:
        'leggere le righe di errore delle applicazioni fallite qui sopra, poi rieseguire il piano con Eseguire il backup ora in Backup e ripristino.',
      unreachable:
        "verificare che lo storage di {destination} (NAS, server o bucket cloud) sia acceso e raggiungibile dai nodi del cluster, poi controllarne l'indirizzo in Backup e ripristino > Destinazioni backup > Modifica destinazione.",
      auth: 'verificare le credenziali di {destination} (chiave di accesso, utente, password) in Backup e ripristino > Destinazioni backup > Modifica destinazione.',
      missing:
        'verificare che il percorso di {destination} non sia stato cambiato, spostato o svuotato (Backup e ripristino > Destinazioni backup). Il prossimo backup riuscito crea un nuovo repository: usare Eseguire il backup ora.',
      wrong_password:
        "il repository in {destination} è stato creato con un'altra password di crittografia, per esempio da un altro cluster o da una destinazione ricreata. Importare di nuovo la destinazione con la password originale in Backup e ripristino > Destinazioni backup, oppure usare una nuova destinazione.",
      locked:
        "attendere la fine del backup o della pulizia in corso su {destination}. Un blocco più vecchio del backup più lungo è rimasto da un'operazione interrotta: l'amministratore di sistema può rimuoverlo con `restic unlock` su quel repository.",
      corrupt:
        "non rimuovere i vecchi snapshot da {destination}. Far eseguire `restic check` sul repository all'amministratore di sistema e avviare un backup su un'altra destinazione (Backup e ripristino > Destinazioni backup) per avere una copia sicura.",
      timeout:
        'lo storage di {destination} è lento o bloccato: verificarne il carico e la rete tra i nodi e la destinazione. Il controllo viene ripetuto con il prossimo rapporto.',
      forbidden:
        "aggiornare Backup monitor dal Software center, perché possa controllare {destination}: l'installazione della nuova versione riapplica l'autorizzazione cluster:reader.",
      error: 'questo non dice nulla sulla destinazione. Consultare i messaggi di Backup monitor in Log di sistema.',
      skipped: 'il tempo previsto per i controlli è finito; verranno ripetuti con il prossimo rapporto.',
    },
    codes: areaWords('repocheck', 'it'),
    healthyButFailed:
      'La destinazione è raggiungibile e accetta le credenziali. Questo controllo elenca solo gli snapshot: non legge i dati salvati, quindi non può dire se mancano file di dati o se sono danneggiati.',
    readable: 'snapshot elencati',
  },
  confirm: {
    title: 'Conferma in {destination}',
    summary: '{confirmed} applicazioni su {total} hanno uno snapshot di questa esecuzione in {destination}.',
    result: { unconfirmed: 'non trovato nella destinazione', cleanup_failed: 'salvato, pulizia non riuscita' },
    seen: {
      confirmed: 'snapshot del {latest} in {destination} ({count} conservati): salvato.',
      unconfirmed:
        "nessuno snapshot più recente del {since} in {destination} (ultimo: {latest}, {count} snapshot): NS8 l'ha dato per salvato, ma questa esecuzione non vi ha lasciato nulla, quindi non è contato come salvato.",
      cleanup_failed:
        "snapshot del {latest} in {destination}, ma NS8 ha segnalato l'esecuzione come fallita e il repository contiene {count} snapshot mentre il piano ne conserva {retention}: i dati sono salvati; la rimozione degli snapshot vecchi (restic forget --prune) non è riuscita, quindi il repository cresce.",
      not_saved:
        'nessuno snapshot più recente del {since} in {destination}: la destinazione conferma che nulla di questa esecuzione è stato salvato.',
      not_checked: 'non controllato in {destination}: {reason}. Non se ne conclude nulla.',
    },
    loss: '{before} snapshot al controllo precedente, {after} ora, e il piano ne conserva {retention}: alcuni snapshot sono stati cancellati in {destination} al di fuori del piano (una condivisione sostituita o svuotata, o file cancellati sullo storage).',
    none: 'nessuno',
    steps: {
      unconfirmed:
        'NS8 ha dato {modules} per salvato, ma {destination} non contiene alcuno snapshot di questa esecuzione: rieseguire il backup (Backup e ripristino > {planName} > Eseguire il backup ora) e verificare che {destination} sia lo storage su cui il piano scrive davvero.',
      cleanup_failed:
        'Gli snapshot vecchi di {modules} non vengono rimossi in {destination} (restic forget --prune non è riuscito; un lock rimasto da un\'operazione interrotta è una causa nota): i dati sono salvati, ma il repository cresce. Cercare "retention policy failed" nei Log di sistema del nodo; l\'amministratore di sistema può rimuovere un lock rimasto con `restic unlock`.',
      loss: 'Alcuni snapshot di {modules} sono stati cancellati in {destination} al di fuori del piano: verificare chi può scrivere su quello storage e se la condivisione è stata sostituita o svuotata, e aumentare la retention o sospendere il piano prima che gli snapshot vecchi rimasti vengano eliminati.',
      stuck:
        'La retention non è riuscita in nessuna esecuzione di {modules} dal {since}: il repository in {destination} continua a crescere e riempirà lo storage. Cercare "retention policy failed" nei Log di sistema del nodo; l\'amministratore di sistema può rimuovere un lock rimasto con `restic unlock`, poi rieseguire il backup (Backup e ripristino > {planName} > Eseguire il backup ora).',
    },
    stuck:
      'La retention non è riuscita in nessuna esecuzione dal {since} ({runs} esecuzioni di seguito): il repository in {destination} continua a crescere.',
  },
  footer: 'Inviato da {module}, il monitor dei backup di NethServer 8.',
  planId: 'ID piano {id}',
  statusProblem: { clock_ahead: 'datato nel futuro', unreadable: 'stato illeggibile' },
  statusProblemDetail: {
    clock_ahead:
      "NS8 ha registrato questo backup con una data nel futuro: l'orologio di {node} non è corretto. Il risultato non è affidabile, quindi l'applicazione non è contata come salvata.",
    unreadable:
      "Il registro NS8 di questo backup non è leggibile (l'inizio o il numero di errori non è un numero), quindi l'applicazione non è contata come salvata.",
  },
  statusProblemStep: {
    clock_ahead:
      'L\'orologio di {node} non è corretto: {modules} ha registrato un backup datato nel futuro. Correggere data e ora di quel nodo (`timedatectl` sul nodo deve dire "System clock synchronized: yes"), poi rieseguire il piano: Backup e ripristino > {planName} > Eseguire il backup ora.',
    unreadable:
      'Il risultato del backup di {modules} su {node} non è leggibile. Rieseguire il piano: Backup e ripristino > {planName} > Eseguire il backup ora. Se resta illeggibile, leggere `journalctl -u backup{plan}` su quel nodo.',
  },
};

export const STRINGS: Record<Language, Strings> = { en, it };

/** Fills `{name}` placeholders in plain text (HTML and isolation: fillHtml/fillText in format.ts). */
export const fill = (template: string, vars: Record<string, string | number>): string =>
  template.replace(/\{(\w+)\}/g, (m, k: string) => (vars[k] === undefined ? m : String(vars[k])));

/**
 * Issue #24: the words of mails that are not a run's plain report. `subject` goes after the state
 * and the plan in the subject; `intro` opens the mail. {plan} {since} {usual} {modules} {max}
 */
export interface NoticeWords {
  /** A snooze that ended by itself while the plan still fails. */
  snoozeEnded: { subject: string; intro: string };
  /** The mail that also goes to the escalation recipients. {duration} */
  escalated: { subject: string; intro: string };
  /** A run still open long after its usual duration. */
  stuck: {
    state: string;
    subject: string;
    /** The seed-style words after the subject prefix (mail filters match them). */
    headline: string;
    intro: string;
    /** When the plan has no usual duration to compare with. */
    introNoUsual: string;
    /** When a maximum run duration set by the admin made it stuck. {maximum} */
    introMaximum: string;
    waiting: string;
    next: string;
  };
}

export const NOTICE_STRINGS: Record<Language, NoticeWords> = {
  en: {
    snoozeEnded: { subject: 'Snooze ended', intro: 'Snooze ended: {plan} is still failing.' },
    escalated: {
      subject: 'Escalated',
      intro:
        'Escalated: {plan} has been failing for {duration} and nobody acknowledged it. This mail also goes to the escalation recipients.',
    },
    stuck: {
      state: '⏳ Still running',
      subject: 'since {since}',
      headline: '⏳ Backup still running',
      intro: '{plan} has been running since {since}; it usually takes {usual}.',
      introNoUsual: '{plan} has been running since {since}.',
      introMaximum: '{plan} has been running since {since}, longer than the maximum of {maximum} set for this plan.',
      waiting: 'Not reported yet: {modules}.',
      next: 'Its report follows when the run ends; applications that have not reported by {max} are reported as not run.',
    },
  },
  it: {
    snoozeEnded: { subject: 'Sospensione finita', intro: 'Sospensione finita: {plan} continua a fallire.' },
    escalated: {
      subject: 'Inoltrato',
      intro:
        'Inoltrato: {plan} fallisce da {duration} e nessuno ne ha preso atto. Questa mail va anche ai destinatari dell’inoltro.',
    },
    stuck: {
      state: '⏳ Ancora in corso',
      subject: 'dalle {since}',
      headline: '⏳ Backup ancora in corso',
      intro: '{plan} è in corso dalle {since}; di solito dura {usual}.',
      introNoUsual: '{plan} è in corso dalle {since}.',
      introMaximum: '{plan} è in corso dalle {since}, oltre il massimo di {maximum} impostato per questo piano.',
      waiting: 'Non hanno ancora risposto: {modules}.',
      next: 'Il rapporto segue quando l’esecuzione finisce; le applicazioni che non rispondono entro le {max} risultano non eseguite.',
    },
  },
};

/**
 * Issue #24 item 5 on the channels besides email (report/channel-message.ts): the words of a stuck
 * run's message that the mail says otherwise. The rest comes from NOTICE_STRINGS.stuck.
 */
export interface ChannelNoticeWords {
  stuck: {
    /** The heading of the lines under the title. */
    stepsTitle: string;
    /** In the counts, beside "saved" and "failed": applications still at work. */
    pending: string;
    /** When the service's longest run time is not known to the channel. */
    nextNoMax: string;
  };
}

export const CHANNEL_NOTICE_STRINGS: Record<Language, ChannelNoticeWords> = {
  en: {
    stuck: {
      stepsTitle: 'Where it stands',
      pending: 'not reported yet',
      nextNoMax: 'Its report follows when the run ends.',
    },
  },
  it: {
    stuck: {
      stepsTitle: 'A che punto è',
      pending: 'ancora senza risposta',
      nextNoMax: 'Il rapporto segue quando l’esecuzione finisce.',
    },
  },
};
