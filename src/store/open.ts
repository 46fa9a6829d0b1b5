/** Opening a store: a SQLite file (the default) or a PostgreSQL URL, migrated to the latest schema. */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Driver,
  Kysely,
  PostgresDialect,
  type PostgresDialectConfig,
  SqliteDialect,
  type SqliteDialectConfig,
  type SqliteDatabase as SqliteDialectDatabase,
  SqliteDriver,
  sql,
  type TableMetadata,
} from 'kysely';
import type pg from 'pg';
import { urlWithoutPassword } from '../net/address.ts';
import { isUnreachable } from '../net/errors.ts';
import { StoreAccessError } from './errors.ts';
import { MIGRATION_TABLE, migrateToLatest, migrations, unknownMigration } from './migrations/index.ts';
import { NewerMigrationGuard, POSTGRES_MIGRATION_LOCK } from './newer-guard.ts';
import type { Database } from './schema.ts';
import { pause, SQLITE_LOCK_POLL_MS, untilUnlocked, YieldingSqliteDialect } from './sqlite-yielding.ts';
import { KyselyStore } from './store.ts';
import type { BulkWrites, Store } from './types.ts';

/**
 * How long a SQLite writer waits for another process's write transaction to end. A 200,000-record
 * report holds the write lock for a few seconds; a minute leaves room for several in a row.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 60_000;

/** Prepared SQLite statements kept per store: a report's few dozen distinct ones, with room to spare. */
export const SQLITE_STATEMENT_CACHE_SIZE = 256;

/** WAL pages (4 KiB) written before SQLite checkpoints them into the database file. */
export const SQLITE_WAL_CHECKPOINT_PAGES = 10_000;

/** PostgreSQL connections per store: concurrent report transactions, plus one for the migration lock. */
export const PG_POOL_SIZE = 10;

/**
 * Seconds a new PostgreSQL connection may take to be ready, unless the URL's `connect_timeout`
 * or PGCONNECT_TIMEOUT says otherwise (0: wait forever, as libpq). pg reads neither and waits
 * forever by default: a host that accepts connections and never answers hung every command.
 */
export const PG_CONNECT_TIMEOUT_S = 30;

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Where the store lives when no `--db` is given: `$SUMI_DB` (a path or a postgres:// URL), else
 * `$XDG_DATA_HOME/sumi/sumi.db`, else `~/.local/share/sumi/sumi.db`. Makes no folder: opening a
 * store that may be created does (openStore), one that must be there does not.
 */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.SUMI_DB;
  if (configured) return configured;
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const dataHome =
    env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME)
      ? env.XDG_DATA_HOME
      : path.join(env.HOME || homedir(), '.local', 'share');
  return path.join(dataHome, 'sumi', 'sumi.db');
}

/**
 * `mkdir -p`, a level at a time: Node's recursive mkdirSync spins for ever where mkdir answers
 * ENOENT under a parent that exists (`--db /proc/x/sumi.db`); here that is the error.
 */
function makeFolder(folder: string): void {
  const missing: string[] = [];
  for (let at = folder; !existsSync(at); at = path.dirname(at)) {
    missing.push(at);
    if (path.dirname(at) === at) break;
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (error) {
      // Made meanwhile by another process opening the same store: as good.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(level).isDirectory()) throw error;
    }
  }
}

export interface OpenStoreOptions {
  /**
   * False: a SQLite file that is not there is refused (StoreAccessError `no-store`), not made. For
   * the commands that read what was stored: a mistyped --db would otherwise be an empty store,
   * its empty answer said as if true. Default true.
   */
  create?: boolean;
  /**
   * True for a process with other work under way while it writes: requests to answer (`sumi
   * serve`), SMTP sessions (`smtpd`), fs events, IDLE, fetches and Ctrl-C (`ingest`), DNS lookups
   * (a stored `survey`, `worker`, `check --store`, `resolve-ips`): every command the CLI opens a
   * store for. On SQLite, a write that finds the store locked by another process then waits
   * without blocking the event loop (sqlite-yielding.ts). Default false: it waits in SQLite's
   * busy handler.
   */
  yieldWhenLocked?: boolean;
}

/** Opens (creating and migrating as needed) the store at a file path, `:memory:`, or a postgres:// URL. */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(url)) {
    if (!postgresDatabaseNamed(url))
      throw new StoreAccessError('bad-url', { target: urlWithoutPassword(url) });
    return openPostgres(url);
  }
  // postgress://, pg://, postgres:/: a URL mistyped, not a file to make a SQLite store in.
  if (/^[a-z][a-z0-9+.-]+:\//i.test(url))
    throw new StoreAccessError('bad-url', { target: urlWithoutPassword(url) });
  return openSqlite(url, options.create ?? true, options.yieldWhenLocked ?? false);
}

/**
 * Whether a postgres:// URL names its database (in its path or ?dbname=), or PGDATABASE does:
 * without, pg takes the user's name for it, and the tables were made in that database (often
 * `postgres`, the server's own), silently.
 */
function postgresDatabaseNamed(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return true; // pg reads it and says what is wrong (postgresAccessError)
  }
  return (
    parsed.pathname.replace(/^\//, '') !== '' || Boolean(parsed.searchParams.get('dbname') || env.PGDATABASE)
  );
}

async function openSqlite(file: string, create: boolean, yieldWhenLocked: boolean): Promise<Store> {
  if (!create && file !== ':memory:' && !existsSync(file))
    throw new StoreAccessError('no-store', { path: file });
  let handle: SqliteDatabase.Database;
  try {
    if (file !== ':memory:') makeFolder(path.dirname(path.resolve(file)));
    handle = new SqliteDatabase(file, { timeout: yieldWhenLocked ? 0 : SQLITE_BUSY_TIMEOUT_MS });
  } catch (error) {
    throw sqliteAccessError(file, error);
  }
  try {
    try {
      // The first statement reads the file: where one that is no database is found out.
      await whenNotBusy(handle, () => handle.pragma('journal_mode = WAL'));
    } catch (error) {
      throw sqliteAccessError(file, error);
    }
    // NORMAL in WAL mode: a commit survives a process crash; only a power loss can undo the
    // last commits, never corrupt the file.
    handle.pragma('synchronous = NORMAL');
    handle.pragma('foreign_keys = ON');
    // The rollup's GROUP BY sorts a report's records: in memory, not in a temporary file
    // (measured: 15% faster on a 200,000-record report).
    handle.pragma('temp_store = MEMORY');
    // Checkpoint the WAL into the database every ~40 MB rather than every 4 MB: each checkpoint
    // syncs the database file, and during an ingest they cost more than the writes.
    handle.pragma(`wal_autocheckpoint = ${SQLITE_WAL_CHECKPOINT_PAGES}`);
    const database = cachingStatements(handle);
    const dialect = yieldWhenLocked
      ? new YieldingSqliteDialect({ database }, handle, SQLITE_BUSY_TIMEOUT_MS)
      : new ImmediateSqliteDialect({ database });
    const guard = new NewerMigrationGuard(
      'sqlite',
      (migration) => new StoreAccessError('sqlite-newer', { path: file, migration }),
    );
    const db = new Kysely<Database>({ dialect: guard.dialect(dialect) });
    if (pendingSqliteMigrations(handle, file)) {
      // IMMEDIATE takes the write lock first, so a second process opening the same file at
      // once waits here, then finds nothing left to do (or a newer Sumi's migrations: refused).
      await whenNotBusy(handle, () => handle.exec('begin immediate'));
      try {
        if (pendingSqliteMigrations(handle, file))
          await migrateToLatest(db, 'sqlite', { disableTransactions: true });
        handle.exec('commit');
      } catch (error) {
        handle.exec('rollback');
        throw error;
      }
    }
    guard.arm();
    if (dialect instanceof YieldingSqliteDialect && file !== ':memory:') {
      await dialect.readFrom(cachingStatements(readingConnection(file)));
    }
    const bulk = file === ':memory:' ? undefined : checkpointingAside(handle, file);
    const files = file === ':memory:' ? [] : ['', '-wal', '-shm'].map((end) => path.resolve(file + end));
    return await withRollupFolded(
      new KyselyStore(db, 'sqlite', guard.outdated, () => db.destroy(), bulk, files),
    );
  } catch (error) {
    handle.close();
    throw error;
  }
}

/**
 * Kysely's SQLite dialect, its transactions begun IMMEDIATE, as sqlite-yielding.ts's: the write
 * lock taken first, so that what the newer-Sumi guard reads as a transaction begins stays true
 * until it ends (newer-guard.ts), and no statement in one finds its snapshot made stale by another
 * writer (SQLITE_BUSY_SNAPSHOT, which a busy handler does not wait out).
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** A second connection to a store's file that only reads (sumi serve's, while the first writes). */
function readingConnection(file: string): SqliteDatabase.Database {
  const handle = new SqliteDatabase(file, { timeout: 0 });
  handle.pragma('query_only = ON');
  // As the writing connection's: the analyses' GROUP BYs sort in memory.
  handle.pragma('temp_store = MEMORY');
  return handle;
}

/**
 * The SQLite store with rollup sums a bulk ingest staged and never folded (it was stopped first)
 * added to source_rollup, so analysis sees every stored report. Nothing pending, one cheap query.
 * A fold that fails (a full disk, a file this process may only read) leaves the store usable,
 * its sums staged for the next fold.
 */
async function withRollupFolded(store: KyselyStore): Promise<KyselyStore> {
  const pending = await store.db.selectFrom('rollup_pending').select('id').limit(1).executeTakeFirst();
  if (pending) await store.foldRollup().catch(() => undefined);
  return store;
}

/**
 * How often the checkpointer thread checkpoints a WAL written since. Each checkpoint copies the
 * pages written since the last one: more often copies pages written again and again (the
 * rollup's) more often.
 */
const CHECKPOINT_EVERY_MS = 500;

/**
 * Store.writingInBulk on SQLite: while `work` runs, the WAL is checkpointed by a thread of its
 * own (checkpoint-thread.js) rather than by the commit that fills it, which then waits for the
 * database file's pages to be copied and synced. Measured on the ingest bench: commits took
 * 1.3 s of the writing thread's time, 0.7 s with checkpoints aside; the ingest 8% less time.
 */
function checkpointingAside(handle: SqliteDatabase.Database, file: string): BulkWrites {
  let running = 0;
  let checkpointer: { thread: Worker; exited: Promise<void> } | undefined;
  const restore = () => handle.pragma(`wal_autocheckpoint = ${SQLITE_WAL_CHECKPOINT_PAGES}`);
  return async (work) => {
    if (running++ === 0) {
      const thread = new Worker(new URL('./checkpoint-thread.js', import.meta.url), {
        workerData: { file, everyMs: CHECKPOINT_EVERY_MS },
        // Plain JavaScript: none of this process's flags (an inherited `--import tsx` would
        // start tsx's hooks in it for nothing).
        execArgv: [],
      });
      // Waited for from the start: a thread that failed has exited long before the work ends.
      const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
      // Should the thread fail, commits checkpoint again as usual.
      thread.on('error', restore);
      checkpointer = { thread, exited };
      handle.pragma('wal_autocheckpoint = 0');
    }
    try {
      return await work();
    } finally {
      if (--running === 0 && checkpointer) {
        checkpointer.thread.postMessage('stop');
        await checkpointer.exited;
        checkpointer = undefined;
        restore();
      }
    }
  };
}

/**
 * The connection as Kysely sees it, keeping prepared statements by SQL text: Kysely prepares
 * every query it runs, and a report's statements repeat (measured: preparing was a third of
 * the time of writing small reports).
 */
function cachingStatements(handle: SqliteDatabase.Database): SqliteDialectDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => handle.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (statement) {
        // Most recently used last, so the first entry is the one to evict.
        statements.delete(text);
      } else {
        statement = handle.prepare(text);
        if (statements.size >= SQLITE_STATEMENT_CACHE_SIZE) {
          const oldest = statements.keys().next().value;
          if (oldest !== undefined) statements.delete(oldest);
        }
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

/**
 * Runs `statement` once no other connection holds the lock it needs, asking again every 20 ms
 * up to SQLITE_BUSY_TIMEOUT_MS, without blocking the event loop: better-sqlite3 waits synchronously,
 * and a second store opening the same file in this process could then never let the first one
 * finish. Also where SQLite answers BUSY at once rather than waiting out its timeout: switching
 * a new file to WAL while another process switches it too (waiting could deadlock).
 */
async function whenNotBusy(handle: SqliteDatabase.Database, statement: () => void): Promise<void> {
  const timeoutMs = handle.pragma('busy_timeout', { simple: true }) as number;
  handle.pragma('busy_timeout = 0');
  try {
    await untilUnlocked(statement, () => pause(SQLITE_LOCK_POLL_MS), SQLITE_BUSY_TIMEOUT_MS);
  } finally {
    handle.pragma(`busy_timeout = ${timeoutMs}`);
  }
}

/** Codes of a file that cannot be a store here: not there, not ours to write, not a database. */
const SQLITE_FILE_ERRORS =
  /^(SQLITE_CANTOPEN|SQLITE_NOTADB|SQLITE_READONLY|SQLITE_PERM|SQLITE_AUTH|EACCES|EPERM|ENOTDIR|EISDIR|EROFS|EEXIST|ENOENT)/;

/** The error as a StoreAccessError when it says the file cannot be opened as a store; else as it is. */
function sqliteAccessError(file: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !SQLITE_FILE_ERRORS.test(code)) return error;
  return new StoreAccessError(
    'sqlite-file',
    { path: file, reason: (error as Error).message },
    { cause: error },
  );
}

/**
 * Whether the schema lacks a migration; a read, so opening an up-to-date store never waits for a
 * writer. A store with a migration this Sumi lacks is refused (StoreAccessError `sqlite-newer`),
 * for reading as well: its rows may no longer mean what this Sumi would read in them.
 */
function pendingSqliteMigrations(handle: SqliteDatabase.Database, file: string): boolean {
  const exists = handle
    .prepare(`select 1 from sqlite_master where type = 'table' and name = ?`)
    .get(MIGRATION_TABLE);
  if (!exists) return true;
  const applied = new Set(
    handle
      .prepare(`select name from ${MIGRATION_TABLE}`)
      .pluck()
      .all()
      .map((name) => String(name)),
  );
  const newer = unknownMigration(applied, 'sqlite');
  if (newer) throw new StoreAccessError('sqlite-newer', { path: file, migration: newer });
  return Object.keys(migrations('sqlite')).some((name) => !applied.has(name));
}

async function openPostgres(url: string): Promise<Store> {
  // Loaded for PostgreSQL only: a SQLite store, the default, starts 0.1 s sooner without them.
  const [{ default: driver }, { copyingPool }] = await Promise.all([import('pg'), import('./pg-copy.ts')]);
  const timeoutMs = postgresConnectTimeoutS(url) * 1000;
  const pool = new driver.Pool({
    connectionString: url,
    max: PG_POOL_SIZE,
    // On each new connection only: the pool's own option would also limit the wait for a free
    // pooled connection, which a long report's transaction may rightly hold.
    Client: class extends driver.Client {
      constructor(config?: pg.ClientConfig) {
        super({ ...config, connectionTimeoutMillis: timeoutMs });
      }
    },
    types: {
      // 64-bit integers (ids, counts, epoch seconds, count(*)) and numeric (sum of bigint) as
      // numbers: every value the store writes is a safe integer.
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === driver.types.builtins.INT8 || oid === driver.types.builtins.NUMERIC
          ? Number
          : driver.types.getTypeParser(oid, format)) as typeof driver.types.getTypeParser,
    },
  });
  // An idle connection dropped by the server: the pool discards it and the next query opens a
  // new one (and reports the failure if the server is gone). Without a listener it would crash.
  pool.on('error', () => {});
  // The store's questions are short reads of one domain's rows: the JIT compiler, which starts
  // once a query's estimated cost passes jit_above_cost, spent more compiling than it saved
  // (bench/analysis.ts: a two-domain 90-day read 200-340 ms with it, 130-150 ms without).
  // Queued first on each new connection; a server without JIT refuses the setting, harmlessly.
  pool.on('connect', (client) => {
    // A connection cut while checked out (a server restart, failover, pg_terminate_backend)
    // emits 'error' on its client as well as failing the query under way; unheard, the event
    // ended the process with a stack. The query's failure is what tells (storeFailure).
    client.on('error', () => {});
    client.query('set jit = off').catch(() => {});
  });
  let db: Kysely<Database> | undefined;
  let guard: NewerMigrationGuard;
  try {
    // The migration lock's connection, also where the store's schema is learnt.
    let lock: pg.PoolClient;
    try {
      lock = await pool.connect();
    } catch (error) {
      throw postgresAccessError(url, error, timeoutMs / 1000);
    }
    try {
      const { rows } = await lock.query<{ schema: string | null }>('select current_schema() as schema');
      const schema = rows[0]?.schema;
      if (!schema) throw new StoreAccessError('no-schema', { target: postgresTarget(url) });
      // A connection opened later (the pool grows, or replaces one the server dropped) that
      // fails is said as the first one would be: the server gone, or refusing more clients.
      const pooled = copyingPool(pool, (error) => postgresAccessError(url, error, timeoutMs / 1000));
      const target = postgresTarget(url);
      guard = new NewerMigrationGuard(
        'postgres',
        (migration) => new StoreAccessError('postgres-newer', { target, schema, migration }),
      );
      db = new Kysely<Database>({ dialect: guard.dialect(new SchemaDialect({ pool: pooled }, schema)) });
      await migratePostgres(db, lock, schema, target);
      guard.arm();
    } finally {
      lock.release();
    }
  } catch (error) {
    await (db ? db.destroy() : pool.end());
    throw error;
  }
  const opened = db;
  return new KyselyStore(opened, 'postgres', guard.outdated, () => opened.destroy());
}

/** The URL's `connect_timeout`, else PGCONNECT_TIMEOUT, else PG_CONNECT_TIMEOUT_S; seconds, 0 for none. */
export function postgresConnectTimeoutS(url: string, env: NodeJS.ProcessEnv = process.env): number {
  let given: string | null | undefined;
  try {
    given = new URL(url).searchParams.get('connect_timeout');
  } catch {
    given = null;
  }
  given ??= env.PGCONNECT_TIMEOUT;
  const seconds = given === undefined || given === '' ? Number.NaN : Number(given);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.floor(seconds) : PG_CONNECT_TIMEOUT_S;
}

/**
 * A failed connection as a StoreAccessError when it is the server's absence or its refusal of
 * the role, the database or one more client (SQLSTATE class 28, 3D000, 42501, 53300); else as
 * it is.
 */
export function postgresAccessError(
  url: string,
  error: unknown,
  timeoutS = postgresConnectTimeoutS(url),
): unknown {
  const target = postgresTarget(url);
  const { code, message } = error as { code?: unknown; message?: unknown };
  const reason = typeof message === 'string' ? message : String(error);
  // pg reads the URL when it first connects.
  if (code === 'ERR_INVALID_URL') {
    return new StoreAccessError('bad-url', { target: urlWithoutPassword(url) }, { cause: error });
  }
  // pg's words (lib/client.js) when connectionTimeoutMillis passed.
  if (reason === 'timeout expired') {
    return new StoreAccessError('timeout', { target, seconds: timeoutS }, { cause: error });
  }
  // ENOENT: a Unix socket path with no server behind it.
  if (isUnreachable(code) || code === 'ENOENT') {
    return new StoreAccessError('unreachable', { target, reason }, { cause: error });
  }
  // 53300: no more connections, for the server or for the role (its CONNECTION LIMIT).
  if (
    typeof code === 'string' &&
    (code.startsWith('28') || code === '3D000' || code === '42501' || code === '53300')
  ) {
    return new StoreAccessError('refused', { target, reason }, { cause: error });
  }
  // pg's words when sslmode asks for TLS and the server has none.
  if (reason === 'The server does not support SSL connections') {
    return new StoreAccessError('refused', { target, reason }, { cause: error });
  }
  // pg's own words when the server asks for a SCRAM password and none was given (a cleartext
  // or MD5 one is refused by the server instead: class 28).
  if (/client password must be a string/.test(reason)) {
    return new StoreAccessError('no-password', { target }, { cause: error });
  }
  return error;
}

/**
 * A store that failed as it was used rather than as it was opened, as a StoreAccessError: SQLite's
 * file locked by another process past the busy timeout, its disk full, the file unwritable or
 * damaged; PostgreSQL gone or refusing (postgresAccessError), shut down, out of disk or memory,
 * or read-only (SQLSTATE classes 08, 53, 57P and 25006), or its connection cut. The machine's
 * state, not a bug: one line in the user's words. Anything else: undefined. `url`: the store's
 * --db.
 */
export function storeFailure(url: string, error: unknown): StoreAccessError | undefined {
  if (error instanceof StoreAccessError) return error;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const reason = typeof message === 'string' ? message : String(error);
  if (!isPostgresUrl(url)) {
    if (typeof code !== 'string') return undefined;
    const args = { path: url, reason };
    if (code.startsWith('SQLITE_BUSY'))
      return new StoreAccessError(
        'sqlite-locked',
        { ...args, seconds: SQLITE_BUSY_TIMEOUT_MS / 1000 },
        { cause: error },
      );
    if (code === 'SQLITE_FULL') return new StoreAccessError('sqlite-full', args, { cause: error });
    if (/^SQLITE_(?:IOERR|READONLY|CORRUPT|NOTADB|CANTOPEN|NOMEM)/.test(code))
      return new StoreAccessError('sqlite-failed', args, { cause: error });
    return undefined;
  }
  const access = postgresAccessError(url, error);
  if (access instanceof StoreAccessError) return access;
  // pg's words when the server closes the connection under a query (it carries no SQLSTATE).
  const cut = /^Connection terminated/.test(reason);
  if (cut || (typeof code === 'string' && (/^(?:08|53|57P)/.test(code) || code === '25006')))
    return new StoreAccessError('server-failed', { target: postgresTarget(url), reason }, { cause: error });
  return undefined;
}

/** user@host:port/database of a postgres:// URL, as a person would name it: never its password. */
export function postgresTarget(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
    const user = decodeURIComponent(parsed.username);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    return `${user ? `${user}@` : ''}${host}:${parsed.port || '5432'}${database ? `/${database}` : ''}`;
  } catch {
    return 'postgres://...';
  }
}

/**
 * Runs the migrations under a session advisory lock keyed by the schema, taken on a connection
 * of its own: a second process opening the same database waits, then finds nothing to do. A
 * store that lacks no migration is opened without the lock, whose writers hold it shared
 * (newer-guard.ts): as on SQLite, opening an up-to-date store never waits for a writer. A
 * store with a migration this Sumi lacks is refused (StoreAccessError `postgres-newer`), as on
 * SQLite; Kysely's Migrator would say it in English words of its own.
 */
async function migratePostgres(
  db: Kysely<Database>,
  lock: pg.PoolClient,
  schema: string,
  target: string,
): Promise<void> {
  const pending = () => pendingPostgresMigrations(lock, schema, target);
  if (!(await pending())) return;
  await lock.query(`select pg_advisory_lock(${POSTGRES_MIGRATION_LOCK})`);
  try {
    if (await pending()) await migrateToLatest(db, 'postgres', { disableTransactions: false, schema });
  } finally {
    await lock.query(`select pg_advisory_unlock(${POSTGRES_MIGRATION_LOCK})`);
  }
}

/** pendingSqliteMigrations for PostgreSQL, read through `client`. */
async function pendingPostgresMigrations(
  client: pg.PoolClient,
  schema: string,
  target: string,
): Promise<boolean> {
  const table = `${client.escapeIdentifier(schema)}.${MIGRATION_TABLE}`;
  const { rows } = await client.query<{ present: boolean }>('select to_regclass($1) is not null as present', [
    table,
  ]);
  if (!rows[0]?.present) return true;
  const applied = new Set(
    (await client.query<{ name: string }>(`select name from ${table}`)).rows.map((row) => row.name),
  );
  const newer = unknownMigration(applied, 'postgres');
  if (newer) throw new StoreAccessError('postgres-newer', { target, schema, migration: newer });
  return Object.keys(migrations('postgres')).some((name) => !applied.has(name));
}

/**
 * PostgreSQL whose introspection sees only the store's schema. Kysely's own lists every table of
 * every schema, which is slow on a shared database and fails when another schema is dropped
 * meanwhile; the Migrator uses it to find its own tables.
 */
class SchemaDialect extends PostgresDialect {
  readonly #schema: string;

  constructor(config: PostgresDialectConfig, schema: string) {
    super(config);
    this.#schema = schema;
  }

  // biome-ignore lint/suspicious/noExplicitAny: the signature Kysely's Dialect declares.
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    const schema = this.#schema;
    const getTables = async (): Promise<TableMetadata[]> => {
      const { rows } = await sql<{ name: string; type: string }>`
        select table_name as name, table_type as type from information_schema.tables
        where table_schema = ${schema}`.execute(db);
      // Names only: what the Migrator needs.
      return rows.map((row) => ({ name: row.name, schema, isView: row.type === 'VIEW', columns: [] }));
    };
    return {
      getSchemas: async () => [{ name: schema }],
      getTables,
      getMetadata: async () => ({ tables: await getTables() }),
    };
  }
}
