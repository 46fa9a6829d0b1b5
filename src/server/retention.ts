/**
 * The retention policy kept in the settings, applied by `sumi serve` once a day: what has been
 * kept longer than the policy says is deleted (store/prune.ts), and how the run went is kept
 * for the settings page. Several servers on one store may each run it: a prune deletes each
 * report once whoever runs it.
 */
import type { Accounts } from '../auth/accounts.ts';
import { pruneOptionsFor, type RetentionPolicy, readRetention, writeRetentionRun } from '../store/prune.ts';
import type { PruneTotals, Store } from '../store/types.ts';

/** How often the policy is looked at: a change to it applies within this time. */
export const RETENTION_CHECK_MS = 60 * 60_000;
/** A run at most this often, in seconds. */
export const RETENTION_EVERY_S = 86_400;

export interface RetentionJobOptions {
  store: Store;
  /** Where each run is written in the audit log (what it deleted, or why it failed). */
  accounts?: Accounts;
  checkMs?: number;
  /** Epoch seconds; tests move it. */
  now?: () => number;
  /** A run that failed (it is kept in the settings too). */
  onError?: (error: Error) => void;
}

export class RetentionJob {
  readonly #options: RetentionJobOptions;
  readonly #controller = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<PruneTotals | null> | undefined;

  constructor(options: RetentionJobOptions) {
    this.#options = options;
  }

  /** Looks at once (a server started after a day down catches up), then every checkMs. */
  start(): void {
    const look = () => {
      this.check().catch((error: unknown) => this.#options.onError?.(error as Error));
    };
    look();
    this.#timer = setInterval(look, this.#options.checkMs ?? RETENTION_CHECK_MS);
    this.#timer.unref();
  }

  /**
   * Runs the policy when it deletes anything and its last run is a day old or more (or it never
   * ran); what it deleted, or null when it was not due. One run at a time.
   */
  check(): Promise<PruneTotals | null> {
    this.#running ??= this.#check().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #check(): Promise<PruneTotals | null> {
    const { store } = this.#options;
    const now = this.#options.now?.() ?? Math.floor(Date.now() / 1000);
    const state = await readRetention(store.db);
    const options = pruneOptionsFor(state, now);
    if (!options || this.#controller.signal.aborted) return null;
    // Due a day after its last run, or at once when the policy changed since.
    const changed = state.updatedAt !== null && state.lastRun !== null && state.updatedAt > state.lastRun.at;
    if (state.lastRun && !changed && now - state.lastRun.at < RETENTION_EVERY_S) return null;
    const audit = (detail: Record<string, unknown>) =>
      this.#options.accounts?.audit({
        userId: null,
        username: null,
        action: 'retention.run',
        target: 'retention',
        detail,
      });
    try {
      const deleted = await store.prune({ ...options, signal: this.#controller.signal });
      const stopped = this.#controller.signal.aborted;
      await audit({ policy: policyOf(state), deleted, ...(stopped ? { stopped } : {}) });
      // A run cut short by the server stopping is not one: the next start runs it whole.
      if (!stopped) await writeRetentionRun(store.db, { at: now, deleted, error: null });
      return deleted;
    } catch (error) {
      const message = (error as Error).message;
      await writeRetentionRun(store.db, { at: now, deleted: null, error: message });
      await audit({ policy: policyOf(state), error: message });
      throw error;
    }
  }

  /** Stops looking; a run under way ends after its batch. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#controller.abort();
    await this.#running?.catch(() => {});
  }
}

function policyOf({ reportsDays, failureReportsDays, quarantineDays }: RetentionPolicy): RetentionPolicy {
  return { reportsDays, failureReportsDays, quarantineDays };
}
