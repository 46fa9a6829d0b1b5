/**
 * The mailboxes kept in the store's settings (the dashboard's "Mailbox sources"), each watched by
 * `sumi serve`: an IMAP folder with IDLE, a Microsoft 365 folder through Microsoft Graph read
 * every API_WATCH_INTERVAL_MS (mailbox.ts); started when added, stopped when removed or paused,
 * restarted when changed or resumed, with a status the dashboard shows (watching, reconnecting and
 * why, failed and why, paused).
 * A source signs in with the password in an environment variable (IMAP), as an application with
 * the client credentials grant, its secret in an environment variable (Graph, or IMAP on
 * Microsoft 365), or as a Google service account, its JSON key in an environment variable (IMAP
 * on Google Workspace); the variables' names are those the dashboard may name (sourceEnvAllowed).
 */
import { ingestText } from '../i18n/ingest.ts';
import type { Lang } from '../i18n/lang.ts';
import { serverText } from '../i18n/server.ts';
import { translate } from '../i18n/translate.ts';
import { networkMessage } from '../net/errors.ts';
import { describeStoreAccessError } from '../store/errors.ts';
import { storeFailure } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { MailApiError, type MailApiErrorCode } from './api-access.ts';
import { ingestGmail } from './gmail.ts';
import { isGmailUrl, parseGmailUrl } from './gmail-account.ts';
import { ingestGraph } from './graph.ts';
import { graphBaseUrl, isGraphUrl, parseGraphUrl } from './graph-account.ts';
import { ingestImap } from './imap.ts';
import {
  folderHintWords,
  ImapAccessError,
  type ImapAccessErrorCode,
  imapReason,
  parseImapUrl,
  sourceEnvAllowed,
  TokenError,
  tokenReason,
} from './imap-account.ts';
import { archiveProblem, readsFolder } from './mailbox-key.ts';
import {
  clientCredentialsToken,
  GMAIL_MODIFY_SCOPE,
  GMAIL_SCOPE,
  graphScope,
  microsoftTokenUrl,
  OUTLOOK_SCOPE,
  parseServiceAccountKey,
  ServiceAccountKeyError,
  serviceAccountToken,
  tokenEndpointUrl,
} from './oauth.ts';

/**
 * What a source signs in as instead of a password, never the secret itself: a Microsoft Entra ID
 * (or other OAuth 2.0) application with the client credentials grant (its client id, the
 * environment variable holding its secret, its tenant or token endpoint), or a Google service
 * account with domain-wide delegation (the environment variable holding its JSON key), acting as
 * the IMAP URL's user. A graph:// source's `graphUrl` is Microsoft Graph's base URL in a national
 * cloud (graph.microsoft.us, microsoftgraph.chinacloudapi.cn), its token asked for that URL's
 * scope; absent, the global service's (GRAPH_DEFAULT_URL).
 */
export type SourceApp =
  | { clientId: string; secretEnv: string; tenant?: string; tokenUrl?: string; graphUrl?: string }
  | { googleKeyEnv: string };

/** The environment variable holding what the source signs in with: its password, secret or key. */
export function sourceSecretEnv(spec: Pick<MailboxSourceSpec, 'passwordEnv' | 'app'>): string {
  if (!spec.app) return spec.passwordEnv;
  return 'googleKeyEnv' in spec.app ? spec.app.googleKeyEnv : spec.app.secretEnv;
}

export interface MailboxSourceSpec {
  id: number;
  /** imap://, imaps://, graph:// or gmail://. */
  url: string;
  /** The environment variable holding the IMAP password (never stored); unused with `app`. */
  passwordEnv: string;
  archive: string;
  /** IngestImapOptions.leaveOtherMail, IngestGraphOptions.leaveOtherMail. */
  leaveOtherMail: boolean;
  /** Sign in as this application or service account instead of with the password. */
  app: SourceApp | null;
  /** Epoch second an admin paused it at: never connected until resumed. Null or absent: watched. */
  pausedAt?: number | null;
}

export const MAILBOX_SOURCE_STATES = ['connecting', 'watching', 'reconnecting', 'failed', 'paused'] as const;
export type MailboxSourceState = (typeof MAILBOX_SOURCE_STATES)[number];

/**
 * A failure Sumi itself names: the variable not set or not one the dashboard may name, no token
 * from the application's sign-in, the source as stored not one that can be watched (its URL or
 * sign-in: `bad-source`; its archive folder: `bad-archive`; see storedSourceFault), the mailbox's
 * access error, or any other error (`unexpected`, with its own words).
 */
export type MailboxSourceProblem =
  | 'no-password'
  | 'env-not-allowed'
  | 'token-failed'
  | 'store'
  | 'bad-source'
  | 'bad-archive'
  | 'unexpected'
  | ImapAccessErrorCode
  | MailApiErrorCode;

/** The problems a source's status names that are neither IMAP's access errors nor the mail APIs'. */
export const MAILBOX_SOURCE_PROBLEMS = [
  'no-password',
  'env-not-allowed',
  'token-failed',
  'store',
  'bad-source',
  'bad-archive',
  'unexpected',
] as const satisfies readonly MailboxSourceProblem[];

export interface MailboxSourceStatus {
  state: MailboxSourceState;
  /** Why it reconnects or failed (English; the server's or the library's words). */
  error: string | null;
  /** A failure Sumi itself names, for the dashboard to say in the reader's language. */
  problem: MailboxSourceProblem | null;
  /**
   * With a problem: why, as the server, TLS or the identity provider said it (their words, not
   * translated), or, when Sumi itself says why (no answer in time, an answer that is not JSON, a
   * key file's fault, the store's failure), in both languages; else null.
   */
  reason: string | SaidInBoth | null;
  /** Epoch second of the last change of state (paused: when it was paused). */
  since: number;
  /** Reports of every kind stored from it since it started (new ones, not duplicates). */
  reports: number;
  lastReportAt: number | null;
}

/** Sumi's own words, in each language the dashboard speaks. */
export type SaidInBoth = Record<Lang, string>;

/** How often the list of sources is read again (changes through the API apply at once). */
export const MAILBOX_SOURCES_RECONCILE_MS = 30_000;
/** A failed source (refused login, no password) is tried again after this long. */
export const MAILBOX_SOURCE_RETRY_FAILED_MS = 5 * 60_000;

interface Running {
  spec: MailboxSourceSpec;
  controller: AbortController;
  done: Promise<void>;
  status: MailboxSourceStatus;
}

export interface MailboxSourcesOptions {
  store: Store;
  /** The store's --db, to say it failing as it is used (storeFailure) in a source's status. */
  storeUrl?: string;
  /** The sources as stored now. */
  list: () => Promise<MailboxSourceSpec[]>;
  env?: Record<string, string | undefined>;
  reconcileMs?: number;
  retryFailedMs?: number;
  /** Passed on to ingestImap: tests shorten the waits and turn STARTTLS off. */
  imap?: Pick<Parameters<typeof ingestImap>[1], 'reconnect' | 'starttls' | 'insecure'>;
  /** Passed on to ingestGraph (tests: a mock's URL, short waits). */
  graph?: Pick<Parameters<typeof ingestGraph>[1], 'graphUrl' | 'intervalMs' | 'reconnect'>;
  /** Options for gmail:// sources (tests: a local API and short waits). */
  gmail?: Pick<Parameters<typeof ingestGmail>[1], 'gmailUrl' | 'intervalMs' | 'reconnect'>;
  /** Trust these CA certificates (PEM) for Graph and the token endpoint instead of the system's: tests. */
  ca?: string | Buffer;
  now?: () => number;
}

/**
 * What keeps a source as stored from being watched: a field the settings API refuses (the URL, the
 * sign-in its kind needs, the tenant, token endpoint or Graph URL, the archive folder: archiveProblem, or the
 * folder read), kept from before the rule that refuses it (INBOX. as an archive before 95814a2).
 * The field and why, in both languages; null when it can be watched.
 */
export function storedSourceFault(
  spec: Pick<MailboxSourceSpec, 'url' | 'archive' | 'app'>,
): { problem: 'bad-source' | 'bad-archive'; field: string; reason: SaidInBoth } | null {
  const { url, app } = spec;
  const source = (field: string, reason: SaidInBoth) => ({ problem: 'bad-source' as const, field, reason });
  const said = (key: keyof typeof serverText & `source.${string}`, values?: Record<string, string>) =>
    inBoth((lang) => translate(serverText, key, lang, values));
  const graph = isGraphUrl(url);
  const gmail = isGmailUrl(url);
  if (!graph && !gmail && !/^imaps?:\/\//i.test(url)) return source('url', said('source.url', { url }));
  try {
    if (graph) parseGraphUrl(url);
    else if (gmail) parseGmailUrl(url);
    else parseImapUrl(url);
  } catch {
    const words = graph ? 'error.badGraphUrl' : gmail ? 'error.badGmailUrl' : 'error.badImapUrl';
    return source(
      'url',
      inBoth((lang) => translate(ingestText, words, lang, { url })),
    );
  }
  const google = app !== null && 'googleKeyEnv' in app;
  if (graph && google) return source('googleKeyEnv', said('source.googleKeyGraph'));
  if (graph && !app) return source('clientId', said('source.graphNeedsApp'));
  if (gmail && !google) return source('googleKeyEnv', said('source.gmailNeedsKey'));
  if (app && !google) {
    const reason = graphUrlFault(url, app.graphUrl);
    if (reason) return source('graphUrl', reason);
    try {
      if (app.tokenUrl === undefined) microsoftTokenUrl(app.tenant ?? '');
    } catch {
      return source('tenant', said('source.badTenant', { tenant: app.tenant ?? '' }));
    }
    try {
      if (app.tokenUrl !== undefined) tokenEndpointUrl(app.tokenUrl);
    } catch {
      return source('tokenUrl', said('source.badTokenUrl', { url: app.tokenUrl! }));
    }
  }
  const reason = archiveFault(url, spec.archive);
  return reason && { problem: 'bad-archive', field: 'archive', reason };
}

/**
 * Why `archive` will not do as the source URL's archive folder, in both languages: a name that
 * will not work (archiveProblem), or the folder read, whose mail would come back as new for ever.
 */
export function archiveFault(url: string, archive: string): SaidInBoth | null {
  const problem = archiveProblem(url, archive);
  if (problem)
    return inBoth((lang) => translate(ingestText, `archive.problem.${problem}`, lang, { archive }));
  if (readsFolder(url, archive))
    return inBoth((lang) => translate(serverText, 'source.archiveIsFolder', lang, { archive }));
  return null;
}

/**
 * Why `graphUrl` will not do as the source URL's Microsoft Graph base URL, in both languages: a
 * source that is not graph:// (it never reaches Graph), or not a base URL graphBaseUrl takes (an
 * https:// one, as `sumi ingest --graph-url`). Null when it will, or is not given.
 */
export function graphUrlFault(url: string, graphUrl: string | undefined): SaidInBoth | null {
  if (graphUrl === undefined) return null;
  if (!isGraphUrl(url)) return inBoth((lang) => translate(serverText, 'source.graphUrlNotGraph', lang));
  try {
    graphBaseUrl(graphUrl);
    return null;
  } catch {
    return inBoth((lang) => translate(serverText, 'source.badGraphUrl', lang, { url: graphUrl }));
  }
}

/** Whether two specs watch the same way (else the watcher restarts, or stops for a pause). */
function sameSpec(a: MailboxSourceSpec, b: MailboxSourceSpec): boolean {
  return (
    a.url === b.url &&
    a.passwordEnv === b.passwordEnv &&
    a.archive === b.archive &&
    a.leaveOtherMail === b.leaveOtherMail &&
    JSON.stringify(a.app) === JSON.stringify(b.app) &&
    (a.pausedAt ?? null) === (b.pausedAt ?? null)
  );
}

export class MailboxSources {
  readonly #options: MailboxSourcesOptions;
  readonly #running = new Map<number, Running>();
  #timer: NodeJS.Timeout | undefined;
  #reconciling: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: MailboxSourcesOptions) {
    this.#options = options;
  }

  /** Starts every stored source, and reads the list again every reconcileMs. */
  async start(): Promise<void> {
    await this.reconcile();
    this.#timer = setInterval(() => {
      this.reconcile().catch(() => {});
    }, this.#options.reconcileMs ?? MAILBOX_SOURCES_RECONCILE_MS);
    this.#timer.unref();
  }

  /**
   * Brings the watchers in line with the stored list (one reconciliation at a time). A failed one
   * (the store unreachable for a moment) rejects its own caller only: chained on it unhandled, every
   * later one failed with its error, and sources were neither started nor stopped until a restart.
   */
  reconcile(): Promise<void> {
    const next = this.#reconciling.then(() => this.#reconcile());
    this.#reconciling = next.catch(() => {});
    return next;
  }

  /** The status of each running source, by id. */
  status(): Map<number, MailboxSourceStatus> {
    return new Map([...this.#running].map(([id, running]) => [id, { ...running.status }]));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#reconciling;
    await Promise.all([...this.#running.keys()].map((id) => this.#stop(id)));
  }

  async #reconcile(): Promise<void> {
    if (this.#closed) return;
    const specs = await this.#options.list();
    const wanted = new Map(specs.map((spec) => [spec.id, spec]));
    const now = this.#now();
    for (const [id, running] of this.#running) {
      const spec = wanted.get(id);
      const changed = !spec || !sameSpec(spec, running.spec);
      const retry =
        running.status.state === 'failed' &&
        now - running.status.since >= (this.#options.retryFailedMs ?? MAILBOX_SOURCE_RETRY_FAILED_MS) / 1000;
      if (changed || retry) await this.#stop(id);
    }
    for (const spec of specs) if (!this.#running.has(spec.id)) this.#start(spec);
  }

  #start(spec: MailboxSourceSpec): void {
    const controller = new AbortController();
    const status: MailboxSourceStatus = {
      state: 'connecting',
      error: null,
      problem: null,
      reason: null,
      since: this.#now(),
      reports: 0,
      lastReportAt: null,
    };
    // Paused: its watcher was stopped as any changed source's is, a pass left once its mails
    // being stored are moved, and none is started until it is resumed.
    if (spec.pausedAt != null) {
      status.state = 'paused';
      status.since = spec.pausedAt;
      this.#running.set(spec.id, { spec, controller, done: Promise.resolve(), status });
      return;
    }
    const set = (state: MailboxSourceState, error: unknown) => {
      status.state = state;
      status.error = error === null ? null : error instanceof Error ? error.message : String(error);
      const named = problemOf(error, this.#options.storeUrl ?? this.#options.store.files[0] ?? '');
      status.problem = named?.problem ?? null;
      status.reason = named?.reason ?? null;
      status.since = this.#now();
    };
    /** Fails before watching, for a reason Sumi names: the watcher is never started. */
    const refuse = (problem: MailboxSourceProblem, error: string, reason: SaidInBoth | null) => {
      set('failed', error);
      status.problem = problem;
      status.reason = reason;
      this.#running.set(spec.id, { spec, controller, done: Promise.resolve(), status });
    };
    // A source kept from before a rule that refuses it says why, and never connects.
    const fault = storedSourceFault(spec);
    if (fault) {
      refuse(fault.problem, `${fault.field}: ${fault.reason.en}`, fault.reason);
      return;
    }
    const env = sourceSecretEnv(spec);
    const allowed = sourceEnvAllowed(env);
    const secret = allowed ? (this.#options.env ?? process.env)[env] : undefined;
    if (!secret) {
      const missing = !spec.app
        ? 'serve.noPassword'
        : 'googleKeyEnv' in spec.app
          ? 'serve.noGoogleKey'
          : 'serve.noSecret';
      const [problem, key] = !allowed
        ? (['env-not-allowed', 'serve.envNotAllowed'] as const)
        : (['no-password', missing] as const);
      refuse(problem, translate(ingestText, key, 'en', { env }), null);
      return;
    }
    let stored = 0;
    const hooks = {
      signal: controller.signal,
      onEvent: (event: { type: string; error?: Error }) => {
        if (event.type === 'connected') set('connecting', null);
        else if (event.type === 'watching') set('watching', null);
        else set('reconnecting', event.error ?? null);
      },
      onProgress: ({
        totals,
      }: {
        totals: { reports: number; failureReports: number; tlsReports: number };
      }) => {
        const now = totals.reports + totals.failureReports + totals.tlsReports;
        if (now > stored) {
          status.reports += now - stored;
          stored = now;
          status.lastReportAt = this.#now();
        }
      },
    };
    const done = this.#watch(spec, secret, hooks).then(
      () => {},
      (error: unknown) => set('failed', error),
    );
    this.#running.set(spec.id, { spec, controller, done, status });
  }

  /** Watches the source's mailbox, signed in with its password or as its application, until the signal aborts. */
  async #watch(
    spec: MailboxSourceSpec,
    secret: string,
    hooks: {
      signal: AbortSignal;
      /** Either source's events: only their type and error are read. */
      onEvent: (event: { type: string; error?: Error }) => void;
      onProgress: NonNullable<Parameters<typeof ingestGraph>[1]['onProgress']>;
    },
  ): Promise<unknown> {
    const graph = isGraphUrl(spec.url);
    const gmail = isGmailUrl(spec.url);
    const common = {
      store: this.#options.store,
      archive: spec.archive,
      ...(spec.leaveOtherMail ? { leaveOtherMail: true } : {}),
      watch: true,
      ...hooks,
    };
    const ca = this.#options.ca ? { ca: this.#options.ca } : {};
    // The source's own cloud, over the one the options give (a test server's).
    const graphUrl = spec.app && 'clientId' in spec.app ? spec.app.graphUrl : undefined;
    const graphOptions = { ...this.#options.graph, ...(graphUrl ? { graphUrl } : {}) };
    // A spec the API would refuse (a graph:// source without an application, a bad tenant), or a
    // variable holding no service account key, throws here.
    const accessToken = !spec.app
      ? null
      : 'googleKeyEnv' in spec.app
        ? serviceAccountToken(
            parseServiceAccountKey(secret),
            gmail ? parseGmailUrl(spec.url).mailbox : parseImapUrl(spec.url).user,
            gmail ? GMAIL_MODIFY_SCOPE : GMAIL_SCOPE,
            { ...ca, signal: hooks.signal },
          )
        : clientCredentialsToken(
            {
              tokenUrl: spec.app.tokenUrl ?? microsoftTokenUrl(spec.app.tenant ?? ''),
              clientId: spec.app.clientId,
              clientSecret: secret,
              scope: graph ? graphScope(graphOptions.graphUrl) : OUTLOOK_SCOPE,
            },
            { ...ca, signal: hooks.signal },
          );
    if (graph) {
      if (!accessToken || (spec.app && 'googleKeyEnv' in spec.app))
        throw new RangeError('a graph:// source signs in as a Microsoft Entra ID application');
      return ingestGraph(spec.url, { ...graphOptions, ...ca, ...common, accessToken });
    }
    if (gmail) {
      if (!accessToken || !(spec.app && 'googleKeyEnv' in spec.app))
        throw new RangeError('a gmail:// source signs in as a Google service account');
      return ingestGmail(spec.url, { ...this.#options.gmail, ...ca, ...common, accessToken });
    }
    return ingestImap(spec.url, {
      ...this.#options.imap,
      ...common,
      ...(accessToken ? { accessToken } : { password: secret }),
    });
  }

  async #stop(id: number): Promise<void> {
    const running = this.#running.get(id);
    if (!running) return;
    this.#running.delete(id);
    running.controller.abort();
    await running.done;
  }

  #now(): number {
    return Math.floor((this.#options.now?.() ?? Date.now()) / 1000);
  }
}

/**
 * The problem an error names, with the words of whoever named it. `storeUrl`: the store's, to
 * say it failing as it is used (locked, its disk full: storeFailure) as the store's problem.
 */
function problemOf(
  error: unknown,
  storeUrl: string,
): { problem: MailboxSourceProblem; reason: string | SaidInBoth } | null {
  if (error instanceof ImapAccessError) {
    // The server's words, and for a folder not found Sumi's hint (the folder meant, or those there).
    const hinted = folderHintWords(error, 'en') !== null;
    return {
      problem: error.code,
      reason: hinted
        ? inBoth((lang) => `${error.reason} ${folderHintWords(error, lang)}`)
        : error.ownReason
          ? inBoth((lang) => imapReason(error, lang))
          : error.reason,
    };
  }
  // Graph's and Gmail's: the service's words, or Sumi's own said in each language.
  if (error instanceof MailApiError)
    return {
      problem: error.code,
      reason: error.ownReason ? inBoth((lang) => error.accessValues(lang).reason) : error.reason,
    };
  if (error instanceof TokenError) {
    const own = error.ownReason;
    return { problem: 'token-failed', reason: own ? inBoth((lang) => tokenReason(own, lang)) : error.detail };
  }
  // Its words never quote the key.
  if (error instanceof ServiceAccountKeyError) {
    const { key, values } = error.reason;
    return {
      problem: 'token-failed',
      reason: inBoth((lang) => translate(ingestText, `googleKey.reason.${key}`, lang, values)),
    };
  }
  const failed = storeFailure(storeUrl, error);
  if (failed) return { problem: 'store', reason: inBoth((lang) => describeStoreAccessError(failed, lang)) };
  if (error === null) return null;
  // Anything else, in its own words: a server's answer to a command (imapflow's responseText),
  // else the library's or the system's message.
  const { responseText } = error as { responseText?: unknown };
  return {
    problem: 'unexpected',
    reason: typeof responseText === 'string' && responseText ? responseText : networkMessage(error),
  };
}

function inBoth(say: (lang: Lang) => string): SaidInBoth {
  return { en: say('en'), ja: say('ja') };
}
