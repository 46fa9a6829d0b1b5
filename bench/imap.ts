/**
 * Ingesting report mail from an IMAP folder (issue 3), Sumi beside dmarcts-report-parser from
 * the same run:
 *   npm run bench -- imap [--mails N] [--distant-mails N] [--delay MS] [--runs N] [--no-peer]
 * A throwaway Dovecot (dovecot-imapd; the tests' own, test/ingest/helpers/dovecot.ts) holds one
 * folder per run of N report mails (each a gzipped aggregate report of 10 records, the test
 * fixtures' reportMail). Each tool reads the folder, stores the reports and moves every mail to
 * an archive folder: Sumi into a fresh SQLite store, dmarcts-report-parser (Debian package, `-i`)
 * into MariaDB (root, empty password, database `test`). Twice: over the loopback, and through a
 * relay (the tests' own) that holds every packet --delay ms each way: a server 2 x delay ms away,
 * as a hosted mailbox is, where round trips, not work, decide.
 * Sumi's figure is the median of --runs runs; the peer's runs once (it takes minutes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type * as Imap from '../src/ingest/imap.ts';
import type * as Open from '../src/store/open.ts';
import {
  type Dovecot,
  dovecotInstalled,
  startDovecot,
  startRelay,
  withImap,
} from '../test/ingest/helpers/dovecot.ts';
import { reportMail } from '../test/ingest/helpers/reports.ts';
import { built } from './support/built.ts';
import { runDmarcts } from './support/dmarcts.ts';
import { median, rate } from './support/figures.ts';

const { ingestImap } = await built<typeof Imap>('ingest/imap.js');
const { openStore } = await built<typeof Open>('store/open.js');

const { values: args } = parseArgs({
  options: {
    mails: { type: 'string', default: '1000' },
    'distant-mails': { type: 'string', default: '200' },
    delay: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    'no-peer': { type: 'boolean', default: false },
  },
});
const RECORDS = 10;
const runs = Math.max(1, Number(args.runs));

if (!dovecotInstalled) {
  console.log('skipped: dovecot-imapd is not installed (bash .ci/setup.d/20-dovecot.sh installs it)');
  process.exit(0);
}

const dovecot = await startDovecot();
const work = mkdtempSync(path.join(tmpdir(), 'sumi-bench-imap-'));
let folders = 0;
try {
  const row = (what: string, value: string, note = '') =>
    console.log(`${what.padEnd(34)} ${value.padStart(10)}  ${note}`);
  const scenarios = [
    { name: 'loopback', mails: Number(args.mails), delayMs: 0 },
    {
      name: `a server ${2 * Number(args.delay)} ms away`,
      mails: Number(args['distant-mails']),
      delayMs: Number(args.delay),
    },
  ];
  for (const scenario of scenarios) {
    console.log(`\n${scenario.name}: ${scenario.mails} report mails of ${RECORDS} records each`);
    const relay = scenario.delayMs > 0 ? await startRelay(dovecot.port, { delayMs: scenario.delayMs }) : null;
    const port = relay?.port ?? dovecot.port;
    try {
      const sumi: number[] = [];
      for (let i = 0; i < runs; i++) {
        const user = await filledFolder(dovecot, scenario.mails);
        const store = await openStore(path.join(work, `sumi-${folders}.db`), { yieldWhenLocked: true });
        const started = performance.now();
        const totals = await ingestImap(`imap://${encodeURIComponent(user)}@127.0.0.1:${port}/INBOX`, {
          store,
          password: dovecot.password,
          starttls: 'off',
        });
        sumi.push((performance.now() - started) / 1000);
        await store.close();
        if (totals.reports !== scenario.mails)
          throw new Error(`Sumi stored ${totals.reports} of ${scenario.mails}`);
        if ((await left(dovecot, user)) !== 0) throw new Error('Sumi left mail in the folder');
      }
      const seconds = median(sumi);
      row(
        'sumi ingest imap://',
        `${seconds.toFixed(2)} s`,
        `${rate(scenario.mails, seconds)} mails/s (median of ${runs})`,
      );
      const peer = args['no-peer'] ? { skipped: '--no-peer' } : await dmarcts(port, scenario.mails);
      if ('seconds' in peer) {
        row(
          'dmarcts-report-parser -i',
          `${peer.seconds.toFixed(2)} s`,
          `${rate(scenario.mails, peer.seconds)} mails/s; Sumi ${(peer.seconds / seconds).toFixed(1)}x faster`,
        );
      } else row('dmarcts-report-parser -i', 'skipped', peer.skipped);
    } finally {
      await relay?.close();
    }
  }
} finally {
  await dovecot.stop();
  rmSync(work, { recursive: true, force: true });
}

/** A new mailbox whose INBOX holds `mails` report mails; returns its user. */
async function filledFolder(server: Dovecot, mails: number): Promise<string> {
  const user = `bench${++folders}@example.jp`;
  await withImap(server, { user }, async (client) => {
    for (let i = 0; i < mails; i++)
      await client.append(
        'INBOX',
        reportMail({ reportId: `imap-${folders}-${i}`, records: RECORDS, org: `org${i % 20}.example` }),
      );
  });
  return user;
}

async function left(server: Dovecot, user: string): Promise<number> {
  return withImap(server, { user }, async (client) => {
    const status = await client.status('INBOX', { messages: true });
    return status === false ? -1 : (status.messages ?? -1);
  });
}

/** dmarcts-report-parser -i on a fresh folder, into fresh MariaDB tables. */
async function dmarcts(port: number, mails: number): Promise<{ seconds: number } | { skipped: string }> {
  const user = await filledFolder(dovecot, mails);
  const run = await runDmarcts(['-i'], {
    imapserver: '127.0.0.1',
    imapport: String(port),
    imapuser: user,
    imappass: dovecot.password,
    imapssl: '0',
    imaptls: '0',
    tlsverify: '0',
    imapignoreerror: '0',
    imapmovefolder: 'Processed',
  });
  if (!('seconds' in run)) return run;
  if (run.stored !== mails) return { skipped: `dmarcts-report-parser stored ${run.stored} of ${mails}` };
  if ((await left(dovecot, user)) !== 0) return { skipped: 'dmarcts-report-parser left mail in the folder' };
  return run;
}
