/**
 * The IMAP mailboxes kept in the store's settings (the dashboard's "IMAP sources"), each watched
 * with IDLE by `sumi serve`: started when added, stopped when removed, restarted when changed,
 * with a status the dashboard shows (watching, reconnecting and why, failed and why).
 */
import { ingestText } from '../i18n/ingest.ts';
import { translate } from '../i18n/translate.ts';
import { ingestImap } from './imap.ts';
import { ImapAccessError, type ImapAccessErrorCode } from './imap-account.ts';

export interface ImapSourceSpec {
  id: number;
  url: string;
  /** The environment variable holding the password (never stored). */
  passwordEnv: string;
  archive: string;
  /** IngestImapOptions.leaveOtherMail. */
  leaveOtherMail: boolean;
}

export type ImapSourceState = 'connecting' | 'watching' | 'reconnecting' | 'failed';

export interface ImapSourceStatus {
  state: ImapSourceState;
  /** Why it reconnects or failed (English; the server's or the library's words). */
  error: string | null;
  /** A failure Sumi itself names, for the dashboard to say in the reader's language. */
  problem: 'no-password' | ImapAccessErrorCode | null;
  /** With a problem the server or TLS named: their words (not translated), else null. */
  reason: string | null;
  /** Epoch second of the last change of state. */
  since: number;
  /** Reports of every kind stored from it since it started (new ones, not duplicates). */
  reports: number;
  lastReportAt: number | null;
}

/** How often the list of sources is read again (changes through the API apply at once). */
export const IMAP_SOURCES_RECONCILE_MS = 30_000;
/** A failed source (refused login, no password) is tried again after this long. */
export const IMAP_SOURCE_RETRY_FAILED_MS = 5 * 60_000;

interface Running {
  spec: ImapSourceSpec;
  controller: AbortController;
  done: Promise<void>;
  status: ImapSourceStatus;
}

export interface ImapSourcesOptions {
  store: Parameters<typeof ingestImap>[1]['store'];
  /** The sources as stored now. */
  list: () => Promise<ImapSourceSpec[]>;
  env?: Record<string, string | undefined>;
  reconcileMs?: number;
  retryFailedMs?: number;
  /** Passed on to ingestImap: tests shorten the waits and turn STARTTLS off. */
  imap?: Pick<Parameters<typeof ingestImap>[1], 'reconnect' | 'starttls' | 'insecure'>;
  now?: () => number;
}

export class ImapSources {
  readonly #options: ImapSourcesOptions;
  readonly #running = new Map<number, Running>();
  #timer: NodeJS.Timeout | undefined;
  #reconciling: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: ImapSourcesOptions) {
    this.#options = options;
  }

  /** Starts every stored source, and reads the list again every reconcileMs. */
  async start(): Promise<void> {
    await this.reconcile();
    this.#timer = setInterval(() => {
      this.reconcile().catch(() => {});
    }, this.#options.reconcileMs ?? IMAP_SOURCES_RECONCILE_MS);
    this.#timer.unref();
  }

  /** Brings the watchers in line with the stored list (one reconciliation at a time). */
  reconcile(): Promise<void> {
    this.#reconciling = this.#reconciling.then(() => this.#reconcile());
    return this.#reconciling;
  }

  /** The status of each running source, by id. */
  status(): Map<number, ImapSourceStatus> {
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
      const changed =
        !spec ||
        spec.url !== running.spec.url ||
        spec.passwordEnv !== running.spec.passwordEnv ||
        spec.archive !== running.spec.archive ||
        spec.leaveOtherMail !== running.spec.leaveOtherMail;
      const retry =
        running.status.state === 'failed' &&
        now - running.status.since >= (this.#options.retryFailedMs ?? IMAP_SOURCE_RETRY_FAILED_MS) / 1000;
      if (changed || retry) await this.#stop(id);
    }
    for (const spec of specs) if (!this.#running.has(spec.id)) this.#start(spec);
  }

  #start(spec: ImapSourceSpec): void {
    const controller = new AbortController();
    const status: ImapSourceStatus = {
      state: 'connecting',
      error: null,
      problem: null,
      reason: null,
      since: this.#now(),
      reports: 0,
      lastReportAt: null,
    };
    const set = (state: ImapSourceState, error: unknown) => {
      status.state = state;
      status.error = error === null ? null : error instanceof Error ? error.message : String(error);
      status.problem = error instanceof ImapAccessError ? error.code : null;
      status.reason = error instanceof ImapAccessError ? error.reason : null;
      status.since = this.#now();
    };
    let stored = 0;
    const password = (this.#options.env ?? process.env)[spec.passwordEnv];
    if (!password) {
      set('failed', translate(ingestText, 'serve.noPassword', 'en', { env: spec.passwordEnv }));
      status.problem = 'no-password';
      this.#running.set(spec.id, { spec, controller, done: Promise.resolve(), status });
      return;
    }
    const done = ingestImap(spec.url, {
      ...this.#options.imap,
      store: this.#options.store,
      password,
      archive: spec.archive,
      ...(spec.leaveOtherMail ? { leaveOtherMail: true } : {}),
      watch: true,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'connected') set('connecting', null);
        else if (event.type === 'watching') set('watching', null);
        else set('reconnecting', event.error);
      },
      onProgress: ({ totals }) => {
        const now = totals.reports + totals.failureReports + totals.tlsReports;
        if (now > stored) {
          status.reports += now - stored;
          stored = now;
          status.lastReportAt = this.#now();
        }
      },
    }).then(
      () => {},
      (error: unknown) => set('failed', error),
    );
    this.#running.set(spec.id, { spec, controller, done, status });
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
