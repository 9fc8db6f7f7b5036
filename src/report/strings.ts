// SPDX-License-Identifier: GPL-3.0-or-later
// Every sentence a report can contain, per language. `{x}` placeholders are filled by render.ts.
import type { Language } from '../config.js';
import type { Outcome, ModuleResult } from '../domain/run.js';
import type { NotifyReason } from '../domain/records.js';

export interface Strings {
  locale: string;
  headline: Record<Outcome, string>;
  recovered: string;
  reminder: string;
  update: string;
  failedCount: string;
  intro: Partial<Record<NotifyReason, string>> & { default: Record<Outcome, string> };
  failingSince: string;
  stale: string;
  fields: { plan: string; destination: string; nodes: string; started: string; finished: string; duration: string; expected: string };
  columns: [string, string, string, string, string, string, string, string, string];
  result: Record<ModuleResult, string>;
  nextSteps: string;
  steps: { failed: string; notRun: string; missing: string; allFailed: string; none: string; repo: string };
  footer: string;
  triggers: string;
  /** A node without a label: `node 2`. */
  node: string;
}

const en: Strings = {
  locale: 'en-GB',
  headline: {
    SUCCESS: '✅ Backup completed successfully',
    PARTIAL: '⚠️ Backup partially failed',
    REPO_FAILURE: '❌ Backup failed – possible repository error',
    MISSING: '⏰ Backup did not run',
  },
  recovered: '✅ Backup recovered',
  reminder: '🔁 Reminder',
  update: 'update',
  failedCount: '{failed} of {total} applications not saved',
  intro: {
    default: {
      SUCCESS: 'Every application of the plan was saved.',
      PARTIAL: 'Some applications of the plan were saved, others were not.',
      REPO_FAILURE: 'No application of the plan was saved. When every application fails, the destination itself is the usual suspect.',
      MISSING: 'The plan was due to run at {expected}, but no application reported a backup.',
    },
    recovered: 'The plan works again: every application was saved.',
    reminder: 'The plan is still failing. This is a reminder of its last run.',
    update: 'More results arrived for this run after the first report. This is the complete picture.',
  },
  failingSince: 'Failing since {since}.',
  stale: 'No successful backup of this plan since {since}: the latest restorable data is older than the configured stale age.',
  fields: { plan: 'Plan', destination: 'Destination', nodes: 'Nodes', started: 'Started', finished: 'Finished', duration: 'Duration', expected: 'Expected at' },
  columns: ['Application', 'Module', 'Node', 'Result', 'Duration', 'Size', 'Files', 'Snapshots', 'Errors'],
  result: { success: 'saved', failed: 'FAILED', not_run: 'not run' },
  nextSteps: 'What to do next',
  steps: {
    failed: 'Failed on node {node}: {modules}. The error text is in the node log: in cluster-admin open System logs for node {node}, or run `journalctl -u backup{plan}` on that node. Then run the plan again from Backup and restore > {planName} > Run backup now.',
    notRun: 'No result in this run: {modules}. The node may be down, or the application was busy with another backup for an hour. Check that node {node} is online in Nodes.',
    missing: 'Check that nodes {nodes} were online at {expected} and that the plan is enabled in Backup and restore. Scheduled runs missed while a node is off are not repeated: run the plan now from Backup and restore > {planName} > Run backup now.',
    allFailed: 'Check the destination {destination} in Backup and restore > Backup destinations (reachable, credentials, free space).',
    none: 'Nothing to do.',
    repo: 'Destination check',
  },
  footer: 'Sent by {module}, the NethServer 8 backup monitor.',
  triggers: 'Seen through: {triggers}.',
  node: 'node {id}',
};

const it: Strings = {
  locale: 'it-IT',
  headline: {
    SUCCESS: '✅ Backup completato con successo',
    PARTIAL: '⚠️ Backup parzialmente fallito',
    REPO_FAILURE: '❌ Backup fallito – possibile errore del repository',
    MISSING: '⏰ Backup non eseguito',
  },
  recovered: '✅ Backup ripristinato',
  reminder: '🔁 Promemoria',
  update: 'aggiornamento',
  failedCount: '{failed} applicazioni su {total} non salvate',
  intro: {
    default: {
      SUCCESS: 'Tutte le applicazioni del piano sono state salvate.',
      PARTIAL: 'Alcune applicazioni del piano sono state salvate, altre no.',
      REPO_FAILURE: 'Nessuna applicazione del piano è stata salvata. Quando falliscono tutte, di solito il problema è la destinazione.',
      MISSING: "Il piano doveva essere eseguito alle {expected}, ma nessuna applicazione ha registrato un backup.",
    },
    recovered: 'Il piano funziona di nuovo: tutte le applicazioni sono state salvate.',
    reminder: 'Il piano continua a fallire. Questo è un promemoria della sua ultima esecuzione.',
    update: 'Dopo il primo rapporto sono arrivati altri risultati per questa esecuzione. Questo è il quadro completo.',
  },
  failingSince: 'In errore dal {since}.',
  stale: 'Nessun backup riuscito di questo piano dal {since}: gli ultimi dati ripristinabili sono più vecchi dell\'età massima configurata.',
  fields: { plan: 'Piano', destination: 'Destinazione', nodes: 'Nodi', started: 'Inizio', finished: 'Fine', duration: 'Durata', expected: 'Previsto alle' },
  columns: ['Applicazione', 'Modulo', 'Nodo', 'Risultato', 'Durata', 'Dimensione', 'File', 'Snapshot', 'Errori'],
  result: { success: 'salvato', failed: 'FALLITO', not_run: 'non eseguito' },
  nextSteps: 'Cosa fare',
  steps: {
    failed: 'Fallito sul nodo {node}: {modules}. Il testo dell\'errore è nel log del nodo: in cluster-admin apri i log di sistema del nodo {node}, oppure esegui `journalctl -u backup{plan}` su quel nodo. Poi esegui di nuovo il piano da Backup e ripristino > {planName} > Esegui backup ora.',
    notRun: 'Nessun risultato in questa esecuzione: {modules}. Il nodo potrebbe essere spento, oppure l\'applicazione è rimasta occupata da un altro backup per un\'ora. Verifica che il nodo {node} sia online in Nodi.',
    missing: 'Verifica che i nodi {nodes} fossero online alle {expected} e che il piano sia abilitato in Backup e ripristino. Le esecuzioni perse mentre un nodo è spento non vengono ripetute: esegui ora il piano da Backup e ripristino > {planName} > Esegui backup ora.',
    allFailed: 'Controlla la destinazione {destination} in Backup e ripristino > Destinazioni backup (raggiungibilità, credenziali, spazio libero).',
    none: 'Nessuna azione necessaria.',
    repo: 'Verifica della destinazione',
  },
  footer: 'Inviato da {module}, il monitor dei backup di NethServer 8.',
  triggers: 'Rilevato tramite: {triggers}.',
  node: 'nodo {id}',
};

export const STRINGS: Record<Language, Strings> = { en, it };

export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}
