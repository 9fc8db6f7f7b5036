// SPDX-License-Identifier: GPL-3.0-or-later
// Words of the destination section, per language. UI places are named as NS8's cluster-admin
// names them (core/ui/public/i18n/<lang>/translation.json): "Backup and restore" page,
// "Backup destinations" section, "Edit destination", "Run backup now", "System logs".
import type { RepoVerdict } from './types.js';

export interface Strings {
  title: (name: string) => string;
  nextStep: string;
  checked: string;
  failedInRun: string;
  comparison: string;
  latest: (when: string, count: number, size: string) => string;
  noSnapshots: string;
  outdated: (expected: string) => string;
  lockAge: (age: string) => string;
  resticSaid: (module: string) => string;
  unknownSize: string;
  /** Plain-language verdict of one repository / the destination. */
  verdict: Record<RepoVerdict, string>;
  /** What to do, naming the NS8 UI place. */
  action: Record<RepoVerdict, string>;
  /** Verdict `error` and `skipped` are explained by their code. */
  codes: Record<string, string>;
  healthyButFailed: string;
  /** One repository that could be read. */
  readable: string;
}

const en: Strings = {
  title: (n) => `Destination "${n}"`,
  nextStep: 'Next step',
  checked: 'Repositories checked',
  failedInRun: 'failed in this run',
  comparison: 'comparison, succeeded in this run',
  latest: (w, c, s) => `latest snapshot ${w}, ${c} snapshot${c === 1 ? '' : 's'}, ${s}`,
  noSnapshots: 'no snapshots',
  outdated: (e) => `older than the last expected run (${e})`,
  lockAge: (a) => `lock created ${a} ago`,
  resticSaid: (m) => `Technical details (${m})`,
  unknownSize: 'size unknown',
  verdict: {
    healthy: 'the destination works: its repositories can be read',
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
    healthy: 'the failure happened in the application\'s own backup step. Look for its errors in System logs, then start it again with Run backup now in Backup and restore.',
    unreachable: 'check that the storage (NAS, server or cloud bucket) is online and reachable from the cluster nodes, then check its address in Backup and restore > Backup destinations > Edit destination.',
    auth: 'check the destination\'s credentials (access key, user name, password) in Backup and restore > Backup destinations > Edit destination.',
    missing: 'check that the destination path was not changed, moved or emptied (Backup and restore > Backup destinations). The next successful backup creates a new repository: use Run backup now.',
    wrong_password: 'the repository was created with another encryption password, for example by another cluster or a re-created destination. Import the destination again with its original password in Backup and restore > Backup destinations, or point the plan to a new destination.',
    locked: 'wait for the running backup or cleanup to end. A lock older than the longest backup was left by an interrupted operation: the system administrator can remove it with `restic unlock` on that repository.',
    corrupt: 'do not remove old snapshots. Have the system administrator run `restic check` on the repository, and start a new backup on another destination (Backup and restore > Backup destinations) to have a safe copy.',
    timeout: 'the storage is slow or hung: check its load and the network between the nodes and the destination. The check runs again with the next report.',
    forbidden: 'update Backup monitor in Software center: installing the new version applies its cluster:reader authorization again.',
    error: 'this says nothing about the destination itself. Look at the Backup monitor messages in System logs.',
    skipped: 'the time allowed for checks ran out; they run again with the next report.',
  },
  codes: {
    API_UNREACHABLE: 'the NS8 API server did not answer',
    API_AUTH: 'the NS8 API server refused Backup monitor\'s credentials',
    API_AGENT_DOWN: 'the cluster agent on the leader node is not running',
    API_NOT_LEADER: 'the API server is not on the leader node',
    API_RATE_LIMITED: 'the NS8 API server is busy',
    API_SERVER_ERROR: 'the NS8 API server failed',
    API_BAD_RESPONSE: 'the NS8 API server gave an unexpected answer',
    API_ABORTED: 'the check was cancelled',
    API_TIMEOUT: 'the NS8 API server did not answer in time',
    TASK_ACTION_MISSING: 'this NS8 version has no read-backup-snapshots action',
    TASK_INPUT_INVALID: 'NS8 rejected the request',
    TASK_OUTPUT_INVALID: 'NS8 returned an unreadable snapshot list',
    REPO_ERROR: 'restic reported an unexpected error',
    CHECK_SKIPPED_BUDGET: 'the time allowed for checks ran out',
    CHECK_SKIPPED_DESTINATION: 'not needed: the destination itself failed',
    CHECK_INTERNAL_ERROR: 'internal error of Backup monitor',
  },
  healthyButFailed: 'The destination works, so the problem is in the application, not in the storage.',
  readable: 'readable',
};

const it: Strings = {
  title: (n) => `Destinazione "${n}"`,
  nextStep: 'Cosa fare',
  checked: 'Repository controllati',
  failedInRun: 'fallito in questa esecuzione',
  comparison: 'confronto, riuscito in questa esecuzione',
  latest: (w, c, s) => `ultimo snapshot ${w}, ${c} snapshot, ${s}`,
  noSnapshots: 'nessuno snapshot',
  outdated: (e) => `più vecchio dell'ultima esecuzione prevista (${e})`,
  lockAge: (a) => `blocco creato ${a} fa`,
  resticSaid: (m) => `Dettagli tecnici (${m})`,
  unknownSize: 'dimensione sconosciuta',
  verdict: {
    healthy: 'la destinazione funziona: i suoi repository sono leggibili',
    unreachable: 'la destinazione non è raggiungibile',
    auth: 'la destinazione ha rifiutato le credenziali',
    missing: 'il repository non esiste o non è inizializzato',
    wrong_password: 'il repository non accetta la password di crittografia',
    locked: 'il repository è bloccato da un\'altra operazione',
    corrupt: 'il repository è danneggiato',
    timeout: 'la destinazione non ha risposto in tempo',
    forbidden: 'NS8 ha rifiutato il controllo: Backup monitor non ha il ruolo reader del cluster',
    error: 'non è stato possibile controllare la destinazione',
    skipped: 'non controllato',
  },
  action: {
    healthy: 'l\'errore è avvenuto nella fase di backup dell\'applicazione. Cercare i suoi errori in Log di sistema, poi rilanciarlo con Eseguire il backup ora in Backup e ripristino.',
    unreachable: 'verificare che lo storage (NAS, server o bucket cloud) sia acceso e raggiungibile dai nodi del cluster, poi controllarne l\'indirizzo in Backup e ripristino > Destinazioni backup > Modifica destinazione.',
    auth: 'verificare le credenziali della destinazione (chiave di accesso, utente, password) in Backup e ripristino > Destinazioni backup > Modifica destinazione.',
    missing: 'verificare che il percorso della destinazione non sia stato cambiato, spostato o svuotato (Backup e ripristino > Destinazioni backup). Il prossimo backup riuscito crea un nuovo repository: usare Eseguire il backup ora.',
    wrong_password: 'il repository è stato creato con un\'altra password di crittografia, per esempio da un altro cluster o da una destinazione ricreata. Importare di nuovo la destinazione con la password originale in Backup e ripristino > Destinazioni backup, oppure usare una nuova destinazione.',
    locked: 'attendere la fine del backup o della pulizia in corso. Un blocco più vecchio del backup più lungo è rimasto da un\'operazione interrotta: l\'amministratore di sistema può rimuoverlo con `restic unlock` su quel repository.',
    corrupt: 'non rimuovere i vecchi snapshot. Far eseguire `restic check` sul repository all\'amministratore di sistema e avviare un backup su un\'altra destinazione (Backup e ripristino > Destinazioni backup) per avere una copia sicura.',
    timeout: 'lo storage è lento o bloccato: verificarne il carico e la rete tra i nodi e la destinazione. Il controllo viene ripetuto con il prossimo rapporto.',
    forbidden: 'aggiornare Backup monitor dal Software center: l\'installazione della nuova versione riapplica l\'autorizzazione cluster:reader.',
    error: 'questo non dice nulla sulla destinazione. Consultare i messaggi di Backup monitor in Log di sistema.',
    skipped: 'il tempo previsto per i controlli è finito; verranno ripetuti con il prossimo rapporto.',
  },
  codes: {
    API_UNREACHABLE: 'il server API di NS8 non ha risposto',
    API_AUTH: 'il server API di NS8 ha rifiutato le credenziali di Backup monitor',
    API_AGENT_DOWN: 'l\'agente del cluster sul nodo leader non è in esecuzione',
    API_NOT_LEADER: 'il server API non è sul nodo leader',
    API_RATE_LIMITED: 'il server API di NS8 è occupato',
    API_SERVER_ERROR: 'errore del server API di NS8',
    API_BAD_RESPONSE: 'risposta inattesa dal server API di NS8',
    API_ABORTED: 'il controllo è stato annullato',
    API_TIMEOUT: 'il server API di NS8 non ha risposto in tempo',
    TASK_ACTION_MISSING: 'questa versione di NS8 non ha l\'azione read-backup-snapshots',
    TASK_INPUT_INVALID: 'NS8 ha rifiutato la richiesta',
    TASK_OUTPUT_INVALID: 'NS8 ha restituito un elenco di snapshot illeggibile',
    REPO_ERROR: 'restic ha segnalato un errore inatteso',
    CHECK_SKIPPED_BUDGET: 'il tempo previsto per i controlli è finito',
    CHECK_SKIPPED_DESTINATION: 'non necessario: la destinazione stessa ha fallito',
    CHECK_INTERNAL_ERROR: 'errore interno di Backup monitor',
  },
  healthyButFailed: 'La destinazione funziona: il problema è nell\'applicazione, non nello storage.',
  readable: 'leggibile',
};

export const STRINGS: Record<'en' | 'it', Strings> = { en, it };
