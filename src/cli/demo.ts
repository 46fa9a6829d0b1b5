/**
 * `sumi demo`: Sumi on its own sample data, no network needed. By default a living dashboard:
 * a fresh store filled with 90 days of generated reports, the demo zone served for live
 * checks, a demo admin, and `sumi serve`. `--no-serve` only checks the sample domains.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { Accounts } from '../auth/accounts.ts';
import { DEMO_ZONE_URL, demoDomains, seedDemoStore } from '../demo/index.ts';
import { Zone } from '../dns/zone.ts';
import { ZoneServer } from '../dns/zone-server.ts';
import { cliText } from '../i18n/cli.ts';
import { ingestText } from '../i18n/ingest.ts';
import { serverText } from '../i18n/server.ts';
import { translator } from '../i18n/translate.ts';
import { openStore } from '../store/open.ts';
import { runCheck } from './check.ts';
import type { CliContext } from './output.ts';
import { DEFAULT_LISTEN, startServer } from './serve.ts';
import { untilStopped } from './with-store.ts';

/** The demo's admin account. */
export const DEMO_USERNAME = 'demo';

interface DemoFlags {
  serve: boolean;
  db?: string;
  listen: string;
  json?: boolean;
}

export function registerDemo(program: Command, ctx: CliContext): void {
  const t = translator(cliText, ctx.lang);
  const ts = translator(serverText, ctx.lang);
  const ti = translator(ingestText, ctx.lang);
  program
    .command('demo')
    .description(t('demo.description'))
    .option('--no-serve', ts('demo.option.noServe'))
    .option('--db <file|url>', ti('option.db'))
    .option('--listen <host:port>', ts('serve.option.listen'), DEFAULT_LISTEN)
    .option('--json', t('option.json'))
    .action(async (flags: DemoFlags) => {
      const zoneServer = await ZoneServer.start(Zone.parse(await readFile(DEMO_ZONE_URL, 'utf8')));
      try {
        if (flags.serve) await serveDemo(ctx, flags, zoneServer.address);
        else await checkDemo(ctx, flags, zoneServer.address);
      } finally {
        await zoneServer.close();
      }
    });
}

/** The sample domains checked against the demo zone, printed as `sumi check` prints them. */
async function checkDemo(ctx: CliContext, flags: DemoFlags, resolver: string): Promise<void> {
  const t = translator(cliText, ctx.lang);
  // With --json, stdout holds the one JSON document; the words go to stderr.
  const out = flags.json ? ctx.stderr : ctx.stdout;
  out.write(`${t('demo.intro', { address: resolver })}\n\n`);
  await runCheck(ctx, [...demoDomains], {
    resolver,
    discovery: 'treewalk',
    concurrency: '16',
    ...(flags.json ? { json: true } : {}),
  });
  out.write(`${t('demo.next', { address: resolver })}\n`);
}

async function serveDemo(ctx: CliContext, flags: DemoFlags, resolver: string): Promise<void> {
  const ts = translator(serverText, ctx.lang);
  const folder = flags.db === undefined ? mkdtempSync(path.join(tmpdir(), 'sumi-demo-')) : undefined;
  const location = flags.db ?? path.join(folder!, 'sumi.db');
  try {
    ctx.stderr.write(`${ts('demo.seeding', { path: location })}\n`);
    const store = await openStore(location, { yieldWhenLocked: true });
    let running: Awaited<ReturnType<typeof startServer>>;
    const password = randomBytes(9).toString('base64url');
    try {
      await seedDemoStore(store);
      const accounts = new Accounts(store.db);
      const existing = (await accounts.listUsers()).find((u) => u.username === DEMO_USERNAME);
      if (existing) await accounts.setPassword(existing.id, password);
      else await accounts.createUser({ username: DEMO_USERNAME, password, role: 'admin' });
      running = await startServer(
        ctx,
        store,
        { listen: flags.listen, resolver, ...(flags.json ? { json: true } : {}) },
        { username: DEMO_USERNAME, password, db: location },
      );
    } catch (error) {
      await store.close();
      throw error;
    }
    if (!flags.json) {
      ctx.stdout.write(`${ts('demo.admin', { username: DEMO_USERNAME, password })}\n${ts('demo.stop')}\n`);
    }
    await untilStopped();
    await running.close();
  } finally {
    if (folder) rmSync(folder, { recursive: true, force: true });
  }
}
