/**
 * How a command opens the store its --db names (or SUMI_DB, or the default path) for one piece
 * of work: the one place the CLI decides whether a missing SQLite store may be made.
 */
import { defaultStorePath, openStore, storeFailure } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import type { CliContext, UsageError } from './output.ts';

export interface WithStoreOptions {
  /**
   * Make a SQLite store that is not there. Without it one is refused (exit 2): what reads the
   * reports would answer a mistyped path from an empty store made for it, as if nothing had come.
   */
  create?: boolean;
  /** The command's own input errors as usage errors (undefined: not one of them). */
  usageError?: (error: unknown) => UsageError | undefined;
}

/**
 * Runs `work` on the store named by `flags.db`, closing it after. A store that fails as it is
 * used (locked, its disk full, the server gone) is said in one line (storeFailure).
 */
export async function withStore<T>(
  flags: { db?: string },
  ctx: CliContext,
  work: (store: Store) => Promise<T>,
  options: WithStoreOptions = {},
): Promise<T> {
  const url = flags.db ?? defaultStorePath(ctx.env);
  // A command may have lookups under way while it writes (resolve-ips, an analysis with
  // --resolver caching what it found): a write waiting for another process's lock must not hold
  // the event loop meanwhile.
  const store = await openStore(url, { create: options.create ?? false, yieldWhenLocked: true });
  try {
    return await work(store);
  } catch (error) {
    throw options.usageError?.(error) ?? storeFailure(url, error) ?? error;
  } finally {
    await store.close();
  }
}

/**
 * Resolves on SIGINT or SIGTERM, or once `outdated` (Store.outdated) aborts: a write found the
 * store migrated by a newer Sumi. How a long-running command waits for its end; after closing,
 * it throws that refusal (`outdated.throwIfAborted()`), said in one line as at opening.
 */
export function untilStopped(outdated?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      outdated?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (outdated?.aborted) stop();
    else outdated?.addEventListener('abort', stop);
  });
}
