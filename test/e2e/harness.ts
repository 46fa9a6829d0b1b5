/**
 * The browser tests' world: a fresh SQLite store with the demo data set and a known admin,
 * a real `sumi serve` process on a random port, and Debian's Chromium driven by playwright-core.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Accounts } from '../../src/auth/accounts.ts';
import { DEMO_ZONE_URL, seedDemoStore } from '../../src/demo/index.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneServer } from '../../src/dns/zone-server.ts';
import { ingestMessage } from '../../src/ingest/message.ts';
import { openStore } from '../../src/store/open.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const CHROMIUM = process.env.SUMI_CHROMIUM ?? '/usr/bin/chromium';
export const ADMIN = { username: 'e2e-admin', password: 'e2e-password-0123456789' };
/** A user of one domain, whose password the tests change. */
export const ANALYST = { username: 'e2e-analyst', password: 'e2e-analyst-password-01' };
/** Days of demo data: enough for a trend and a policy change, quick to seed. */
export const DEMO_DAYS = 30;

/** Why the browser tests cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  if (!existsSync(CHROMIUM)) {
    return `no Chromium at ${CHROMIUM} (.ci/setup.d/30-chromium.sh installs Debian's; SUMI_CHROMIUM names another)`;
  }
  return undefined;
}

/**
 * Screenshots go to test-results/screenshots/ on every run; with SUMI_SCREENSHOTS=docs they
 * replace the ones in docs/screenshots/ that the README shows.
 */
export async function screenshotDir(): Promise<string> {
  const dir =
    process.env.SUMI_SCREENSHOTS === 'docs'
      ? path.join(ROOT, 'docs/screenshots')
      : path.join(ROOT, 'test-results/screenshots');
  await mkdir(dir, { recursive: true });
  return dir;
}

export interface ServedStore {
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/** Seeds a new store, then starts `sumi serve` on it and waits for the URL it prints. */
export async function serveSeededStore(): Promise<ServedStore> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sumi-e2e-'));
  const db = path.join(dir, 'sumi.db');
  const store = await openStore(db);
  try {
    await seedDemoStore(store, { days: DEMO_DAYS });
    const hostile = await readFile(path.join(FIXTURES, 'hostile-report.xml'));
    await ingestMessage(store, hostile, 'hostile-report.xml', 'test/e2e/fixtures/hostile-report.xml');
    // The same report sent again with a lower count: kept as its copy, shown on its page.
    const resent = Buffer.from(hostile.toString('utf8').replace(/<count>(\d+)<\/count>/, '<count>0</count>'));
    await ingestMessage(store, resent, 'hostile-report.xml', '<b onclick="window.__xss=4">resent</b>.xml');
    // An input that gives no report: kept in the quarantine, which the settings show.
    await ingestMessage(
      store,
      Buffer.from('<feedback><oops></feedback>'),
      'broken.xml',
      'mailbox/broken.xml',
    );
    const accounts = new Accounts(store.db);
    await accounts.createUser({ ...ADMIN, role: 'admin', allDomains: true });
    await accounts.createUser({ ...ANALYST, role: 'analyst', domains: ['bank.example.co.jp'] });
  } finally {
    await store.close();
  }
  // The demo zone answers every DNS question: the survey's and the live checks' (no internet).
  const zone = await ZoneServer.start(Zone.parse(await readFile(DEMO_ZONE_URL, 'utf8')));
  await storeSurvey(db, zone.address);
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin/sumi.js'),
      'serve',
      '--db',
      db,
      '--listen',
      '127.0.0.1:0',
      '--resolver',
      zone.address,
      '--json',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'C' } },
  );
  const url = await firstJson(child).then(
    (doc) => String(doc.url),
    async (error: unknown) => {
      await zone.close();
      throw error;
    },
  );
  return {
    url,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await zone.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The JSON document `sumi serve --json` prints once it listens. */
function firstJson(child: ChildProcess): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      // The document is pretty-printed over several lines: it is whole once it parses.
      try {
        resolve(JSON.parse(out) as Record<string, unknown>);
      } catch {
        // Not all of it yet.
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    child.once('exit', (code) => reject(new Error(`sumi serve exited with ${code}: ${err}${out}`)));
  });
}

/** A stored survey of the demo zone's domains, by category, made by `sumi survey --db`. */
async function storeSurvey(db: string, resolver: string): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [
      path.join(ROOT, 'bin/sumi.js'),
      'survey',
      '--db',
      db,
      '--name',
      'e2e-survey',
      '--resolver',
      resolver,
      '--retries',
      '0',
      '--json',
      path.join(FIXTURES, 'survey-list.csv'),
    ],
    { cwd: ROOT, env: { ...process.env, LANG: 'C' } },
  );
}
