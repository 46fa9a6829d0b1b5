/**
 * `sumi serve`: the dashboard and the HTTP API on one address. On a store without accounts,
 * creates an admin and prints a one-time link to set its password.
 */
import type { Command } from 'commander';
import { domainName, InventoryInputError } from '../analysis/inventory.ts';
import { Accounts, SETUP_LINK_SECONDS } from '../auth/accounts.ts';
import { cliText } from '../i18n/cli.ts';
import { ingestText } from '../i18n/ingest.ts';
import { serverText } from '../i18n/server.ts';
import { translator } from '../i18n/translate.ts';
import { MailboxSources } from '../ingest/sources.ts';
import { hostPort } from '../net/address.ts';
import { buildServer } from '../server/app.ts';
import { RetentionJob } from '../server/retention.ts';
import { TLSRPT_PATH } from '../server/tlsrpt.ts';
import { defaultStorePath, openStore } from '../store/open.ts';
import { ROLLUP_FOLD_EVERY_MS } from '../store/store.ts';
import type { Store } from '../store/types.ts';
import { type NetworkFlags, networkFromFlags } from './network.ts';
import { type CliContext, printJson, UsageError } from './output.ts';
import { untilStopped } from './with-store.ts';

export const DEFAULT_LISTEN = '127.0.0.1:8080';
/** The admin created on a store without accounts. */
export const FIRST_ADMIN = 'admin';

export interface ServeFlags extends NetworkFlags {
  db?: string;
  listen: string;
  trustProxy?: boolean;
  json?: boolean;
  /** Watch the mailbox sources kept in the settings (commander's `--no-fetch` sets false). */
  fetch?: boolean;
  /** Policy domains whose SMTP TLS reports are taken at POST /tlsrpt, comma-separated. */
  tlsrpt?: string;
}

/**
 * Folds, every `everyMs`, what an ingest stopped beside the server left for the rollup (SQLite's
 * staged sums; PostgreSQL's uncompacted slices, looked for every few hours: Store.foldAbandonedRollup). A
 * failed fold is told once (`onFailure`), not at every tick, until a fold succeeds again; the
 * next tick tries again either way. The timer does not keep the process alive.
 */
export function foldingAbandonedRollup(
  store: Pick<Store, 'foldAbandonedRollup'>,
  everyMs: number,
  onFailure: (error: Error) => void,
): NodeJS.Timeout {
  let told: string | undefined;
  const timer = setInterval(() => {
    store.foldAbandonedRollup().then(
      () => {
        told = undefined;
      },
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        if (failure.message === told) return;
        told = failure.message;
        onFailure(failure);
      },
    );
  }, everyMs);
  timer.unref();
  return timer;
}

export function registerServe(program: Command, ctx: CliContext): void {
  const t = translator(serverText, ctx.lang);
  const tc = translator(cliText, ctx.lang);
  const ti = translator(ingestText, ctx.lang);
  program
    .command('serve')
    .description(t('serve.description'))
    .option('--db <file|url>', ti('option.db'))
    .option('--listen <host:port>', t('serve.option.listen'), DEFAULT_LISTEN)
    .option('--trust-proxy', t('serve.option.trustProxy'))
    .option('--no-fetch', t('serve.option.noFetch'))
    .option('--tlsrpt <domains>', t('serve.option.tlsrpt'))
    .option('--resolver <servers>', tc('option.resolver'))
    .option('--timeout <ms>', tc('option.timeout'))
    .option('--json', tc('option.json'))
    .action(async (flags: ServeFlags) => {
      // Every request waits on the event loop: a write waiting for another process's lock must not hold it.
      const store = await openStore(flags.db ?? defaultStorePath(ctx.env), { yieldWhenLocked: true });
      const running = await startServer(ctx, store, flags).catch(async (error: unknown) => {
        await store.close();
        throw error;
      });
      // A store a newer Sumi migrated stops the server, as it would not open now: the rows it
      // reads and writes may no longer mean what it takes them for.
      await untilStopped(store.outdated);
      await running.close();
      store.outdated.throwIfAborted();
    });
}

/** The policy domains of `--tlsrpt`, in the form the store keeps; a name that is none is a usage error. */
export function parseTlsrptDomains(value: string, lang: CliContext['lang']): string[] {
  const domains: string[] = [];
  for (const text of value.split(',')) {
    if (text.trim() === '') continue;
    try {
      domains.push(domainName(text));
    } catch (error) {
      if (!(error instanceof InventoryInputError)) throw error;
      throw new UsageError(translator(serverText, lang)('serve.badTlsrptDomain', { value: text.trim() }));
    }
  }
  if (domains.length === 0)
    throw new UsageError(translator(serverText, lang)('serve.badTlsrptDomain', { value }));
  return [...new Set(domains)];
}

export function parseListen(value: string, lang: CliContext['lang']): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port > 65_535) {
    throw new UsageError(translator(serverText, lang)('serve.badListen', { value }));
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/**
 * Serves `store` until `close`; the store is closed with the server. Prints the URL (and the
 * setup link of a first admin) on stdout, or one JSON document with `--json`.
 */
export async function startServer(
  ctx: CliContext,
  store: Store,
  flags: ServeFlags,
  extra: Record<string, unknown> = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const t = translator(serverText, ctx.lang);
  const { host, port } = parseListen(flags.listen, ctx.lang);
  const tlsrptDomains = flags.tlsrpt === undefined ? undefined : parseTlsrptDomains(flags.tlsrpt, ctx.lang);
  // Fail on bad network flags now, not at the first check.
  (await networkFromFlags(flags, ctx.lang)).close();
  const accounts = new Accounts(store.db);
  // The store as --db named it, for saying it failing in its own words (a demo's is its file).
  const storeUrl = flags.db ?? store.files[0] ?? defaultStorePath(ctx.env);
  const mailboxSources =
    flags.fetch === false
      ? undefined
      : new MailboxSources({ store, storeUrl, list: () => accounts.listMailboxSources(), env: ctx.env });
  const retention = new RetentionJob({
    store,
    accounts,
    onError: (error) => ctx.stderr.write(`${t('serve.retentionFailed', { error: error.message })}\n`),
  });
  const app = await buildServer({
    store,
    accounts,
    retention,
    storeUrl,
    errorLog: (failure) => ctx.stderr.write(`${t('serve.requestFailed', failure)}\n`),
    ...(mailboxSources ? { mailboxSources } : {}),
    trustProxy: Boolean(flags.trustProxy),
    ...(tlsrptDomains ? { tlsrptDomains } : {}),
    checkSession: async () => {
      const network = await networkFromFlags(flags, ctx.lang);
      return {
        context: { resolver: network.resolver, fetcher: network.fetcher, options: {} },
        close: network.close,
      };
    },
  });
  await app.listen({ host, port });
  await mailboxSources?.start();
  retention.start();
  // Rollup sums an ingest killed beside this server left staged reach the dashboard.
  const folding = foldingAbandonedRollup(store, ROLLUP_FOLD_EVERY_MS, (error) => {
    ctx.stderr.write(
      `${t('serve.foldFailed', { seconds: ROLLUP_FOLD_EVERY_MS / 1000, error: error.message })}\n`,
    );
  });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const url = `http://${hostPort(host, bound)}`;
  let pending = await accounts.adminAwaitingSetup();
  if (!pending && (await accounts.countUsers()) === 0) {
    pending = await accounts.createUser({ username: FIRST_ADMIN, password: null, role: 'admin' });
    await accounts.audit({
      userId: null,
      username: null,
      action: 'user.add',
      target: FIRST_ADMIN,
      detail: { role: 'admin', by: 'first run' },
    });
  }
  // A new link each start until an admin has a password: a restart never locks them out.
  const setupUrl = pending
    ? `${url}/setup?token=${(await accounts.createSetupToken(pending.id)).token}`
    : undefined;
  const tlsrptUrl = `${url}${TLSRPT_PATH}`;
  if (flags.json) {
    printJson(ctx, {
      url,
      ...(setupUrl ? { setupUrl } : {}),
      ...(tlsrptDomains ? { tlsrptUrl } : {}),
      ...extra,
    });
  } else {
    if (pending && setupUrl) {
      const hours = SETUP_LINK_SECONDS / 3600;
      ctx.stdout.write(`${t('serve.setupLink', { username: pending.username, hours, url: setupUrl })}\n`);
    }
    ctx.stdout.write(`${t('serve.listening', { url })}\n`);
    if (tlsrptDomains) {
      const domains = tlsrptDomains.join(', ');
      ctx.stdout.write(`${t('serve.tlsrptListening', { domains, url: tlsrptUrl, path: TLSRPT_PATH })}\n`);
    }
  }
  return {
    url,
    async close() {
      clearInterval(folding);
      await retention.close();
      await mailboxSources?.close();
      await app.close();
      await store.close();
    },
  };
}
