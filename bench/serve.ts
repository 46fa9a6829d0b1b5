/**
 * The dashboard under load (issue 5): a real `sumi serve` in its own process on a synthetic
 * store (bench/gen-store.ts), 50 concurrent API clients for 30 s, each opening domain pages (the
 * API calls the web app's domain page makes, with its query strings) one after another: p50 and
 * p95 per call, and errors (non-200 answers and failed requests). Meanwhile headless Chromium
 * (playwright-core driving /usr/bin/chromium) opens the domain page again and again, each time
 * in a fresh profile, and times its first meaningful paint: from navigation until the volume
 * chart has drawn its days and the senders table holds rows; before the load too, for a domain
 * seen for the first time (the server computes its answers) and for one whose answers are kept.
 * Targets: p95 under 150 ms per call with no errors; the paint under 1.5 s.
 *   npm run bench -- serve [--records 1000000] [--days 90] [--domains 20] [--clients 50]
 *     [--seconds 30] [--paints 5] [--db FILE|URL (kept and reused when it has reports)]
 *     [--chromium /usr/bin/chromium]
 * As in the analysis bench, fewer records over fewer domains keep the per-domain volume of the
 * full 10,000,000-record store over 200 domains. On PostgreSQL, give --db a URL whose search_path
 * names an empty schema (`postgres://root@127.0.0.1:5432/test?options=-c%20search_path%3Dbench`);
 * the store is written there once and reused.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { Accounts } from '../src/auth/accounts.ts';
import { openStore } from '../src/store/open.ts';
import { buildWebIfStale } from '../src/web/build-if-stale.ts';
import { domainName, generateStore } from './gen-store.ts';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '90' },
    domains: { type: 'string', default: '20' },
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    paints: { type: 'string', default: '5' },
    db: { type: 'string' },
    chromium: { type: 'string', default: process.env.SUMI_CHROMIUM ?? '/usr/bin/chromium' },
  },
});
const DAY = 86_400;
const TODAY = Math.floor(Date.now() / 1000 / DAY) * DAY;
const DOMAINS = Number(args.domains);
const CLIENTS = Number(args.clients);
const SECONDS = Number(args.seconds);
const PAINTS = Number(args.paints);
const P95_TARGET_MS = 150;
const PAINT_TARGET_MS = 1_500;

/**
 * The calls the domain page makes on opening, as src/web/pages/Domain.tsx sends them (its
 * default period is 90 days; the simulator starts at p=reject; the live check waits for a click).
 */
const PAGE = [
  'summary?since=90d',
  'senders?since=90d&sort=messages&order=desc&limit=25&offset=0',
  'subdomains?since=90d',
  'reporters?since=90d',
  'simulate?policy=reject&since=90d',
  'plan',
  'history?since=90d',
  'failures?since=90d&limit=10',
];
const callName = (part: string) => part.split('?')[0]!;

/** In the page: the time since navigation once the chart has its days and the senders table rows, else false. */
const DRAWN = `document.querySelectorAll('#overview .chart svg path').length > 20 &&
  document.querySelectorAll('#senders tbody a.ip').length > 0 ? performance.now() : false`;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}
const ms = (n: number) => `${n.toFixed(0).padStart(5)} ms`;

const folder = args.db ? undefined : mkdtempSync(path.join(tmpdir(), 'sumi-bench-serve-'));
const db = args.db ?? path.join(folder!, 'sumi.db');
const login = { username: `bench-${Date.now()}`, password: 'bench-password-0123456789' };
const store = await openStore(db);
let token: string;
const engine = store.engine;
try {
  if ((await store.countReports()).reports === 0) {
    const started = performance.now();
    const written = await generateStore(store, {
      records: Number(args.records),
      days: Number(args.days),
      domains: DOMAINS,
      start: TODAY - (Number(args.days) - 1) * DAY,
    });
    console.error(
      `store: ${written.records.toLocaleString('en')} records over ${DOMAINS} domains written in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  const accounts = new Accounts(store.db);
  const user = await accounts.createUser({ ...login, role: 'admin' });
  token = (await accounts.createApiToken(user.id, login.username)).token;
} finally {
  await store.close();
}

const browserMissing = existsSync(args.chromium)
  ? undefined
  : `${args.chromium} is missing (.ci/setup.d/30-chromium.sh installs it)`;
if (browserMissing) console.error(`first meaningful paint not measured: ${browserMissing}`);
else await buildWebIfStale();

const bin = fileURLToPath(new URL('../bin/sumi.js', import.meta.url));
const server = spawn(process.execPath, [bin, 'serve', '--db', db, '--listen', '127.0.0.1:0', '--json'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let browser: Browser | undefined;
try {
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      try {
        resolve((JSON.parse(out) as { url: string }).url);
      } catch {
        // Not the whole document yet.
      }
    });
    server.on('close', (code) => reject(new Error(`sumi serve ended (${code})`)));
  });
  const headers = { authorization: `Bearer ${token}`, 'accept-language': 'en' };

  /** The browser's session cookie, made once: a login per page load would time scrypt too. */
  let signedIn: Awaited<ReturnType<BrowserContext['storageState']>> | undefined;
  /** One page load in a fresh browser profile (nothing cached): ms from navigation to the chart and senders drawn. */
  const paint = async (domain: string): Promise<number> => {
    if (!signedIn) {
      const first = await browser!.newContext();
      const response = await first.request.post(`${url}/api/auth/login`, { data: login });
      if (!response.ok()) throw new Error(`login: ${response.status()}`);
      signedIn = await first.storageState();
      await first.close();
    }
    // bypassCSP: the page's policy forbids eval, which Playwright's polling of DRAWN needs.
    const context = await browser!.newContext({
      locale: 'en-GB',
      reducedMotion: 'reduce',
      bypassCSP: true,
      storageState: signedIn,
    });
    try {
      const page = await context.newPage();
      await page.goto(`${url}/#/domains/${domain}`, { waitUntil: 'commit' });
      // Performance.now() in the page counts from the navigation's start.
      const drawn = await page.waitForFunction(DRAWN, undefined, { polling: 'raf', timeout: 60_000 });
      return Number(await drawn.jsonValue());
    } finally {
      await context.close();
    }
  };

  // First answers (nothing kept yet), one client: what opening a domain's page costs the server.
  // Every domain but the last two, which the browser opens first; so the load below measures
  // answers kept, as people see them after the first visit (first visits are measured here).
  const cold: number[] = [];
  const firstVisits = browserMissing ? [] : [DOMAINS - 2, DOMAINS - 1].filter((d) => d >= 0);
  for (let d = 0; d < DOMAINS; d++) {
    if (firstVisits.includes(d)) continue;
    for (const part of PAGE) {
      const started = performance.now();
      await (await fetch(`${url}/api/domains/${domainName(d)}/${part}`, { headers })).arrayBuffer();
      cold.push(performance.now() - started);
    }
  }
  cold.sort((a, b) => a - b);

  const coldPaints: number[] = [];
  const keptPaints: number[] = [];
  if (!browserMissing) {
    browser = await chromium.launch({
      executablePath: args.chromium,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    for (const d of firstVisits) coldPaints.push(await paint(domainName(d)));
    for (let d = 0; d < 2; d++) keptPaints.push(await paint(domainName(d)));
  }

  const times = new Map<string, number[]>(PAGE.map((p) => [callName(p), []]));
  const errors = new Map<string, number>();
  let requests = 0;
  const deadline = Date.now() + SECONDS * 1000;
  const client = async (n: number) => {
    for (let page = n; Date.now() < deadline; page += CLIENTS) {
      const domain = domainName(page % DOMAINS);
      for (const part of PAGE) {
        const started = performance.now();
        let ok = false;
        try {
          const response = await fetch(`${url}/api/domains/${domain}/${part}`, { headers });
          await response.arrayBuffer();
          ok = response.status === 200;
        } catch {
          // A refused or dropped connection is an error like a 500.
        }
        requests++;
        if (!ok) errors.set(callName(part), (errors.get(callName(part)) ?? 0) + 1);
        times.get(callName(part))!.push(performance.now() - started);
      }
    }
  };
  // The browser opens the page while the clients run, spread over the load.
  const loadPaints: number[] = [];
  const painter = async () => {
    if (browserMissing) return;
    for (let i = 0; i < PAINTS; i++) {
      await new Promise((resolve) =>
        setTimeout(resolve, ((SECONDS * 1000) / (PAINTS + 1)) * (i === 0 ? 1 : 0.5)),
      );
      if (Date.now() >= deadline) break;
      loadPaints.push(await paint(domainName(i % DOMAINS)));
    }
  };
  const started = performance.now();
  await Promise.all([...Array.from({ length: CLIENTS }, (_, n) => client(n)), painter()]);
  const elapsed = (performance.now() - started) / 1000;

  console.log(`sumi serve on ${engine}, ${DOMAINS} domains:`);
  console.log(
    `  first answers (computed), one client: n=${cold.length}  p50 ${ms(quantile(cold, 0.5))}  p95 ${ms(quantile(cold, 0.95))}  max ${ms(cold.at(-1) ?? Number.NaN)}`,
  );
  console.log(
    `  then ${CLIENTS} concurrent clients for ${elapsed.toFixed(0)} s (target p95 < ${P95_TARGET_MS} ms, no errors):`,
  );
  const all: number[] = [];
  let errorCount = 0;
  for (const [part, list] of times) {
    list.sort((a, b) => a - b);
    all.push(...list);
    const failed = errors.get(part) ?? 0;
    errorCount += failed;
    const p95 = quantile(list, 0.95);
    console.log(
      `    ${part.padEnd(11)} n=${String(list.length).padStart(6)}  p50 ${ms(quantile(list, 0.5))}  p95 ${ms(p95)}  errors ${failed}  ${p95 < P95_TARGET_MS ? 'ok' : 'over'}`,
    );
  }
  all.sort((a, b) => a - b);
  console.log(
    `    all calls   n=${String(all.length).padStart(6)}  p50 ${ms(quantile(all, 0.5))}  p95 ${ms(quantile(all, 0.95))}  errors ${errorCount}  (${(requests / elapsed).toFixed(0)} requests/s)`,
  );
  if (browserMissing) {
    console.log(`  first meaningful paint: not measured (${browserMissing})`);
  } else {
    const line = (label: string, list: number[]) => {
      const sorted = [...list].sort((a, b) => a - b);
      const worst = sorted.at(-1) ?? Number.NaN;
      console.log(
        `    ${label.padEnd(24)} n=${list.length}  median ${ms(quantile(sorted, 0.5))}  max ${ms(worst)}  ${worst < PAINT_TARGET_MS ? 'ok' : 'over'}`,
      );
    };
    console.log(
      `  domain page, first meaningful paint in headless Chromium (chart and senders drawn; target < ${PAINT_TARGET_MS} ms):`,
    );
    line('no load, first visit', coldPaints);
    line('no load, answers kept', keptPaints);
    line(`under ${CLIENTS} clients`, loadPaints);
  }
} finally {
  await browser?.close();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('close', resolve));
  if (folder) rmSync(folder, { recursive: true, force: true });
}
