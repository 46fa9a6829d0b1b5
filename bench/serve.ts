/**
 * The dashboard API under load (issue 5): a real `sumi serve` in its own process on a synthetic
 * store (bench/gen-store.ts), 50 concurrent API clients for 30 s, each opening domain pages
 * (the six API calls the domain page makes) one after another; p50 and p95 per call, errors.
 * Target: p95 under 150 ms, no errors.
 *   npm run bench -- serve [--records 1000000] [--days 90] [--domains 20] [--clients 50]
 *     [--seconds 30] [--db FILE|URL (kept and reused when it has reports)]
 * As in the analysis bench, fewer records over fewer domains keep the per-domain volume of the
 * full 10,000,000-record store over 200 domains.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Accounts } from '../src/auth/accounts.ts';
import { openStore } from '../src/store/open.ts';
import { domainName, generateStore } from './gen-store.ts';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '90' },
    domains: { type: 'string', default: '20' },
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    db: { type: 'string' },
  },
});
const DAY = 86_400;
const TODAY = Math.floor(Date.now() / 1000 / DAY) * DAY;
const DOMAINS = Number(args.domains);
const CLIENTS = Number(args.clients);
const SECONDS = Number(args.seconds);

/** The calls the domain page makes, as the web app sends them. */
const PAGE = [
  'summary?since=30d',
  'senders?since=30d',
  'subdomains?since=30d',
  'reporters?since=30d',
  'simulate?policy=reject&since=30d',
  'plan',
];

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

const folder = args.db ? undefined : mkdtempSync(path.join(tmpdir(), 'sumi-bench-serve-'));
const db = args.db ?? path.join(folder!, 'sumi.db');
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
  const name = `bench-${Date.now()}`;
  const user = await accounts.createUser({ username: name, password: null, role: 'admin' });
  token = (await accounts.createApiToken(user.id, name)).token;
} finally {
  await store.close();
}

const bin = fileURLToPath(new URL('../bin/sumi.js', import.meta.url));
const server = spawn(process.execPath, [bin, 'serve', '--db', db, '--listen', '127.0.0.1:0', '--json'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
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
  const times = new Map<string, number[]>(PAGE.map((p) => [p.split('?')[0]!, []]));
  let errors = 0;
  let requests = 0;
  // First answers (nothing cached yet), one client: what opening a domain's page costs the server.
  const cold: number[] = [];
  for (let d = 0; d < Math.min(DOMAINS, 10); d++) {
    for (const part of PAGE) {
      const started = performance.now();
      await (await fetch(`${url}/api/domains/${domainName(d)}/${part}`, { headers })).arrayBuffer();
      cold.push(performance.now() - started);
    }
  }
  cold.sort((a, b) => a - b);
  const deadline = Date.now() + SECONDS * 1000;
  const client = async (n: number) => {
    for (let page = n; Date.now() < deadline; page += CLIENTS) {
      const domain = domainName(page % DOMAINS);
      for (const part of PAGE) {
        const started = performance.now();
        const response = await fetch(`${url}/api/domains/${domain}/${part}`, { headers });
        await response.arrayBuffer();
        const ms = performance.now() - started;
        requests++;
        if (response.status !== 200) errors++;
        times.get(part.split('?')[0]!)!.push(ms);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
  const elapsed = (performance.now() - started) / 1000;
  console.log(`sumi serve on ${engine}, ${DOMAINS} domains:`);
  console.log(
    `  first answers, one client: n=${cold.length}  p50 ${quantile(cold, 0.5).toFixed(0)} ms  p95 ${quantile(cold, 0.95).toFixed(0)} ms`,
  );
  console.log(`  then ${CLIENTS} concurrent clients for ${elapsed.toFixed(0)} s:`);
  const all: number[] = [];
  for (const [part, ms] of times) {
    ms.sort((a, b) => a - b);
    all.push(...ms);
    console.log(
      `    ${part.padEnd(11)} n=${String(ms.length).padStart(6)}  p50 ${quantile(ms, 0.5).toFixed(0).padStart(5)} ms  p95 ${quantile(ms, 0.95).toFixed(0).padStart(5)} ms`,
    );
  }
  all.sort((a, b) => a - b);
  console.log(
    `    all calls   n=${String(all.length).padStart(6)}  p50 ${quantile(all, 0.5).toFixed(0).padStart(5)} ms  p95 ${quantile(all, 0.95).toFixed(0).padStart(5)} ms  (${(requests / elapsed).toFixed(0)} requests/s, ${errors} errors; target p95 < 150 ms)`,
  );
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('close', resolve));
  if (folder) rmSync(folder, { recursive: true, force: true });
}
