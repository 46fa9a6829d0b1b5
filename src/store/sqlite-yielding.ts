/**
 * SQLite for a process that serves others while it writes (`sumi serve`): a write that finds the
 * database locked by another process (`sumi ingest` holds the write lock for seconds while it
 * stores a large report) waits without blocking the event loop. better-sqlite3 waits in SQLite's
 * busy handler, synchronously, and every request the server had waited with it (measured: the
 * loop stood still 9.7 s while an ingest stored a 200,000-record report).
 *
 * The connection's busy timeout is 0. A statement run outside a transaction (BEGIN itself among
 * them) that finds the database locked is tried again every SQLITE_LOCK_POLL_MS, leaving the
 * connection to others in between: reads go on meanwhile, WAL never locks them out. Transactions
 * begin IMMEDIATE, taking the write lock before their first statement, so none inside one finds
 * it taken (a deferred one could, and could then only be rolled back: its snapshot was stale).
 */
import type SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SqliteDialect,
  type SqliteDialectConfig,
} from 'kysely';

/** How often a statement that found the database locked is tried again. */
export const SQLITE_LOCK_POLL_MS = 20;

/** Whether SQLite refused the statement because another connection holds the lock it needs. */
function isSqliteBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Runs `attempt` until it does not find the database locked, `between` awaited after each time
 * it did, for `timeoutMs` at most (then the BUSY error is thrown, as SQLite's busy timeout does).
 * `retryable`: whether a BUSY error may be tried again at all.
 */
export async function untilUnlocked<T>(
  attempt: () => T | Promise<T>,
  between: () => Promise<void>,
  timeoutMs: number,
  retryable: () => boolean = () => true,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isSqliteBusy(error) || !retryable() || Date.now() > deadline) throw error;
    }
    await between();
  }
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Kysely's SQLite dialect, its driver waiting for locks as above. `handle` is the connection. */
export class YieldingSqliteDialect extends SqliteDialect {
  readonly #handle: SqliteDatabase.Database;
  readonly #timeoutMs: number;

  constructor(config: SqliteDialectConfig, handle: SqliteDatabase.Database, timeoutMs: number) {
    super(config);
    this.#handle = handle;
    this.#timeoutMs = timeoutMs;
  }

  override createDriver(): Driver {
    return new YieldingDriver(super.createDriver(), this.#handle, this.#timeoutMs);
  }
}

/** Kysely's SQLite driver (one connection, taken in turn), its connection given up while a statement waits. */
class YieldingDriver implements Driver {
  readonly #driver: Driver;
  readonly #handle: SqliteDatabase.Database;
  readonly #timeoutMs: number;

  constructor(driver: Driver, handle: SqliteDatabase.Database, timeoutMs: number) {
    this.#driver = driver;
    this.#handle = handle;
    this.#timeoutMs = timeoutMs;
  }

  init(): Promise<void> {
    return this.#driver.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.#driver.acquireConnection();
    return {
      executeQuery: <R>(query: CompiledQuery): Promise<QueryResult<R>> =>
        untilUnlocked(
          () => connection.executeQuery<R>(query),
          async () => {
            // The one connection is free for others while this waits; taken in turn again after.
            await this.#driver.releaseConnection(connection);
            await pause(SQLITE_LOCK_POLL_MS);
            await this.#driver.acquireConnection();
          },
          this.#timeoutMs,
          // Inside a transaction a statement refused is not tried again: the transaction is
          // rolled back by its caller, as without this driver.
          () => !this.#handle.inTransaction,
        ),
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    };
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#driver.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#driver.rollbackTransaction(connection);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#driver.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.#driver.destroy();
  }
}
