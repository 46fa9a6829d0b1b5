/**
 * Child process for crash.test.ts: stores reports `from`..`to`-1 (each `records` records,
 * the same every run) into the store at `location` (a SQLite file or a postgres:// URL), printing `begin N` before each and
 * `stored N` / `duplicate N` after. With PAUSE_AT, report PAUSE_AT stops halfway through its
 * records, after `halfway N` (its first rows already written in its open transaction), and
 * waits there to be killed.
 * With CRASH_BULK=1 in the environment, the reports are stored as a bulk ingest stores them
 * (Store.writingInBulk, one batch per report, rollup sums staged or appended), and PAUSE_AT is
 * where it waits after `stored N`, its sums committed and not yet folded or compacted.
 * Run as: node --import tsx crash-child.ts LOCATION FROM TO RECORDS [PAUSE_AT]
 */

import type { AggregateRecord } from '../../src/reports/types.ts';
import { openStore } from '../../src/store/open.ts';
import { header, JAN_1, manyRecords } from './helpers.ts';

const [location, from, to, records, pauseAt] = process.argv.slice(2);
if (!location || !from || !to || !records)
  throw new Error('usage: crash-child.ts LOCATION FROM TO RECORDS [PAUSE_AT]');

async function* recordsOf(n: number): AsyncGenerator<AggregateRecord> {
  let i = 0;
  for (const record of manyRecords(Number(records))) {
    if (n === Number(pauseAt) && i++ === Number(records) / 2) {
      process.stdout.write(`halfway ${n}\n`);
      await new Promise((resolve) => setTimeout(resolve, 600_000));
    }
    yield record;
  }
}

const store = await openStore(location);
if (process.env.CRASH_BULK === '1') {
  await store.writingInBulk(async () => {
    for (let n = Number(from); n < Number(to); n++) {
      process.stdout.write(`begin ${n}\n`);
      const [outcome] = await store.insertAggregateReports([
        {
          report: {
            ...header({ reportId: `crash-${n}`, begin: JAN_1 + (n % 7) * 86_400 }),
            records: [...manyRecords(Number(records))],
          },
          raw: Buffer.from(`raw bytes of report ${n}`),
          source: { description: `crash-${n}.xml` },
        },
      ]);
      process.stdout.write(`${outcome && 'status' in outcome ? outcome.status : 'refused'} ${n}\n`);
      if (n === Number(pauseAt)) await new Promise((resolve) => setTimeout(resolve, 600_000));
    }
  });
  await store.close();
  process.exit(0);
}
for (let n = Number(from); n < Number(to); n++) {
  process.stdout.write(`begin ${n}\n`);
  const outcome = await store.insertAggregateReport(
    {
      ...header({ reportId: `crash-${n}`, begin: JAN_1 + (n % 7) * 86_400 }),
      records: recordsOf(n),
    },
    Buffer.from(`raw bytes of report ${n}`),
    { description: `crash-${n}.xml` },
  );
  process.stdout.write(`${outcome.status} ${n}\n`);
}
await store.close();
