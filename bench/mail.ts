/**
 * Ingesting report mail kept in files (issue 3), Sumi beside dmarcts-report-parser from the same
 * run:
 *   npm run bench -- mail [--mails N] [--runs N] [--no-peer]
 * N report mails (each a gzipped aggregate report of 3 records, the test fixtures' reportMail),
 * written three ways: a Maildir, a folder of .eml files (as a mail client exports them) and one
 * mbox. Sumi reads each into a fresh SQLite store (the median of --runs runs); the peer
 * (Debian's package, into MariaDB: root, empty password, database `test`) reads the .eml files
 * (`-e`) and the mbox (`-m`) once each: it takes minutes. It has no Maildir reader; a Maildir's
 * files are .eml files to it, so its `-e` figure stands beside both.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type * as Paths from '../src/ingest/paths.ts';
import type * as Open from '../src/store/open.ts';
import { mbox, reportMail } from '../test/ingest/helpers/reports.ts';
import { built } from './support/built.ts';
import { type DmarctsRun, runDmarcts } from './support/dmarcts.ts';
import { median, rate } from './support/figures.ts';

const { ingestPaths } = await built<typeof Paths>('ingest/paths.js');
const { openStore } = await built<typeof Open>('store/open.js');

const { values: args } = parseArgs({
  options: {
    mails: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '3' },
    'no-peer': { type: 'boolean', default: false },
  },
});
const RECORDS = 3;
const mails = Number(args.mails);
const runs = Math.max(1, Number(args.runs));
const work = mkdtempSync(path.join(tmpdir(), 'sumi-bench-mail-'));

try {
  const texts = Array.from({ length: mails }, (_, i) =>
    reportMail({ reportId: `mail-${i}`, records: RECORDS, org: `org${i % 20}.example` }),
  );
  const maildir = path.join(work, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(path.join(maildir, sub), { recursive: true });
  const emlDir = path.join(work, 'eml');
  mkdirSync(emlDir);
  const emlFiles = texts.map((text, i) => {
    writeFileSync(path.join(maildir, 'cur', `1700000000.${i}.bench:2,S`), text);
    const file = path.join(emlDir, `report-${i}.eml`);
    writeFileSync(file, text);
    return file;
  });
  const mboxFile = path.join(work, 'reports.mbox');
  writeFileSync(mboxFile, mbox(texts));

  const row = (what: string, value: string, note = '') =>
    console.log(`${what.padEnd(40)} ${value.padStart(10)}  ${note}`);
  const peerRow = (flag: string, run: DmarctsRun, sumiSeconds: number) => {
    if ('skipped' in run) return row(`dmarcts-report-parser ${flag}`, 'skipped', run.skipped);
    if (run.stored !== mails)
      throw new Error(`dmarcts-report-parser ${flag} stored ${run.stored} of ${mails}`);
    row(
      `dmarcts-report-parser ${flag}`,
      `${run.seconds.toFixed(2)} s`,
      `${rate(mails, run.seconds)} mails/s; Sumi ${(run.seconds / sumiSeconds).toFixed(1)}x faster`,
    );
  };
  console.log(
    `${mails} report mails of ${RECORDS} records each; Sumi into SQLite, the median of ${runs} runs\n`,
  );
  let stores = 0;
  const sumi = async (what: string, target: string): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const store = await openStore(path.join(work, `sumi-${stores++}.db`), { yieldWhenLocked: true });
      const started = performance.now();
      const totals = await ingestPaths([target], { store });
      times.push((performance.now() - started) / 1000);
      await store.close();
      if (totals.reports !== mails) throw new Error(`Sumi stored ${totals.reports} of ${mails} (${what})`);
    }
    const seconds = median(times);
    row(`sumi ingest ${what}`, `${seconds.toFixed(2)} s`, `${rate(mails, seconds)} mails/s`);
    return seconds;
  };
  const skipped: DmarctsRun = { skipped: '--no-peer' };
  await sumi('Maildir', maildir);
  const eml = await sumi('.eml files', emlDir);
  peerRow('-e', args['no-peer'] ? skipped : await runDmarcts(['-e', ...emlFiles]), eml);
  const box = await sumi('mbox', mboxFile);
  peerRow('-m', args['no-peer'] ? skipped : await runDmarcts(['-m', mboxFile]), box);
} finally {
  rmSync(work, { recursive: true, force: true });
}
