/**
 * Fills a store with the demo data set through the real ingest path: every figure the
 * dashboard shows comes from parsing the generated reports, as it would from a mailbox. Then
 * the owner's side: the domains they know of and their verdict on a few senders.
 */
import { addDomain, markSender } from '../analysis/inventory.ts';
import { AggregateBatcher } from '../ingest/batch.ts';
import { ingestMessage, type MessageOutcome } from '../ingest/message.ts';
import type { Store } from '../store/types.ts';
import { type DemoOptions, generateDemo } from './generate.ts';
import { INVENTORY, SOURCES } from './story.ts';

/** Inputs read at once: enough to fill the ingest batches, which store reports together. */
const SEED_CONCURRENCY = 32;

export interface DemoCounts {
  /** Files and mails ingested. */
  inputs: number;
  aggregateReports: number;
  records: number;
  messages: number;
  failureReports: number;
  tlsReports: number;
  /** Reports the store already held (seeding the same store twice). */
  duplicates: number;
  /** Inputs or parts that gave no report: none, unless the demo and the parsers disagree. */
  failed: number;
  /** Domains put in the owner's inventory, and senders the owner marked. */
  inventoryDomains: number;
  senderMarks: number;
}

export async function seedDemoStore(store: Store, options: DemoOptions = {}): Promise<DemoCounts> {
  const counts: DemoCounts = {
    inputs: 0,
    aggregateReports: 0,
    records: 0,
    messages: 0,
    failureReports: 0,
    tlsReports: 0,
    duplicates: 0,
    failed: 0,
    inventoryDomains: 0,
    senderMarks: 0,
  };
  const inputs = generateDemo(options);
  const batcher = new AggregateBatcher(store);
  let next = 0;
  const worker = async () => {
    for (let input = inputs[next++]; input !== undefined; input = inputs[next++]) {
      const outcome = await ingestMessage(store, input.bytes, input.name, input.source, {
        receivedAt: input.receivedAt,
        batcher,
      });
      count(counts, outcome);
    }
  };
  try {
    await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  } finally {
    await batcher.flush();
  }

  for (const { domain, note } of INVENTORY.domains) {
    await addDomain(store, domain, note);
    counts.inventoryDomains++;
  }
  for (const { source, mark, note } of INVENTORY.marks) {
    const sender = SOURCES.find((s) => s.id === source);
    for (const ip of sender?.ips ?? []) {
      await markSender(store, sender?.domain ?? '', ip, mark, note);
      counts.senderMarks++;
    }
  }
  return counts;
}

function count(counts: DemoCounts, outcome: MessageOutcome): void {
  counts.inputs++;
  counts.failed += outcome.failed.length;
  for (const report of outcome.reports) {
    if (report.status === 'duplicate') counts.duplicates++;
    else if (report.kind === 'aggregate') {
      counts.aggregateReports++;
      counts.records += report.records;
      counts.messages += report.messages;
    } else if (report.kind === 'failure') counts.failureReports++;
    else counts.tlsReports++;
  }
}
