/**
 * A store a newer Sumi migrated while this one had it open (Sumi upgraded beside a running `sumi
 * serve`, `smtpd` or `ingest --watch`): the write that finds it is refused, and every write after
 * it, as opening the store would be (StoreAccessError `sqlite-newer`, `postgres-newer`): rows
 * written in this Sumi's shape may no longer mean what the new shape says.
 *
 * Found in the one place every statement goes through, the driver given to Kysely: a transaction,
 * as it begins, counts the migration table's rows (a one-page table), and reads their names only
 * when the count changed. A write outside a transaction runs in one of its own. The count is read
 * where no migration can come between it and the transaction's writes: on SQLite in a transaction
 * begun IMMEDIATE, the write lock held (the schema cookie would miss a migration that changes rows
 * only, as 0024 and 0025 do); on PostgreSQL after the advisory lock migrations run under
 * (POSTGRES_MIGRATION_LOCK), taken shared until the transaction ends and sent with its BEGIN in one
 * round trip: a newer Sumi migrating waits for the writes under way, which it then migrates too,
 * and the writes begun meanwhile wait for its migration, then see it. What a transaction pays: on
 * SQLite a count in-process (microseconds, beside its commit's WAL write); on PostgreSQL no round
 * trip more, a shared lock and a count with the BEGIN it sends anyway.
 *
 * Reads are never refused, but a process that only reads (a `sumi serve` whose users only look)
 * must notice too: a read outside a transaction counts first when READ_RECHECK_MS have passed
 * since the last count, and a read that fails counts at once, so that a read broken by the newer
 * shape (a table or column gone) fails with the refusal rather than the engine's words.
 */
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  RawNode,
  SelectQueryNode,
  type TransactionSettings,
} from 'kysely';
import type { EngineKind } from './engine.ts';
import type { StoreAccessError } from './errors.ts';
import { MIGRATION_TABLE, unknownMigration } from './migrations/index.ts';

/** The key of the PostgreSQL advisory lock a store is migrated under (per schema). */
export const POSTGRES_MIGRATION_LOCK = `hashtextextended('sumi-migrations:' || current_schema(), 0)`;

const COUNT_APPLIED = `select count(*) as applied from ${MIGRATION_TABLE}`;
const APPLIED = CompiledQuery.raw(`select name from ${MIGRATION_TABLE}`);

/** How long reads go on without counting the migrations (see the module comment). */
export const READ_RECHECK_MS = 10_000;

/**
 * Whether a statement only reads: a SELECT, built or raw (raw WITH included, unless it holds a
 * data-modifying statement). What cannot be told so is taken for a write.
 */
function reads(query: CompiledQuery): boolean {
  if (SelectQueryNode.is(query.query)) return true;
  return (
    RawNode.is(query.query) &&
    /^\s*(?:select|with)\b/i.test(query.sql) &&
    !/\b(?:insert|update|delete|merge)\b/i.test(query.sql)
  );
}

/** PostgreSQL's BEGIN as Kysely writes it for `settings`. */
function postgresBegin(settings: TransactionSettings): string {
  if (!settings.isolationLevel && !settings.accessMode) return 'begin';
  const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
  return `start transaction${isolation}${settings.accessMode ? ` ${settings.accessMode}` : ''}`;
}

export class NewerMigrationGuard {
  readonly #engine: EngineKind;
  readonly #refusal: (migration: string) => StoreAccessError;
  readonly #outdated = new AbortController();
  #armed = false;
  /** Rows of the migration table when last counted; undefined until then. */
  #applied: number | undefined;
  /** When they were last counted (Date.now()). */
  #countedAt = 0;

  /** `refusal`: the error a write is refused with, naming the newer Sumi's migration. */
  constructor(engine: EngineKind, refusal: (migration: string) => StoreAccessError) {
    this.#engine = engine;
    this.#refusal = refusal;
  }

  /** Store.outdated: aborted, its reason the refusal, once a write found a newer Sumi's migration. */
  get outdated(): AbortSignal {
    return this.#outdated.signal;
  }

  /** `dialect` with its driver guarded (writes pass unchecked until `arm`). */
  dialect(dialect: Dialect): Dialect {
    return {
      createAdapter: () => dialect.createAdapter(),
      createDriver: () => new GuardedDriver(dialect.createDriver(), this),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createIntrospector: (db) => dialect.createIntrospector(db),
    };
  }

  /** Checks every write from now on: the store is migrated as this Sumi knows it (the opening's migrations ran unchecked). */
  arm(): void {
    this.#armed = true;
  }

  get armed(): boolean {
    return this.#armed;
  }

  /**
   * Begins a transaction on `connection` (by `driver`, as the guarded driver would), having found
   * no newer Sumi's migration; else rolls it back and throws the refusal. Once refused, throws
   * it before any statement.
   */
  async begin(driver: Driver, connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    this.#outdated.signal.throwIfAborted();
    if (!this.#armed) return driver.beginTransaction(connection, settings);
    try {
      const refusal = await this.#counted(
        connection,
        await this.#beginCounting(driver, connection, settings),
      );
      if (refusal !== undefined) throw refusal;
    } catch (error) {
      // Kysely rolls back only a transaction whose beginning succeeded.
      await driver.rollbackTransaction(connection).catch(() => {});
      throw error;
    }
  }

  /**
   * Before a read outside a transaction: counts the migrations if READ_RECHECK_MS have passed
   * since they were last counted (`now`: whatever the time), and says a newer Sumi's to the
   * long-running commands (Store.outdated). The read itself goes on.
   */
  async beforeRead(connection: DatabaseConnection, now = false): Promise<void> {
    if (!this.#armed || this.#outdated.signal.aborted) return;
    if (!now && Date.now() - this.#countedAt < READ_RECHECK_MS) return;
    const { rows } = await connection.executeQuery<{ applied: number | string }>(
      CompiledQuery.raw(COUNT_APPLIED),
    );
    await this.#counted(connection, Number(rows[0]?.applied));
  }

  /** The refusal writes meet, once a newer Sumi's migration was found. */
  get refusal(): StoreAccessError | undefined {
    return this.#outdated.signal.aborted ? (this.#outdated.signal.reason as StoreAccessError) : undefined;
  }

  /**
   * Takes a count of `applied` migrations: when it changed, reads their names, and on finding a
   * newer Sumi's aborts Store.outdated and gives the refusal.
   */
  async #counted(connection: DatabaseConnection, applied: number): Promise<StoreAccessError | undefined> {
    this.#countedAt = Date.now();
    if (applied === this.#applied) return undefined;
    const names = (await connection.executeQuery<{ name: string }>(APPLIED)).rows.map((row) => row.name);
    const newer = unknownMigration(names, this.#engine);
    if (newer === undefined) {
      this.#applied = applied;
      return undefined;
    }
    const refusal = this.#refusal(newer);
    this.#outdated.abort(refusal);
    return refusal;
  }

  /**
   * Begins the transaction and counts the applied migrations where none can come meanwhile. (A
   * PostgreSQL transaction of a stricter isolation than READ COMMITTED, an admin's role changed,
   * counts in the snapshot its first statement took before the lock: a migration it waited for
   * is found by the next transaction.)
   */
  async #beginCounting(
    driver: Driver,
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<number> {
    let text = COUNT_APPLIED;
    // Both SQLite dialects (open.ts) begin IMMEDIATE.
    if (this.#engine === 'sqlite') await driver.beginTransaction(connection, settings);
    // Several statements in one query: the pool given to Kysely answers with the last one's rows (pg-copy.ts).
    else
      text = `${postgresBegin(settings)}; select pg_advisory_xact_lock_shared(${POSTGRES_MIGRATION_LOCK}); ${text}`;
    const { rows } = await connection.executeQuery<{ applied: number | string }>(CompiledQuery.raw(text));
    return Number(rows[0]?.applied);
  }
}

/** A Kysely driver whose transactions begin through the guard, and whose writes outside one run in one. */
class GuardedDriver implements Driver {
  readonly #driver: Driver;
  readonly #guard: NewerMigrationGuard;

  constructor(driver: Driver, guard: NewerMigrationGuard) {
    this.#driver = driver;
    this.#guard = guard;
  }

  init(): Promise<void> {
    return this.#driver.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GuardedConnection(await this.#driver.acquireConnection(), this.#driver, this.#guard);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const guarded = connection as GuardedConnection;
    await this.#guard.begin(this.#driver, guarded.inner, settings);
    guarded.inTransaction = true;
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#ending(connection, (inner) => this.#driver.commitTransaction(inner));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#ending(connection, (inner) => this.#driver.rollbackTransaction(inner));
  }

  /** Ends the connection's transaction by `end`, which leaves it outside one whatever comes of it. */
  async #ending(connection: DatabaseConnection, end: (inner: DatabaseConnection) => Promise<void>) {
    const guarded = connection as GuardedConnection;
    try {
      await end(guarded.inner);
    } finally {
      guarded.inTransaction = false;
    }
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#driver.releaseConnection((connection as GuardedConnection).inner);
  }

  destroy(): Promise<void> {
    return this.#driver.destroy();
  }
}

/** A connection of the guarded driver: knows whether it is in a transaction. */
class GuardedConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;
  readonly #driver: Driver;
  readonly #guard: NewerMigrationGuard;
  inTransaction = false;

  constructor(inner: DatabaseConnection, driver: Driver, guard: NewerMigrationGuard) {
    this.inner = inner;
    this.#driver = driver;
    this.#guard = guard;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction || !this.#guard.armed) return this.inner.executeQuery<R>(query);
    if (reads(query)) return this.#read(query);
    // A write on its own: in a transaction of its own, checked as it begins (on SQLite as cheap as
    // its own autocommit; on PostgreSQL two more round trips, which only writes off the ingest's
    // paths pay: a new reporter, a login).
    await this.#guard.begin(this.#driver, this.inner, {});
    try {
      const result = await this.inner.executeQuery<R>(query);
      await this.#driver.commitTransaction(this.inner);
      return result;
    } catch (error) {
      await this.#driver.rollbackTransaction(this.inner).catch(() => {});
      throw error;
    }
  }

  /** A read outside a transaction: see the module comment. */
  async #read<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    await this.#guard.beforeRead(this.inner);
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (error) {
      await this.#guard.beforeRead(this.inner, true).catch(() => {});
      throw this.#guard.refusal ?? error;
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}
