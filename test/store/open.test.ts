import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { statementSizes } from '../../src/store/engine.ts';
import { describeStoreAccessError, StoreAccessError } from '../../src/store/errors.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import {
  defaultStorePath,
  isPostgresUrl,
  openStore,
  PG_CONNECT_TIMEOUT_S,
  postgresAccessError,
  postgresConnectTimeoutS,
  postgresTarget,
  SQLITE_WAL_CHECKPOINT_PAGES,
  storeFailure,
} from '../../src/store/open.ts';
import type { Database } from '../../src/store/schema.ts';
import { decodeText, encodeText } from '../../src/store/text.ts';
import { stallMeter } from '../helpers/event-loop.ts';
import { until } from '../helpers/until.ts';
import {
  engines,
  engineTitle,
  header,
  holdingWriteLock,
  postgresServer,
  record,
  withOwnPostgresRole,
} from './helpers.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'sumi-store-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('defaultStorePath', () => {
  it('takes $SUMI_DB first', () => {
    const file = path.join(dir, 'custom', 'deep', 'my.db');
    expect(defaultStorePath({ SUMI_DB: file, XDG_DATA_HOME: path.join(dir, 'xdg') })).toBe(file);
    expect(defaultStorePath({ SUMI_DB: 'postgres://sumi@db.example/sumi' })).toBe(
      'postgres://sumi@db.example/sumi',
    );
  });

  it('uses $XDG_DATA_HOME/sumi/sumi.db, then ~/.local/share/sumi/sumi.db, making no folder', () => {
    const xdg = path.join(dir, 'xdg');
    expect(defaultStorePath({ XDG_DATA_HOME: xdg, HOME: path.join(dir, 'home') })).toBe(
      path.join(xdg, 'sumi', 'sumi.db'),
    );
    const home = path.join(dir, 'home');
    expect(defaultStorePath({ HOME: home })).toBe(path.join(home, '.local', 'share', 'sumi', 'sumi.db'));
    // The XDG spec: a relative XDG_DATA_HOME is invalid and ignored.
    expect(defaultStorePath({ XDG_DATA_HOME: 'relative/data', HOME: home })).toBe(
      path.join(home, '.local', 'share', 'sumi', 'sumi.db'),
    );
    // A command that only reads must not leave folders behind for a path it refuses.
    expect(existsSync(xdg) || existsSync(home)).toBe(false);
  });
});

describe('openStore', () => {
  it('tells PostgreSQL URLs from file paths', () => {
    expect(isPostgresUrl('postgres://root@127.0.0.1/test')).toBe(true);
    expect(isPostgresUrl('postgresql://root@127.0.0.1/test')).toBe(true);
    expect(isPostgresUrl('./postgres.db')).toBe(false);
    expect(isPostgresUrl(':memory:')).toBe(false);
  });

  it('opens SQLite with WAL, foreign keys, NORMAL sync and a busy timeout, creating the folder', async () => {
    const file = path.join(dir, 'new', 'folder', 'sumi.db');
    const store = await openStore(file);
    try {
      expect(store.engine).toBe('sqlite');
      const pragma = async (name: string) => {
        const { rows } = await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(store.db);
        return Object.values(rows[0] ?? {})[0];
      };
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('synchronous')).toBe(1);
      expect(await pragma('busy_timeout')).toBeGreaterThanOrEqual(1_000);
    } finally {
      await store.close();
    }
  });

  it('refuses a SQLite file that is not there when it may not create one, making nothing', async () => {
    const file = path.join(dir, 'absent', 'sumi.db');
    const refused = await openStore(file, { create: false }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StoreAccessError);
    expect(refused).toMatchObject({ code: 'no-store', args: { path: file } });
    expect(describeStoreAccessError(refused as StoreAccessError, 'ja')).toContain(
      `${file} にストアがありません`,
    );
    expect(existsSync(path.dirname(file))).toBe(false);
    // One that is there opens as ever, and so does memory.
    await (await openStore(path.join(dir, 'new', 'folder', 'sumi.db'), { create: false })).close();
    await (await openStore(':memory:', { create: false })).close();
  });

  it('opens an in-memory SQLite store', async () => {
    const store = await openStore(':memory:');
    expect((await store.countReports()).reports).toBe(0);
    await store.close();
  });

  it('fails clearly when PostgreSQL cannot be reached', async () => {
    await expect(openStore('postgres://nobody@127.0.0.1:1/none?connect_timeout=2')).rejects.toThrow(
      /ECONNREFUSED|connect/,
    );
  });
});

/** The StoreAccessError `promise` rejects with. */
async function accessError(promise: Promise<unknown>): Promise<StoreAccessError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreAccessError);
  return error as StoreAccessError;
}

describe('a store that cannot be opened or written as configured', () => {
  it('names a PostgreSQL server by user, host, port and database, never its password', () => {
    expect(postgresTarget('postgres://sumi:s3cret@db.example.jp:6432/dmarc?sslmode=require')).toBe(
      'sumi@db.example.jp:6432/dmarc',
    );
    expect(postgresTarget('postgresql://db.example.jp/dmarc')).toBe('db.example.jp:5432/dmarc');
    expect(postgresTarget('postgres:///dmarc?host=/var/run/postgresql')).toBe(
      '/var/run/postgresql:5432/dmarc',
    );
    expect(postgresTarget('postgres://%E5%A2%A8:pw@[::1]/d%20b')).toBe('墨@[::1]:5432/d b');
  });

  it('says a store that failed as it was used in one line: locked, full, damaged, the server gone; the rest as they are', () => {
    const failure = (message: string, code?: string) =>
      Object.assign(new Error(message), code ? { code } : {});
    const sorted = (url: string, error: Error) => {
      const out = storeFailure(url, error);
      return out && [out.code, describeStoreAccessError(out, 'en')];
    };
    const file = '/var/lib/sumi/sumi.db';
    expect(sorted(file, failure('database is locked', 'SQLITE_BUSY'))).toEqual([
      'sqlite-locked',
      'the SQLite store /var/lib/sumi/sumi.db stayed locked by another process for 60 s (another sumi writing to it, or a program or backup holding a transaction open)',
    ]);
    expect(sorted(file, failure('database or disk is full', 'SQLITE_FULL'))).toEqual([
      'sqlite-full',
      'the disk holding the SQLite store /var/lib/sumi/sumi.db is full: database or disk is full',
    ]);
    expect(sorted(file, failure('disk I/O error', 'SQLITE_IOERR_WRITE'))?.[0]).toBe('sqlite-failed');
    expect(sorted(file, failure('database disk image is malformed', 'SQLITE_CORRUPT'))?.[0]).toBe(
      'sqlite-failed',
    );
    // A constraint or a bug of Sumi's is not the machine's state: left as it is, with its stack.
    expect(
      storeFailure(file, failure('UNIQUE constraint failed', 'SQLITE_CONSTRAINT_UNIQUE')),
    ).toBeUndefined();
    expect(storeFailure(file, new TypeError('x is undefined'))).toBeUndefined();
    const url = 'postgres://sumi:s3cret@db.example.jp/dmarc';
    expect(sorted(url, failure('could not extend file: No space left on device', '53100'))).toEqual([
      'server-failed',
      'PostgreSQL at sumi@db.example.jp:5432/dmarc failed: could not extend file: No space left on device',
    ]);
    expect(sorted(url, failure('terminating connection due to administrator command', '57P01'))?.[0]).toBe(
      'server-failed',
    );
    expect(sorted(url, failure('Connection terminated unexpectedly'))?.[0]).toBe('server-failed');
    expect(sorted(url, failure('cannot execute INSERT in a read-only transaction', '25006'))?.[0]).toBe(
      'server-failed',
    );
    expect(sorted(url, failure('connect ECONNREFUSED 10.0.0.1:5432', 'ECONNREFUSED'))?.[0]).toBe(
      'unreachable',
    );
    expect(storeFailure(url, failure('duplicate key value', '23505'))).toBeUndefined();
  });

  it("sorts pg's connection failures: absent, refused, a password not given, and the rest as they are", () => {
    const url = 'postgres://sumi@db.example.jp/dmarc';
    const failure = (message: string, code?: string) =>
      Object.assign(new Error(message), code ? { code } : {});
    const sorted = (error: Error) => {
      const out = postgresAccessError(url, error);
      return out instanceof StoreAccessError ? out.code : out;
    };
    expect(sorted(failure('getaddrinfo ENOTFOUND db.example.jp', 'ENOTFOUND'))).toBe('unreachable');
    expect(sorted(failure('password authentication failed for user "sumi"', '28P01'))).toBe('refused');
    expect(sorted(failure('no pg_hba.conf entry for host "192.0.2.1"', '28000'))).toBe('refused');
    expect(sorted(failure('permission denied for database "dmarc"', '42501'))).toBe('refused');
    // pg's words (lib/crypto/sasl.js) when a SCRAM password is asked for and there is none.
    const scram = postgresAccessError(
      url,
      failure('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'),
    ) as StoreAccessError;
    expect(scram.code).toBe('no-password');
    expect(scram.message).toMatch(/^PostgreSQL at sumi@db\.example\.jp:5432\/dmarc asks for a password/);
    expect(sorted(failure('The server does not support SSL connections'))).toBe('refused');
    const other = failure('canceling statement due to statement timeout', '57014');
    expect(sorted(other)).toBe(other);
  });

  it('tells a --db that is no URL pg can read, its password hidden', async () => {
    const error = await accessError(openStore('postgres://sumi:s3cret@127.0.0.1:99999/dmarc'));
    expect(error.code).toBe('bad-url');
    expect(error.message).toBe(
      'postgres://sumi:***@127.0.0.1:99999/dmarc is not a PostgreSQL URL: postgres://user[:password]@host[:port]/database',
    );
  });

  it('refuses a --db that is a URL mistyped, or a PostgreSQL URL naming no database, making nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sumi-bad-url-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      for (const url of [
        'postgress://sumi@127.0.0.1/dmarc',
        'pg://sumi@127.0.0.1/dmarc',
        'postgres:/dmarc',
      ]) {
        const error = await accessError(openStore(url));
        expect(error.code).toBe('bad-url');
        expect(error.message).toBe(
          `${url} is not a PostgreSQL URL: postgres://user[:password]@host[:port]/database`,
        );
      }
      for (const url of ['postgres://postgres@127.0.0.1:5432/', 'postgresql://sumi:s3cret@127.0.0.1']) {
        const error = await accessError(openStore(url));
        expect(error.code).toBe('bad-url');
        expect(error.message).not.toContain('s3cret');
      }
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('waits for a new PostgreSQL connection as the URL or PGCONNECT_TIMEOUT says, else 30 s', () => {
    expect(postgresConnectTimeoutS('postgres://db.example.jp/d?connect_timeout=7', {})).toBe(7);
    expect(postgresConnectTimeoutS('postgres://db.example.jp/d?connect_timeout=0', {})).toBe(0);
    expect(postgresConnectTimeoutS('postgres://db.example.jp/d', { PGCONNECT_TIMEOUT: '12' })).toBe(12);
    expect(
      postgresConnectTimeoutS('postgres://db.example.jp/d?connect_timeout=3', { PGCONNECT_TIMEOUT: '12' }),
    ).toBe(3);
    expect(postgresConnectTimeoutS('postgres://db.example.jp/d', {})).toBe(PG_CONNECT_TIMEOUT_S);
    expect(postgresConnectTimeoutS('postgres://db.example.jp/d?connect_timeout=soon', {})).toBe(
      PG_CONNECT_TIMEOUT_S,
    );
  });

  it('gives up on a server that accepts the connection and never answers', async () => {
    // pg waits forever by default: this hung every command.
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = performance.now();
      const error = await accessError(openStore(`postgres://sumi@127.0.0.1:${port}/dmarc?connect_timeout=1`));
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(error.code).toBe('timeout');
      expect(error.message).toBe(
        `PostgreSQL at sumi@127.0.0.1:${port}/dmarc did not answer within 1 s (connect_timeout in the URL or PGCONNECT_TIMEOUT sets how long to wait)`,
      );
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((closed) => silent.close(closed));
    }
  });

  it('tells a file that is no database, and leaves it as it was', async () => {
    const file = path.join(dir, 'notes.db');
    writeFileSync(file, 'my notes, not a database\n');
    const error = await accessError(openStore(file));
    expect(error.code).toBe('sqlite-file');
    expect(error.message).toBe(`cannot open the SQLite store ${file}: file is not a database`);
    expect(describeStoreAccessError(error, 'ja')).toBe(
      `SQLite のストア ${file} を開けません: file is not a database`,
    );
    expect(readFileSync(file, 'utf8')).toBe('my notes, not a database\n');
  });

  it('tells a path that cannot hold a file: a folder, or under a file', async () => {
    const folder = await accessError(openStore(dir));
    expect(folder).toMatchObject({ code: 'sqlite-file', args: { path: dir } });
    const file = path.join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    const under = await accessError(openStore(path.join(file, 'sub', 'sumi.db')));
    expect(under.code).toBe('sqlite-file');
    expect(under.message).toMatch(/ENOTDIR/);
    // Where mkdir says ENOENT under a folder that exists (Node's recursive mkdir spun for ever);
    // Linux's /proc is such a folder.
    if (existsSync('/proc/self')) {
      const virtual = await accessError(openStore('/proc/sumi-no-such-folder/sumi.db'));
      expect(virtual.code).toBe('sqlite-file');
      expect(virtual.message).toMatch(/ENOENT/);
    }
  });

  const pgSkip = 'skip' in postgresServer ? postgresServer.skip : undefined;
  const admin = 'url' in postgresServer ? new URL(postgresServer.url) : new URL('postgres://localhost/test');
  const at = (change: (url: URL) => void) => {
    const url = new URL(admin);
    change(url);
    return url.toString();
  };
  it('tells a PostgreSQL server that is not there', async () => {
    const error = await accessError(openStore('postgres://sumi:s3cret@127.0.0.1:1/dmarc?connect_timeout=2'));
    expect(error.code).toBe('unreachable');
    expect(error.message).toMatch(/^cannot reach PostgreSQL at sumi@127\.0\.0\.1:1\/dmarc: .*ECONNREFUSED/);
    expect(error.message).not.toContain('s3cret');
    expect(describeStoreAccessError(error, 'ja')).toMatch(
      /^PostgreSQL（sumi@127\.0\.0\.1:1\/dmarc）に接続できません/,
    );
  });

  it.skipIf(pgSkip)(
    `tells a role or database the server does not know${pgSkip ? ` (skipped: ${pgSkip})` : ''}`,
    async () => {
      const role = await accessError(openStore(at((url) => (url.username = 'sumi_no_such_role'))));
      expect(role.code).toBe('refused');
      expect(role.message).toContain('role "sumi_no_such_role" does not exist');
      const database = await accessError(openStore(at((url) => (url.pathname = '/sumi_no_such_database'))));
      expect(database.code).toBe('refused');
      expect(database.message).toContain('database "sumi_no_such_database" does not exist');
    },
  );

  it.skipIf(pgSkip)(
    `tells a connection refused mid-run in one line, and writes again once the server takes it${pgSkip ? ` (skipped: ${pgSkip})` : ''}`,
    async () => {
      // A long-running serve or smtpd must not go on failing every report after a passing
      // refusal: here the role may not connect just then.
      await withOwnPostgresRole('sumi_test_refused_again', async (server, name, url) => {
        const store = await openStore(url);
        try {
          const report = { ...header(), records: [record()] };
          const item = {
            report,
            raw: Buffer.from('<feedback/>'),
            source: { kind: 'file' as const, description: 'test' },
          };
          await server.query(`alter role ${name} connection limit 0`);
          await server.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1`, [
            name,
          ]);
          // The pool drops the connections the server closed once it has read why.
          await new Promise((resolve) => setTimeout(resolve, 200));
          // A connection the pool opens later is refused as the first would be: in one line.
          const refused = await accessError(store.insertAggregateReports([item]));
          expect(refused.code).toBe('refused');
          expect(refused.message).toContain(`too many connections for role "${name}"`);
          await server.query(`alter role ${name} connection limit -1`);
          await expect(store.insertAggregateReports([item])).resolves.toMatchObject([{ status: 'stored' }]);
        } finally {
          await store.close();
        }
      });
    },
  );
});

describe('text on PostgreSQL', () => {
  it('escapes NUL and U+FFFF reversibly, and leaves every other string as it is', () => {
    const values = [
      '',
      'plain',
      '\u0000',
      'a\u0000b',
      '\uffff',
      '\uffff0',
      '\uffff\uffff',
      '\u0000\uffff0\u0000',
      '0\uffff',
      '📨 <script>"\'',
    ];
    for (const value of values) {
      const stored = encodeText('postgres', value);
      expect(stored).not.toContain('\u0000');
      expect(decodeText('postgres', stored)).toBe(value);
      expect(encodeText('sqlite', value)).toBe(value);
    }
    expect(encodeText('postgres', 'plain text')).toBe('plain text');
  });
});

describe('statementSizes', () => {
  it('splits rows into full statements and powers of two, summing to the rows', () => {
    expect(statementSizes(0, 512)).toEqual([]);
    expect(statementSizes(1_000, 1_000)).toEqual([512, 256, 128, 64, 32, 8]);
    expect(statementSizes(1_300, 512)).toEqual([512, 512, 256, 16, 4]);
    for (const rows of [1, 7, 511, 512, 513, 4_095, 10_017]) {
      const sizes = statementSizes(rows, 512);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(rows);
      expect(new Set(sizes.filter((s) => s !== 512)).size).toBe(sizes.filter((s) => s !== 512).length);
    }
  });
});

describe('migrations', () => {
  it('opens a store that has a later migration but lacks an earlier one, adding the missing one', async () => {
    const all = migrations('sqlite');
    const names = Object.keys(all).sort();
    if (names.length < 3) return;
    const file = path.join(dir, 'out-of-order.db');
    // A store migrated when only the first and the last of the independent migrations existed
    // (later ones build on earlier ones, and came after every store had those).
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SqliteDatabase(file) }) });
    const partial = Object.fromEntries(
      [names[0]!, '0005-ip-facts-history'].map((name) => [name, all[name]!]),
    );
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => partial },
      migrationTableName: 'sumi_migrations',
      migrationLockTableName: 'sumi_migrations_lock',
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    await db.destroy();
    const store = await openStore(file);
    const applied = await sql<{ name: string }>`select name from sumi_migrations order by name`.execute(
      store.db,
    );
    expect(applied.rows.map((r) => r.name)).toEqual(names);
    await store.close();
  });
});

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(`a store a newer Sumi migrated ${engineTitle(engine)}`, () => {
    afterAll(() => engine.cleanup());

    it('is refused, naming the store and the newest migration this Sumi lacks, and left as it was', async () => {
      const url = await engine.location();
      const store = await openStore(url);
      const at = new Date().toISOString();
      await sql`insert into sumi_migrations (name, timestamp)
        values ('9999-from-a-newer-sumi', ${at}), ('9998-also-newer', ${at})`.execute(store.db);
      const listed = async (db: Kysely<Database>) =>
        (await sql<{ name: string }>`select name from sumi_migrations order by name`.execute(db)).rows.map(
          (row) => row.name,
        );
      const before = await listed(store.db);
      await store.close();
      const error = (await openStore(url).catch((e: unknown) => e)) as StoreAccessError;
      expect(error).toBeInstanceOf(StoreAccessError);
      if (engine.name === 'sqlite') {
        expect(error.code).toBe('sqlite-newer');
        expect(error.message).toBe(
          `the SQLite store ${url} was migrated by a newer Sumi: it has migration 9999-from-a-newer-sumi, which this Sumi does not know. Upgrade Sumi to use this store (this one would read and write its rows in an older shape)`,
        );
        expect(describeStoreAccessError(error, 'ja')).toBe(
          `SQLite のストア ${url} は新しい Sumi で移行されています。この Sumi が知らないマイグレーション 9999-from-a-newer-sumi が適用されています。このストアを使うには Sumi をアップグレードしてください（この Sumi では、行を古い形で読み書きしてしまいます）`,
        );
      } else {
        // Before: Kysely's "corrupted migrations: previously executed migration ... is missing".
        const schema = new URL(url).searchParams.get('options')!.replace('-c search_path=', '');
        expect(error.code).toBe('postgres-newer');
        expect(error.message).toBe(
          `the store in schema ${schema} of PostgreSQL at ${postgresTarget(url)} was migrated by a newer Sumi: it has migration 9999-from-a-newer-sumi, which this Sumi does not know. Upgrade Sumi to use this store (this one would read and write its rows in an older shape)`,
        );
        expect(describeStoreAccessError(error, 'ja')).toContain(
          `のスキーマ ${schema} のストアは新しい Sumi で移行されています。この Sumi が知らないマイグレーション 9999-from-a-newer-sumi が適用されています。`,
        );
      }
      // Nothing was written: the store is as the newer Sumi left it.
      const reopened = new Kysely<Database>({
        dialect:
          engine.name === 'sqlite'
            ? new SqliteDialect({ database: new SqliteDatabase(url) })
            : new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
      });
      expect(await listed(reopened)).toEqual(before);
      await reopened.destroy();
    });
  });
}

describe('a SQLite store opened with yieldWhenLocked (sumi serve)', () => {
  it("waits for another process's write lock without blocking the event loop, serving reads meanwhile, and writes once it is free", async () => {
    const file = path.join(dir, 'yielding.db');
    const store = await openStore(file, { yieldWhenLocked: true });
    const { released } = await holdingWriteLock(
      file,
      1500,
      "insert into audit_log (at, action) values (1, 'other process')",
    );
    const meter = stallMeter();
    const done: string[] = [];
    // A statement on its own, and a transaction that reads first (as the server's writes do).
    const alone = store.db
      .insertInto('audit_log')
      .values({ at: 2, action: 'alone' })
      .execute()
      .then(() => done.push('alone'));
    let seenInTransaction: string[] = [];
    const inTransaction = store.db
      .transaction()
      .execute(async (trx) => {
        const seen = await trx.selectFrom('audit_log').select('action').execute();
        seenInTransaction = seen.map((row) => row.action);
        await trx.insertInto('audit_log').values({ at: 3, action: 'in a transaction' }).execute();
      })
      .then(() => done.push('transaction'));
    // Asked after the writes, answered while they wait (WAL: the lock keeps no reader out).
    const read = store.db
      .selectFrom('audit_log')
      .select('action')
      .execute()
      .then((rows) => {
        done.push('read');
        return rows;
      });
    expect(await read).toEqual([]);
    await Promise.all([alone, inTransaction, released]);
    meter.stop();
    expect(done[0]).toBe('read');
    // Begun once the other process had committed: its row is seen.
    expect(seenInTransaction).toContain('other process');
    // Before: the loop stood still in SQLite's busy handler until the other process committed.
    expect(meter.longestMs).toBeLessThan(500);
    const rows = await store.db.selectFrom('audit_log').select('action').orderBy('id').execute();
    expect(rows.map((row) => row.action).sort()).toEqual(['alone', 'in a transaction', 'other process']);
    await store.close();
  });
  it('answers reads while one of its own write transactions is open, from the last commit', async () => {
    const file = path.join(dir, 'reading.db');
    const store = await openStore(file, { yieldWhenLocked: true });
    onTestFinished(() => store.close());
    await store.db.insertInto('audit_log').values({ at: 1, action: 'committed' }).execute();
    const actions = async (db: Kysely<Database>) =>
      (await db.selectFrom('audit_log').select('action').orderBy('id').execute()).map((row) => row.action);
    let finish = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let seenInside: string[] = [];
    let writing = () => {};
    const written = new Promise<void>((resolve) => (writing = resolve));
    // An upload's transaction: it writes, then goes on for as long as its report takes.
    const transaction = store.db.transaction().execute(async (trx) => {
      await trx.insertInto('audit_log').values({ at: 2, action: 'uncommitted' }).execute();
      seenInside = await actions(trx);
      writing();
      await finished;
    });
    await written;
    // Before: the one connection was the transaction's until it ended, and this waited for it.
    const outside = await Promise.race([
      actions(store.db),
      new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 2000)),
    ]);
    expect(outside).toEqual(['committed']);
    expect(seenInside).toEqual(['committed', 'uncommitted']);
    finish();
    await transaction;
    expect(await actions(store.db)).toEqual(['committed', 'uncommitted']);
    // A write on its own is no reader's: the reading connection refuses writes.
    await store.db.insertInto('audit_log').values({ at: 3, action: 'alone' }).execute();
    expect(await actions(store.db)).toEqual(['committed', 'uncommitted', 'alone']);
  });
});

describe('writingInBulk (SQLite)', () => {
  const autocheckpoint = async (db: Kysely<Database>) =>
    (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db)).rows[0]
      ?.wal_autocheckpoint;

  it('checkpoints the WAL on a thread of its own meanwhile, then leaves it to the commits again', async () => {
    const file = path.join(dir, 'bulk.db');
    const store = await openStore(file);
    const before = await autocheckpoint(store.db);
    expect(before).toBe(SQLITE_WAL_CHECKPOINT_PAGES);
    const sizeBefore = statSync(file).size;
    // Overlapping runs share one checkpointer; the commits checkpoint again once both ended.
    let release = () => {};
    const other = store.writingInBulk(() => new Promise<void>((resolve) => (release = resolve)));
    await store.writingInBulk(async () => {
      expect(await autocheckpoint(store.db)).toBe(0);
      await sql`create table filler (data blob)`.execute(store.db);
      for (let i = 0; i < 64; i++)
        await sql`insert into filler values (${Buffer.alloc(16_384, i)})`.execute(store.db);
      // 1 MB went to the WAL; only the checkpointer copies it into the database file.
      await until('the checkpointer copied the WAL', () => statSync(file).size >= sizeBefore + 1_000_000);
    });
    expect(await autocheckpoint(store.db)).toBe(0);
    release();
    await other;
    expect(await autocheckpoint(store.db)).toBe(SQLITE_WAL_CHECKPOINT_PAGES);
    expect((await sql<{ n: number }>`select count(*) as n from filler`.execute(store.db)).rows[0]?.n).toBe(
      64,
    );
    await store.close();
  });

  it('ends a run whose checkpointer failed, and the commits checkpoint again', async () => {
    const file = path.join(dir, 'bulk-no-checkpointer.db');
    const store = await openStore(file);
    // The store keeps its open file; the thread finds a folder in its place and cannot start.
    rmSync(file);
    mkdirSync(file);
    const done = await store.writingInBulk(async () => {
      await until('the checkpointer failed', async () => (await autocheckpoint(store.db)) !== 0);
      return 'done';
    });
    expect(done).toBe('done');
    expect(await autocheckpoint(store.db)).toBe(SQLITE_WAL_CHECKPOINT_PAGES);
    await store.close();
  });

  it('returns what the work returns and passes its error on', async () => {
    const store = await openStore(path.join(dir, 'bulk-error.db'));
    expect(await store.writingInBulk(async () => 42)).toBe(42);
    await expect(
      store.writingInBulk(async () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await autocheckpoint(store.db)).toBe(SQLITE_WAL_CHECKPOINT_PAGES);
    await store.close();
  });
});
