import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/paths.ts';
import type { Store } from '../../src/store/types.ts';
import { engines, engineTitle, freshStore } from '../store/helpers.ts';
import { aggregateGz, plainMail, reportMail } from './helpers/reports.ts';

const opened: Store[] = [];
afterAll(async () => {
  for (const store of opened) await store.close();
  for (const engine of engines) await engine.cleanup();
});

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(`ingestPaths ${engineTitle(engine)}`, () => {
    it('stores 60 inputs at its default concurrency, idempotently, quarantining the bad ones', async () => {
      const store = await freshStore(engine, opened);
      const dir = await mkdtemp(path.join(tmpdir(), 'sumi-ingest-engine-'));
      try {
        await mkdir(path.join(dir, 'in'));
        for (let i = 0; i < 50; i++) {
          await writeFile(
            path.join(dir, 'in', `r${i}.xml.gz`),
            aggregateGz({ reportId: `eng-${i}`, records: 4, org: `org-${i % 3}` }),
          );
        }
        // The same reports again, inside mails: duplicates whichever copy is read first.
        for (let i = 0; i < 5; i++) {
          await writeFile(
            path.join(dir, 'in', `m${i}.eml`),
            reportMail({ reportId: `eng-${i}`, org: `org-${i % 3}`, records: 4 }),
          );
        }
        for (let i = 0; i < 5; i++)
          await writeFile(path.join(dir, 'in', `p${i}.eml`), plainMail(`not a report ${i}`));
        const first = await ingestPaths([path.join(dir, 'in')], { store });
        expect(first).toMatchObject({ reports: 50, duplicates: 5, records: 200 });
        expect(first.failed).toHaveLength(5);
        const second = await ingestPaths([path.join(dir, 'in')], { store });
        expect(second).toMatchObject({ reports: 0, duplicates: 55 });
        expect(await store.countReports()).toMatchObject({ reports: 50, records: 200, quarantined: 5 });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
