import { readFile } from 'node:fs/promises';
import { type Command, CommanderError, Option } from 'commander';
import { ingestText } from '../i18n/ingest.ts';
import { translator } from '../i18n/translate.ts';
import { describeFailure, describeRecount, totalsAnswer } from '../ingest/describe.ts';
import {
  describeGmailAccessError,
  GMAIL_DEFAULT_URL,
  GmailAccessError,
  gmailBaseUrl,
  isGmailUrl,
  parseGmailUrl,
} from '../ingest/gmail-account.ts';
import {
  describeGraphAccessError,
  GRAPH_DEFAULT_URL,
  GraphAccessError,
  graphBaseUrl,
  parseGraphUrl,
} from '../ingest/graph-account.ts';
import {
  describeTokenError,
  folderHintWords,
  IMAP_DEFAULT_ARCHIVE,
  IMAP_OTHER_MAIL_KEYWORD,
  ImapAccessError,
  imapAccessToken,
  imapPassword,
  imapReason,
  isImapKeyword,
  parseImapUrl,
  TokenError,
  tokenServiceFailed,
} from '../ingest/imap-account.ts';
import type { ApiMailboxEvent } from '../ingest/mailbox.ts';
import { archiveProblem, readsFolder } from '../ingest/mailbox-key.ts';
import { INGEST_CONCURRENCY_BATCHED, ingestPaths } from '../ingest/paths.ts';
import { emptyTotals, type IngestProgress, type IngestTotals } from '../ingest/totals.ts';
import { NotAFolderError, type WatchEvent, watchPaths } from '../ingest/watch.ts';
import { hostPort } from '../net/address.ts';
import { describeStoreAccessError, StoreAccessError } from '../store/errors.ts';
import { defaultStorePath, openStore, storeFailure } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { type CliContext, count, oneLine, printJson, RuntimeError, UsageError } from './output.ts';

/** Progress is redrawn at most this often. */
const PROGRESS_INTERVAL_MS = 100;
const BAR_WIDTH = 24;
/** Folders watched are listed again this often by default (changes the file system tells of come sooner). */
export const WATCH_INTERVAL_DEFAULT_S = 60;

interface IngestFlags {
  db?: string;
  json?: boolean;
  watch?: boolean;
  interval?: string;
  passwordEnv: string;
  passwordFile?: string;
  tokenCommand?: string;
  tokenFile?: string;
  tokenEnv?: string;
  clientId?: string;
  clientSecretEnv?: string;
  clientSecretFile?: string;
  googleKey?: string;
  tenant?: string;
  tokenUrl?: string;
  scope?: string;
  graphUrl?: string;
  gmailUrl?: string;
  archive: string;
  flag?: string;
  leaveOtherMail?: boolean;
  starttls: 'required' | 'optional' | 'off';
  insecure?: boolean;
  concurrency?: string;
  fromMta?: boolean;
}

/**
 * Exit statuses of `--from-mta`, as mail servers read a pipe's (sysexits.h): EX_TEMPFAIL keeps the
 * mail queued and delivers it again later; EX_USAGE bounces it (a configuration to mend).
 */
export const EX_TEMPFAIL = 75;
export const EX_USAGE = 64;
/** Exit status of a run that ingested what it could but had inputs without a report (see the help). */
export const EXIT_SOME_FAILED = 2;
/** Exit status of a run of files stopped by Ctrl-C or SIGTERM (128 + SIGINT's number, as shells give). */
export const EXIT_INTERRUPTED = 130;
/** How long a stopped run may take to finish what was under way before it ends anyway. */
export const INTERRUPT_GRACE_MS = 10_000;

export function registerIngest(program: Command, ctx: CliContext): void {
  const t = translator(ingestText, ctx.lang);
  program
    .command('ingest')
    .description(t('ingest.description'))
    .argument('[inputs...]')
    .option('--db <file|url>', t('option.db'))
    .option('--json', t('option.json'))
    .option('--watch', t('option.watch'))
    .option('--interval <seconds>', t('option.interval', { seconds: WATCH_INTERVAL_DEFAULT_S }))
    .option('--password-env <name>', t('option.passwordEnv'), 'SUMI_IMAP_PASSWORD')
    .option('--password-file <file>', t('option.passwordFile'))
    .option('--token-command <command>', t('option.tokenCommand'))
    .option('--token-file <file>', t('option.tokenFile'))
    .option('--token-env <name>', t('option.tokenEnv'))
    .option('--client-id <id>', t('option.clientId'))
    .option('--client-secret-env <name>', t('option.clientSecretEnv'))
    .option('--client-secret-file <file>', t('option.clientSecretFile'))
    .option('--google-key <file>', t('option.googleKey'))
    .option('--tenant <tenant>', t('option.tenant'))
    .option('--token-url <url>', t('option.tokenUrl'))
    .option('--scope <scope>', t('option.scope'))
    .option('--graph-url <url>', t('option.graphUrl', { url: GRAPH_DEFAULT_URL }))
    .option('--gmail-url <url>', t('option.gmailUrl', { url: GMAIL_DEFAULT_URL }))
    .option('--archive <folder>', t('option.archive'), IMAP_DEFAULT_ARCHIVE)
    .option('--flag <keyword>', t('option.flag'))
    .option('--leave-other-mail', t('option.leaveOtherMail', { keyword: IMAP_OTHER_MAIL_KEYWORD }))
    .option('--from-mta', t('option.fromMta', { tempfail: EX_TEMPFAIL, usage: EX_USAGE }))
    .addOption(
      new Option('--starttls <mode>', t('option.starttls'))
        .choices(['required', 'optional', 'off'])
        .default('required'),
    )
    .option('--insecure', t('option.insecure'))
    .option(
      '--concurrency <n>',
      t('option.concurrency', {
        sqlite: INGEST_CONCURRENCY_BATCHED.sqlite,
        postgres: INGEST_CONCURRENCY_BATCHED.postgres,
      }),
    )
    .addHelpText('after', t('ingest.help.after'))
    .exitOverride((error) => {
      // A mail server reads the pipe's status: commander's usage errors (an unknown option, a bad
      // choice) are EX_USAGE there, as Sumi's own are, not the CLI's 2.
      if (error.exitCode !== 0 && ctx.argv?.includes('--from-mta'))
        throw new CommanderError(EX_USAGE, 'sumi.ingest.from-mta', error.message);
      throw error;
    })
    .action(async (inputs: string[], flags: IngestFlags) => {
      if (flags.fromMta) return deliverFromMta(inputs, flags, ctx);
      const totals = await runIngest(inputs, flags, ctx);
      if (totals.failed.length > 0) {
        // Not a runtime failure, and not silent: scripts see 2 (bad input), people see the list.
        throw new CommanderError(EXIT_SOME_FAILED, 'sumi.ingest.failed', '');
      }
    });
}

/**
 * `--from-mta`: stdin is one mail a mail server delivers through a pipe (an alias `"|sumi ingest
 * --from-mta"`, Exim's pipe transport, procmail). What counts is that the mail is kept, and the
 * exit status is how the server learns it: 0 once it is stored, or kept in the quarantine (a mail
 * without a report is no reason to bounce it to a reporter); EX_TEMPFAIL when it could not be kept
 * (the store unreachable or failing, the run stopped), so that the server queues it and tries
 * again (what was stored meanwhile then counts as a duplicate); EX_USAGE for bad usage. Without
 * it, a store that is down made every report mail bounce (exit 1) and be lost.
 */
async function deliverFromMta(inputs: string[], flags: IngestFlags, ctx: CliContext): Promise<void> {
  const t = translator(ingestText, ctx.lang);
  const fail = (status: number, message: string): never => {
    ctx.stderr.write(`${message}\n`);
    throw new CommanderError(status, 'sumi.ingest.from-mta', message);
  };
  if (inputs.some((input) => input !== '-') || flags.watch) fail(EX_USAGE, t('error.fromMtaStdin'));
  try {
    await runIngest(['-'], flags, ctx);
  } catch (error) {
    if (error instanceof UsageError) fail(EX_USAGE, error.message);
    const reason =
      error instanceof StoreAccessError
        ? describeStoreAccessError(error, ctx.lang)
        : error instanceof CommanderError
          ? t('interrupt.stopped')
          : error instanceof Error
            ? error.message
            : String(error);
    fail(EX_TEMPFAIL, t('error.fromMtaNotKept', { status: EX_TEMPFAIL, reason }));
  }
}

async function runIngest(inputs: string[], flags: IngestFlags, ctx: CliContext): Promise<IngestTotals> {
  const t = translator(ingestText, ctx.lang);
  if (inputs.length === 0) throw new UsageError(t('error.noInput'));
  const imapUrls = inputs.filter((i) => /^imaps?:\/\//i.test(i));
  const apiUrls = inputs.filter((i) => /^(?:graph|gmail):\/\//i.test(i));
  if (imapUrls.length + apiUrls.length > 0 && inputs.length > 1) throw new UsageError(t('error.imapAlone'));
  const api = apiUrls[0];
  // A base URL for another source is refused rather than ignored.
  if (flags.gmailUrl !== undefined && !(api !== undefined && isGmailUrl(api)))
    throw new UsageError(t('error.baseUrlFor', { option: '--gmail-url', scheme: 'gmail://' }));
  // Ctrl-C (or SIGTERM) stops the run: its handlers are set below; the token sources take it now,
  // so that a token request under way ends with it.
  const controller = new AbortController();
  const apiToken = api === undefined ? undefined : await apiMailboxToken(api, flags, ctx, controller.signal);
  const concurrency = flags.concurrency === undefined ? undefined : Number(flags.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new UsageError(t('error.badNumber', { option: '--concurrency', value: String(flags.concurrency) }));
  }
  const interval = Number(flags.interval ?? WATCH_INTERVAL_DEFAULT_S);
  if (!Number.isInteger(interval) || interval < 1) {
    throw new UsageError(t('error.badNumber', { option: '--interval', value: String(flags.interval) }));
  }
  // IMAP's watch waits with IDLE; folders and graph:// are read again every --interval seconds.
  if (flags.interval !== undefined && !(flags.watch && imapUrls.length === 0)) {
    throw new UsageError(t('error.intervalNeedsWatch'));
  }
  const imap = imapUrls[0];
  // Processed mail moved or labelled into the folder read would be read again as new for ever;
  // a gmail:// label that is the --flag label is passed over: nothing would ever be read.
  const mailbox = imap ?? api;
  const archive = flags.archive ?? IMAP_DEFAULT_ARCHIVE;
  const archiveWrong = mailbox !== undefined && flags.flag === undefined && archiveProblem(mailbox, archive);
  if (archiveWrong)
    throw new UsageError(
      t('error.badArchive', { problem: t(`archive.problem.${archiveWrong}`, { archive }) }),
    );
  if (mailbox !== undefined && flags.flag === undefined && readsFolder(mailbox, archive))
    throw new UsageError(t('error.archiveIsFolder', { archive }));
  if (api !== undefined && isGmailUrl(api) && flags.flag !== undefined && readsFolder(api, flags.flag))
    throw new UsageError(t('error.flagIsLabel', { flag: flags.flag }));
  let login: ImapLogin = { password: '' };
  if (imap !== undefined) {
    try {
      parseImapUrl(imap);
    } catch {
      throw new UsageError(t('error.badImapUrl', { url: imap }));
    }
    if (flags.flag !== undefined && !isImapKeyword(flags.flag))
      throw new UsageError(t('error.badImapKeyword', { value: flags.flag }));
    login = await loginFor(flags, ctx, controller.signal, parseImapUrl(imap).user);
  }
  const url = flags.db ?? defaultStorePath(ctx.env);
  // A write waiting for another process's lock must not hold the event loop: a watch hears fs
  // events and IDLE keepalives meanwhile, a mailbox's fetches and timers go on, and any run hears
  // Ctrl-C. It costs a bulk run nothing measurable (10,000 files, 4 alternating runs: medians 3.03
  // s waiting in SQLite's busy handler, 3.09 s yielding).
  const store = await openStore(url, { yieldWhenLocked: true });
  const progress = progressPrinter(ctx);
  const started = Date.now();
  let totals: IngestTotals;
  /** What was stored before the store failed is said, and is kept: the same run again completes it. */
  const failedMidRun = (failure: StoreAccessError, stored: IngestTotals) => {
    progress.done();
    const message = t('error.storeFailedMidRun', { message: describeStoreAccessError(failure, ctx.lang) });
    printSummary(ctx, stored, Boolean(flags.json), (Date.now() - started) / 1000, { error: message });
    return new RuntimeError(message);
  };
  // Ctrl-C (or SIGTERM) stops taking inputs and lets the reports under way commit, so the
  // summary says what is stored; a second one ends the process at once (every report is its
  // own transaction: what was not committed is not stored). With --watch it is the way to end.
  let grace: NodeJS.Timeout | undefined;
  const stop = () => {
    if (controller.signal.aborted) return endNow();
    progress.done();
    if (!flags.watch) ctx.stderr.write(`${t('interrupt.finishing')}\n`);
    controller.abort();
    // A read that never ends (a pipe no one writes to) must not hold the process: a supervisor's
    // single SIGTERM, or `timeout`'s, would wait for ever.
    grace = setTimeout(() => {
      ctx.stderr.write(`${t('interrupt.tooLong', { seconds: INTERRUPT_GRACE_MS / 1000 })}\n`);
      endNow();
    }, INTERRUPT_GRACE_MS).unref();
  };
  // Ended by SIGINT itself, as without a handler: process.exit() waits for a thread blocked in
  // a read (open() of a pipe with no writer) and never returns.
  const endNow = () => {
    // Every listener: with one left, the signal would be handled rather than end the process.
    process.removeAllListeners('SIGINT');
    process.off('SIGTERM', stop);
    process.kill(process.pid, 'SIGINT');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A stop that came once every input (a file, stdin, a mailbox's mail) was taken leaves nothing undone.
  let cutShort = false;
  const stopping = {
    // A write that found the store migrated by a newer Sumi stops the run (with --watch too):
    // every write after it would be refused.
    signal: AbortSignal.any([controller.signal, store.outdated]),
    onCutShort: () => {
      cutShort = true;
    },
  };
  try {
    if (api !== undefined && apiToken) {
      totals = await runApiMailbox(api, apiToken, flags, interval, store, ctx, progress, stopping);
    } else if (imap !== undefined) {
      totals = await runImap(imap, login, flags, store, ctx, progress.update, stopping);
    } else {
      const options = {
        store,
        onProgress: progress.update,
        ...stopping,
        ...(concurrency ? { concurrency } : {}),
        ...(flags.leaveOtherMail ? { leaveOtherMail: true } : {}),
      };
      const stored = emptyTotals();
      try {
        totals = flags.watch
          ? await watchPaths(
              inputs,
              {
                ...options,
                intervalMs: interval * 1000,
                onEvent: (event) => {
                  progress.done();
                  ctx.stderr.write(watchLine(event, url, ctx));
                },
              },
              stored,
            )
          : await ingestPaths(inputs, options, stored);
      } catch (error) {
        if (error instanceof NotAFolderError)
          throw new UsageError(t('error.notAFolder', { path: error.path }));
        const { code, path } = error as NodeJS.ErrnoException;
        if (code === 'ENOENT') throw new UsageError(t('error.pathMissing', { path: path ?? '' }));
        const failure = storeFailure(url, error);
        if (!failure) throw error;
        throw failedMidRun(failure, stored);
      }
    }
  } finally {
    // Finished in time: nothing is left for the grace period to end.
    clearTimeout(grace);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    progress.done();
    await store.close();
  }
  // A mailbox's run ends as for a stop, its mail left where it was.
  if (store.outdated.aborted) throw failedMidRun(store.outdated.reason as StoreAccessError, totals);
  const stopped = controller.signal.aborted && !flags.watch;
  const interrupted = stopped && cutShort;
  // Told it was stopping: it says that nothing was left after all.
  if (stopped && !interrupted) ctx.stderr.write(`${t('interrupt.nothingLeft')}\n`);
  printSummary(
    ctx,
    totals,
    Boolean(flags.json),
    (Date.now() - started) / 1000,
    interrupted ? { interrupted: true } : {},
  );
  if (interrupted) {
    ctx.stderr.write(`${t('interrupt.stopped')}\n`);
    throw new CommanderError(EXIT_INTERRUPTED, 'sumi.ingest.interrupted', '');
  }
  return totals;
}

/**
 * What a folder watch says as it goes, for a terminal or a service's log: each listing that found
 * inputs (the time, what they gave, each failure), and when watching begins; the store (its --db
 * `storeUrl`) failing as it is used is said as the store's problem, in the reader's language.
 */
function watchLine(event: WatchEvent, storeUrl: string, ctx: CliContext): string {
  const t = translator(ingestText, ctx.lang);
  const time = new Date().toISOString().slice(0, 19).replace('T', ' ');
  if (event.type === 'watching') {
    const { folders, files } = event;
    if (files === 0) return `${t('watch.watching', { count: folders })}\n`;
    return `${folders === 0 ? t('watch.watchingFiles', { count: files }) : t('watch.watchingBoth', { folders, files })}\n`;
  }
  if (event.type === 'failed') {
    const failure = storeFailure(storeUrl, event.error);
    const message = failure
      ? describeStoreAccessError(failure, ctx.lang)
      : event.error instanceof Error
        ? event.error.message
        : String(event.error);
    return `${t('watch.failed', { time, message, seconds: Math.round(event.retryMs / 1000) })}\n`;
  }
  const { totals } = event;
  const lines = [
    t(event.first ? 'watch.first' : 'watch.new', {
      time,
      inputs: totals.inputs,
      reports: totals.reports,
      records: totals.records,
      failureReports: totals.failureReports,
      tlsReports: totals.tlsReports,
      duplicates: totals.duplicates,
      failed: totals.failed.length,
    }),
    ...totals.failed.map((failure) => `  ${oneLine(describeFailure(failure, ctx.lang))}`),
    ...(totals.otherMail > 0 ? [`  ${t('summary.otherMail', { count: totals.otherMail })}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** How to log in to IMAP: a password, or an OAuth 2.0 access token from its source. */
type ImapLogin = { password: string } | { accessToken: () => Promise<string> };

async function loginFor(
  flags: IngestFlags,
  ctx: CliContext,
  signal: AbortSignal,
  user: string,
): Promise<ImapLogin> {
  const accessToken = await tokenFor(flags, ctx, signal, 'imap', user);
  return accessToken ? { accessToken } : { password: await passwordFor(flags, ctx) };
}

/**
 * A graph:// or gmail:// URL's token source, once the URL and the API's base URL are checked: a
 * password given, or no token source, is refused rather than ignored.
 */
async function apiMailboxToken(
  url: string,
  flags: IngestFlags,
  ctx: CliContext,
  signal: AbortSignal,
): Promise<() => Promise<string>> {
  const t = translator(ingestText, ctx.lang);
  const gmail = isGmailUrl(url);
  if (gmail && flags.graphUrl !== undefined)
    throw new UsageError(t('error.baseUrlFor', { option: '--graph-url', scheme: 'graph://' }));
  const [parse, baseUrl, given] = gmail
    ? ([parseGmailUrl, gmailBaseUrl, flags.gmailUrl] as const)
    : ([parseGraphUrl, graphBaseUrl, flags.graphUrl] as const);
  const words = gmail
    ? ({ url: 'error.badGmailUrl', base: 'error.badGmailBase', token: 'error.gmailNeedsToken' } as const)
    : ({ url: 'error.badGraphUrl', base: 'error.badGraphBase', token: 'error.graphNeedsToken' } as const);
  let mailbox: string;
  try {
    mailbox = parse(url).mailbox;
  } catch {
    throw new UsageError(t(words.url, { url }));
  }
  try {
    baseUrl(given);
  } catch {
    throw new UsageError(t(words.base, { url: String(given) }));
  }
  const token = await tokenFor(flags, ctx, signal, gmail ? 'gmail' : 'graph', mailbox);
  if (!token || flags.passwordFile !== undefined) throw new UsageError(t(words.token));
  return token;
}

/**
 * The OAuth 2.0 access token's source the flags give (one at most), or null: a command, a file,
 * a variable, client credentials (`mailbox` chooses their default scope; not for Gmail), or a
 * Google service account acting as the mailbox's `user` (IMAP's or Gmail's, which choose its
 * default scope).
 */
async function tokenFor(
  flags: IngestFlags,
  ctx: CliContext,
  /** The run's stop: ends a token request or command under way. */
  signal: AbortSignal,
  mailbox: 'imap' | 'graph' | 'gmail',
  user = '',
): Promise<(() => Promise<string>) | null> {
  const t = translator(ingestText, ctx.lang);
  const clientOnly = (
    [
      ['--client-secret-env', flags.clientSecretEnv],
      ['--client-secret-file', flags.clientSecretFile],
      ['--tenant', flags.tenant],
      ['--token-url', flags.tokenUrl],
      // --google-key takes a scope too.
      ['--scope', flags.googleKey === undefined ? flags.scope : undefined],
    ] as const
  ).filter(([, value]) => value !== undefined);
  if (flags.clientId === undefined && clientOnly.length > 0)
    throw new UsageError(
      t('error.clientIdMissing', { options: clientOnly.map(([name]) => name).join(', ') }),
    );
  const sources: Parameters<typeof imapAccessToken>[0][] = [
    ...(flags.tokenCommand !== undefined ? [{ command: flags.tokenCommand }] : []),
    ...(flags.tokenFile !== undefined ? [{ file: flags.tokenFile }] : []),
    ...(flags.tokenEnv !== undefined ? [{ env: flags.tokenEnv }] : []),
  ];
  const own = [flags.clientId, flags.googleKey].filter((value) => value !== undefined).length;
  if (sources.length + own > 1) throw new UsageError(t('error.tokenSources'));
  if (flags.clientId !== undefined) {
    if (mailbox === 'gmail') throw new UsageError(t('error.gmailClientId'));
    return clientCredentialsFor(flags.clientId, flags, ctx, signal, mailbox);
  }
  if (flags.googleKey !== undefined) {
    if (mailbox === 'graph') throw new UsageError(t('error.googleKeyGraph'));
    // The JWT names the user the service account acts as; Google refuses `me` there.
    if (user === 'me') throw new UsageError(t('error.googleKeyMe'));
    return serviceAccountFor(flags.googleKey, user, flags, ctx, signal, mailbox);
  }
  return sources[0] ? imapAccessToken(sources[0], ctx.env, signal) : null;
}

/** `--client-id` with its secret and token endpoint: tokens Sumi asks for itself. */
async function clientCredentialsFor(
  clientId: string,
  flags: IngestFlags,
  ctx: CliContext,
  signal: AbortSignal,
  mailbox: 'imap' | 'graph',
): Promise<() => Promise<string>> {
  const t = translator(ingestText, ctx.lang);
  const { clientSecretEnv, clientSecretFile, tenant } = flags;
  if (!clientId.trim()) throw new UsageError(t('error.emptyClientId'));
  if ((clientSecretEnv === undefined) === (clientSecretFile === undefined))
    throw new UsageError(t('error.clientSecret'));
  if ((tenant === undefined) === (flags.tokenUrl === undefined))
    throw new UsageError(t('error.clientEndpoint'));
  // Loaded only for client credentials: a file ingest loads no HTTPS client.
  const { clientCredentialsToken, graphScope, microsoftTokenUrl, OUTLOOK_SCOPE, rereadingCredential } =
    await import('../ingest/oauth.ts');
  let tokenUrl = flags.tokenUrl;
  if (tenant !== undefined) {
    try {
      tokenUrl = microsoftTokenUrl(tenant);
    } catch {
      throw new UsageError(t('error.badTenant', { tenant }));
    }
  }
  const readSecret = async (file: string) => (await readFile(file, 'utf8')).split(/\r?\n/)[0]?.trim() ?? '';
  let clientSecret: string | undefined;
  if (clientSecretFile !== undefined) {
    try {
      clientSecret = await readSecret(clientSecretFile);
    } catch (error) {
      throw new UsageError(`${clientSecretFile}: ${(error as Error).message}`);
    }
  } else clientSecret = ctx.env[clientSecretEnv!];
  if (!clientSecret)
    throw new UsageError(t('error.noClientSecret', { where: clientSecretFile ?? `$${clientSecretEnv}` }));
  const scope = flags.scope ?? (mailbox === 'graph' ? graphScope(flags.graphUrl) : OUTLOOK_SCOPE);
  const make = (secret: string) =>
    clientCredentialsToken({ tokenUrl: tokenUrl!, clientId, clientSecret: secret, scope }, { signal });
  try {
    // A secret file is read again at each request: a rotated secret is taken up by a running watch.
    return clientSecretFile === undefined
      ? make(clientSecret)
      : rereadingCredential(() => readSecret(clientSecretFile), clientSecret, make);
  } catch {
    throw new UsageError(t('error.badTokenUrl', { url: tokenUrl! }));
  }
}

/**
 * `--google-key`: tokens Sumi asks for itself as a Google service account acting as `user`, for
 * the whole mailbox over IMAP or for the Gmail API's reading and relabelling (`mailbox`).
 */
async function serviceAccountFor(
  file: string,
  user: string,
  flags: IngestFlags,
  ctx: CliContext,
  signal: AbortSignal,
  mailbox: 'imap' | 'gmail',
): Promise<() => Promise<string>> {
  const t = translator(ingestText, ctx.lang);
  // Loaded only for a service account: a file ingest loads no HTTPS client.
  const {
    GMAIL_MODIFY_SCOPE,
    GMAIL_SCOPE,
    parseServiceAccountKey,
    rereadingCredential,
    ServiceAccountKeyError,
    serviceAccountToken,
  } = await import('../ingest/oauth.ts');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(t('error.googleKey', { file, problem: (error as Error).message }));
  }
  const scope = flags.scope ?? (mailbox === 'gmail' ? GMAIL_MODIFY_SCOPE : GMAIL_SCOPE);
  const make = (key: string) => serviceAccountToken(parseServiceAccountKey(key), user, scope, { signal });
  try {
    // Read again at each request: a new key written over it is taken up by a running watch.
    return rereadingCredential(() => readFile(file, 'utf8'), text, make);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const problem =
      error instanceof ServiceAccountKeyError
        ? t(`googleKey.reason.${error.reason.key}`, error.reason.values)
        : error.message;
    throw new UsageError(t('error.googleKey', { file, problem }));
  }
}

async function passwordFor(flags: IngestFlags, ctx: CliContext): Promise<string> {
  const t = translator(ingestText, ctx.lang);
  let password: string;
  try {
    password = await imapPassword(
      flags.passwordFile ? { passwordFile: flags.passwordFile } : { passwordEnv: flags.passwordEnv },
      ctx.env,
    );
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(t('error.noPassword', { env: flags.passwordEnv }));
    throw new UsageError(`${flags.passwordFile}: ${(error as Error).message}`);
  }
  // The password is the file's first line: an empty one would reach the server as the password
  // and come back as a refused login, naming no file.
  if (flags.passwordFile && password === '') {
    throw new UsageError(t('error.emptyPasswordFile', { file: flags.passwordFile }));
  }
  return password;
}

/** What stops a run (Ctrl-C, SIGTERM), and what it is told when the stop left mail untaken. */
interface Stopping {
  signal: AbortSignal;
  onCutShort: () => void;
}

async function runImap(
  url: string,
  login: ImapLogin,
  flags: IngestFlags,
  store: Store,
  ctx: CliContext,
  onProgress: (p: IngestProgress) => void,
  stopping: Stopping,
): Promise<IngestTotals> {
  const t = translator(ingestText, ctx.lang);
  try {
    // Loaded only for IMAP: imapflow is 0.2 s of a command's start.
    const { ingestImap } = await import('../ingest/imap.ts');
    return await ingestImap(url, {
      store,
      ...login,
      starttls: flags.starttls,
      insecure: Boolean(flags.insecure),
      archive: flags.archive,
      ...(flags.flag ? { flag: flags.flag } : {}),
      ...(flags.leaveOtherMail ? { leaveOtherMail: true } : {}),
      watch: Boolean(flags.watch),
      ...stopping,
      onProgress,
      onEvent: (event) => {
        if (event.type === 'connected') {
          ctx.stderr.write(
            `${t('imap.connected', { host: event.host, folder: event.folder, count: event.pending })}\n`,
          );
        } else if (event.type === 'watching') {
          ctx.stderr.write(`${t('imap.watching', { folder: event.folder })}\n`);
        } else {
          const seconds = Math.round(event.delayMs / 1000);
          ctx.stderr.write(`${imapRetryLine(event.error, seconds, ctx)}\n`);
        }
      },
    });
  } catch (error) {
    if (error instanceof TokenError)
      throw tokenFailure(error, t('error.token', { detail: describeTokenError(error, ctx.lang) }));
    if (error instanceof ImapAccessError) throw new RuntimeError(imapAccessMessage(error, ctx));
    throw error;
  }
}

/** Why an IMAP folder could not be read; for a folder not found, the one meant or the folders there. */
function imapAccessMessage(error: ImapAccessError, ctx: CliContext): string {
  const t = translator(ingestText, ctx.lang);
  const { host, port, user, folder } = error.target;
  const archive = error.archive ?? '';
  const keyword = error.keyword ?? '';
  const message = t(`imap.access.${error.code}`, {
    server: hostPort(host, port),
    user,
    folder,
    reason: imapReason(error, ctx.lang),
    archive,
    action: error.keyword ? t('imap.action.mark', { keyword }) : t('imap.action.move', { archive }),
  });
  const hint = folderHintWords(error, ctx.lang);
  return hint ? `${message} ${hint}` : message;
}

/**
 * Why an IMAP watch connects again, in the reader's language: the connection lost (the server's
 * or the system's words), the server not reached or TLS failing, or what failed while it was
 * connected (the store, a token) and is tried again with it.
 */
function imapRetryLine(error: Error, seconds: number, ctx: CliContext): string {
  const t = translator(ingestText, ctx.lang);
  if (error instanceof ImapAccessError)
    return t('imap.retrying', { message: imapAccessMessage(error, ctx), seconds });
  if (error instanceof TokenError)
    return t('imap.retrying', {
      message: t('error.token', { detail: describeTokenError(error, ctx.lang) }),
      seconds,
    });
  if (error instanceof StoreAccessError)
    return t('imap.retrying', { message: describeStoreAccessError(error, ctx.lang), seconds });
  return t('imap.reconnecting', { message: error.message, seconds });
}

/** A graph:// or gmail:// mailbox; `interval`: seconds between a watch's passes (--interval). */
async function runApiMailbox(
  url: string,
  accessToken: () => Promise<string>,
  flags: IngestFlags,
  interval: number,
  store: Store,
  ctx: CliContext,
  progress: { update: (p: IngestProgress) => void; done: () => void },
  stopping: Stopping,
): Promise<IngestTotals> {
  const t = translator(ingestText, ctx.lang);
  const service = isGmailUrl(url) ? 'gmail' : 'graph';
  const noToken = (error: TokenError) =>
    t(`error.${service}Token`, { detail: describeTokenError(error, ctx.lang) });
  /** The mailbox's access error in one line, or null for another error. */
  const access = (error: unknown) =>
    error instanceof GraphAccessError
      ? describeGraphAccessError(error, ctx.lang)
      : error instanceof GmailAccessError
        ? describeGmailAccessError(error, ctx.lang)
        : null;
  /** What the run tells, each on a line of its own, not after the progress bar. */
  const onEvent = <P extends string>(event: ApiMailboxEvent<P>) => {
    progress.done();
    let line: string;
    if (event.type === 'connected') line = t(`${service}.connected`, { ...event, count: event.pending });
    else if (event.type === 'watching')
      line = t(`${service}.watching`, { ...event, seconds: Math.round(event.intervalMs / 1000) });
    else {
      const { error } = event;
      const message =
        access(error) ??
        (error instanceof TokenError
          ? noToken(error)
          : error instanceof StoreAccessError
            ? describeStoreAccessError(error, ctx.lang)
            : error.message);
      line = t(`${service}.reconnecting`, { message, seconds: Math.round(event.delayMs / 1000) });
    }
    ctx.stderr.write(`${line}\n`);
  };
  const options = {
    store,
    accessToken,
    archive: flags.archive,
    ...(flags.flag ? { flag: flags.flag } : {}),
    ...(flags.leaveOtherMail ? { leaveOtherMail: true } : {}),
    ...(flags.watch ? { watch: true, intervalMs: interval * 1000 } : {}),
    ...stopping,
    onProgress: progress.update,
    onEvent,
  };
  try {
    if (service === 'gmail') {
      const { ingestGmail } = await import('../ingest/gmail.ts');
      return await ingestGmail(url, { ...options, ...(flags.gmailUrl ? { gmailUrl: flags.gmailUrl } : {}) });
    }
    const { ingestGraph } = await import('../ingest/graph.ts');
    return await ingestGraph(url, { ...options, ...(flags.graphUrl ? { graphUrl: flags.graphUrl } : {}) });
  } catch (error) {
    if (error instanceof TokenError) throw tokenFailure(error, noToken(error));
    const message = access(error);
    if (message !== null) throw new RuntimeError(message);
    throw error;
  }
}

/** No token: a runtime failure (exit 1) when the token service was not reached or failed, else the configuration's (exit 2). */
function tokenFailure(error: TokenError, message: string): Error {
  return tokenServiceFailed(error) ? new RuntimeError(message) : new UsageError(message);
}

/** The progress line on a terminal's stderr: bar (when the size is known), counts, rate, ETA. */
function progressPrinter(ctx: CliContext) {
  const t = translator(ingestText, ctx.lang);
  const enabled = Boolean(ctx.stderr.isTTY) && ctx.env.TERM !== 'dumb';
  const started = Date.now();
  let last = 0;
  let shown = false;
  return {
    update: (p: IngestProgress) => {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      const seconds = Math.max(0.001, (now - started) / 1000);
      const { totals } = p;
      const parts: string[] = [];
      if (p.totalBytes) {
        const ratio = Math.min(1, p.bytesDone / p.totalBytes);
        const filled = Math.round(ratio * BAR_WIDTH);
        parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(ratio * 100)}%`);
      }
      parts.push(
        t('progress.line', {
          reports: count(totals.reports + totals.duplicates),
          records: count(totals.records),
          rate: count(Math.round((totals.reports + totals.duplicates) / seconds)),
        }),
      );
      if (p.totalBytes && p.bytesDone > 0 && p.bytesDone < p.totalBytes) {
        const eta = ((p.totalBytes - p.bytesDone) * seconds) / p.bytesDone;
        parts.push(t('progress.eta', { eta: clock(eta) }));
      }
      ctx.stderr.write(`\r${parts.join('  ')}\x1b[K`);
      shown = true;
    },
    done: () => {
      if (shown) ctx.stderr.write('\r\x1b[K');
    },
  };
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/**
 * The run's totals, for people or as the --json answer. How it ended early, in JSON beside the
 * totals (people read it on stderr): `error`, the store failed; `interrupted`, Ctrl-C or SIGTERM.
 */
export function printSummary(
  ctx: CliContext,
  totals: IngestTotals,
  json: boolean,
  seconds: number,
  ended: { error?: string; interrupted?: boolean } = {},
): void {
  if (json) {
    printJson(ctx, {
      ...totalsAnswer(totals, ctx.lang),
      ...(ended.error !== undefined ? { error: ended.error } : {}),
      ...(ended.interrupted ? { interrupted: true } : {}),
    });
    return;
  }
  const t = translator(ingestText, ctx.lang);
  // The newly stored reports' own rows; what fuller copies changed is said on its own line.
  const lines = [
    t('summary.stored', {
      reports: count(totals.reports),
      records: count(totals.records - totals.recountChange.records),
      messages: count(totals.messages - totals.recountChange.messages),
      failureReports: count(totals.failureReports),
      tlsReports: count(totals.tlsReports),
      inputs: count(totals.inputs),
      seconds: seconds.toFixed(1),
    }),
  ];
  if (totals.duplicates > 0) lines.push(t('summary.duplicates', { duplicates: count(totals.duplicates) }));
  if (totals.copies > 0) lines.push(t('summary.copies', { copies: count(totals.copies) }));
  const recount = describeRecount(totals, ctx.lang);
  if (recount) lines.push(recount);
  if (totals.otherMail > 0) lines.push(t('summary.otherMail', { count: count(totals.otherMail) }));
  if (totals.failed.length > 0) {
    lines.push(t('summary.failed', { count: count(totals.failed.length) }));
    for (const failure of totals.failed) lines.push(`  ${oneLine(describeFailure(failure, ctx.lang))}`);
  }
  ctx.stdout.write(`${lines.join('\n')}\n`);
}
