/**
 * Fills a store with the demo data set through the real ingest path: every figure the
 * dashboard shows comes from parsing the generated reports, as it would from a mailbox.
 */
import { ingestMessage } from '../ingest/message.ts';
import type { Store } from '../store/types.ts';
import { type DemoOptions, generateDemo } from './generate.ts';

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
  };
  for (const input of generateDemo(options)) {
    const outcome = await ingestMessage(store, input.bytes, input.name, input.source, {
      receivedAt: input.receivedAt,
    });
    counts.inputs++;
    counts.failed += outcome.failed.length;
    for (const report of outcome.reports) {
      if (report.status === 'duplicate') {
        counts.duplicates++;
        continue;
      }
      if (report.kind === 'aggregate') {
        counts.aggregateReports++;
        counts.records += report.records;
        counts.messages += report.messages;
      } else if (report.kind === 'failure') counts.failureReports++;
      else counts.tlsReports++;
    }
  }
  return counts;
}
