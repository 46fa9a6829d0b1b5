/**
 * SQLite for a process with other work under way while it writes (`sumi serve`, `smtpd`,
 * `ingest --watch`, the commands whose DNS lookups wait for answers meanwhile: see
 * OpenStoreOptions.yieldWhenLocked): a write that finds the database locked by another process
 * (`sumi ingest` holds the write lock for seconds while it stores a large report) waits without
 * blocking the event loop. better-sqlite3 waits in SQLite's
 * busy handler, synchronously, and every request the server had waited with it (measured: the
 * loop stood still 9.7 s while an ingest stored a 200,000-record report).
 *
 * The connection's busy timeout is 0. A statement run outside a transaction (BEGIN itself among
 * them) that finds the database locked is tried again every SQLITE_LOCK_POLL_MS, leaving the
 * connection to others in between: reads go on meanwhile, WAL never locks them out. Transactions
 * begin IMMEDIATE, taking the write lock before their first statement, so none inside one finds
 * it taken (a deferred one could, and could then only be rolled back: its snapshot was stale).
 *
 * Once the store is open (`readFrom`), a SELECT that is not part of a transaction or of a
 * connection that has written runs on a second connection of its own: Kysely's SQLite driver
 * gives its one connection to one caller at a time, and a write transaction held it for its whole
 * length (an upload of a large report: seconds) while every page's reads waited behind it. WAL
 * lets the second connection read the last commit meanwhile.
 */
import type SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SelectQueryNode,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
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
  readonly #reads: { driver?: Driver } = {};

  constructor(config: SqliteDialectConfig, handle: SqliteDatabase.Database, timeoutMs: number) {
    super(config);
    this.#handle = handle;
    this.#timeoutMs = timeoutMs;
  }

  override createDriver(): Driver {
    return new YieldingDriver(super.createDriver(), this.#handle, this.#timeoutMs, this.#reads);
  }

  /**
   * Reads go to `database`, a second connection to the same file, from now on: called once the
   * store is open, as the migrations that ran at its opening read what they had just written.
   */
  async readFrom(database: SqliteDialectConfig['database']): Promise<void> {
    const driver = new SqliteDriver({ database });
    await driver.init();
    this.#reads.driver = driver;
  }
}

/** Kysely's SQLite driver (one connection, taken in turn), its connection given up while a statement waits. */
class YieldingDriver implements Driver {
  readonly #driver: Driver;
  readonly #handle: SqliteDatabase.Database;
  readonly #timeoutMs: number;
  readonly #reads: { driver?: Driver };

  constructor(
    driver: Driver,
    handle: SqliteDatabase.Database,
    timeoutMs: number,
    reads: { driver?: Driver },
  ) {
    this.#driver = driver;
    this.#handle = handle;
    this.#timeoutMs = timeoutMs;
    this.#reads = reads;
  }

  init(): Promise<void> {
    return this.#driver.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutedConnection(this.#driver, this.#reads.driver, this.#handle, this.#timeoutMs);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as RoutedConnection).writing(CompiledQuery.raw('begin immediate'));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#driver.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#driver.rollbackTransaction(connection);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return (connection as RoutedConnection).release();
  }

  async destroy(): Promise<void> {
    await this.#reads.driver?.destroy();
    await this.#driver.destroy();
  }
}

/**
 * A connection that takes the writing one at its first statement that is no SELECT, or at BEGIN,
 * and keeps it until released; SELECTs before that go to the reading one.
 */
class RoutedConnection implements DatabaseConnection {
  readonly #writes: Driver;
  readonly #reads: Driver | undefined;
  readonly #handle: SqliteDatabase.Database;
  readonly #timeoutMs: number;
  #held: DatabaseConnection | undefined;

  constructor(writes: Driver, reads: Driver | undefined, handle: SqliteDatabase.Database, timeoutMs: number) {
    this.#writes = writes;
    this.#reads = reads;
    this.#handle = handle;
    this.#timeoutMs = timeoutMs;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#held === undefined && this.#reads && SelectQueryNode.is(query.query)) {
      const reads = this.#reads;
      const connection = await reads.acquireConnection();
      try {
        // A reader is locked out only while a WAL is being reset or recovered: briefly.
        return await untilUnlocked(
          () => connection.executeQuery<R>(query),
          () => pause(SQLITE_LOCK_POLL_MS),
          this.#timeoutMs,
        );
      } finally {
        await reads.releaseConnection(connection);
      }
    }
    return this.writing<R>(query);
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    if (this.#held === undefined && this.#reads) {
      const connection = await this.#reads.acquireConnection();
      try {
        yield* connection.streamQuery<R>(query, chunkSize);
      } finally {
        await this.#reads.releaseConnection(connection);
      }
      return;
    }
    yield* (await this.#writer()).streamQuery<R>(query, chunkSize);
  }

  /** Runs `query` on the writing connection, taken for the rest of this connection's use. */
  async writing<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const connection = await this.#writer();
    return untilUnlocked(
      () => connection.executeQuery<R>(query),
      async () => {
        // The one connection is free for others while this waits; taken in turn again after.
        await this.#writes.releaseConnection(connection);
        await pause(SQLITE_LOCK_POLL_MS);
        await this.#writes.acquireConnection();
      },
      this.#timeoutMs,
      // Inside a transaction a statement refused is not tried again: the transaction is rolled
      // back by its caller, as without this driver.
      () => !this.#handle.inTransaction,
    );
  }

  async #writer(): Promise<DatabaseConnection> {
    this.#held ??= await this.#writes.acquireConnection();
    return this.#held;
  }

  async release(): Promise<void> {
    if (this.#held === undefined) return;
    const held = this.#held;
    this.#held = undefined;
    await this.#writes.releaseConnection(held);
  }
}
