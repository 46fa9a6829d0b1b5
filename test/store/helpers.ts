/**
 * The engines the store tests run on: SQLite in a temporary folder, and PostgreSQL on the
 * machine's 127.0.0.1:5432 in a schema of its own per store, dropped afterwards. When
 * PostgreSQL cannot be reached its tests are skipped with the reason in their name.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type {
  AggregateRecord,
  AggregateReportHeader,
  FailureReport,
  TlsReport,
} from '../../src/reports/types.ts';
import { MOVED_INTO_RECORDS } from '../../src/store/migrations/0008-results-in-records.ts';
import { openStore } from '../../src/store/open.ts';
import { SOURCE_ROLLUP_KEY } from '../../src/store/rollup-key.ts';
import type { Store } from '../../src/store/types.ts';
import { until } from '../helpers/until.ts';

/** Candidate servers, `SUMI_TEST_PG` first: trust auth as root or postgres, database `test`. */
const PG_CANDIDATES = [
  process.env.SUMI_TEST_PG,
  'postgres://root@127.0.0.1:5432/test',
  'postgres://postgres@127.0.0.1:5432/test',
].filter((url): url is string => Boolean(url));

async function findPostgres(): Promise<{ url: string } | { skip: string }> {
  const reasons: string[] = [];
  for (const url of PG_CANDIDATES) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return { url };
    } catch (error) {
      reasons.push(`${url}: ${(error as Error).message}`);
    } finally {
      await client.end().catch(() => {});
    }
  }
  return { skip: `PostgreSQL unreachable (${reasons.join('; ')})` };
}

const postgres = await findPostgres();
if ('skip' in postgres) console.warn(`store tests on PostgreSQL skipped: ${postgres.skip}`);

/** The server the PostgreSQL tests use (a superuser's URL), or why there is none. */
export const postgresServer: Readonly<{ url: string } | { skip: string }> = postgres;

/**
 * A login role and a database of its own (not its owner, which could not be refused TEMP), with
 * CREATE on its public schema, made for one test and dropped after it (with force): the shared
 * database's grants and connections stay as they are. `use` gets a superuser connection and the
 * store URL of the role in that database. PostgreSQL only: callers skip on postgresServer.skip.
 */
export async function withOwnPostgresRole(
  prefix: string,
  use: (server: pg.Client, name: string, url: string) => Promise<void>,
): Promise<void> {
  if (!('url' in postgres)) throw new Error(`PostgreSQL unreachable: ${postgres.skip}`);
  const at = (database: string, role?: string) => {
    const url = new URL(postgres.url);
    url.pathname = `/${database}`;
    if (role) url.username = role;
    return url.toString();
  };
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  const server = new pg.Client({ connectionString: postgres.url });
  await server.connect();
  try {
    await server.query(`create role ${name} login`);
    await server.query(`create database ${name}`);
    const inDatabase = new pg.Client({ connectionString: at(name) });
    await inDatabase.connect();
    await inDatabase.query(`grant all on schema public to ${name}`).finally(() => inDatabase.end());
    await use(server, name, at(name, name));
  } finally {
    await server.query(`drop database if exists ${name} with (force)`);
    await server.query(`drop role if exists ${name}`);
    await server.end();
  }
}

/**
 * Another process holding a SQLite store's write lock for `ms`, as `sumi ingest` does while it
 * stores a large report, having run `statement` in its transaction. Resolves once the lock is
 * held (a connection of this process is refused it), with `released`: the other process's end,
 * its transaction committed.
 */
export async function holdingWriteLock(
  file: string,
  ms: number,
  statement: string,
): Promise<{ released: Promise<void> }> {
  const script = `
    const db = require('better-sqlite3')(process.argv[1]);
    db.exec('begin immediate');
    db.exec(process.argv[3]);
    setTimeout(() => db.exec('commit'), Number(process.argv[2]));`;
  const holder = spawn(process.execPath, ['-e', script, file, String(ms), statement], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let exit: number | null | undefined;
  const ended = new Promise<void>((resolve, reject) =>
    holder.once('exit', (code) => {
      exit = code;
      if (code === 0) resolve();
      else reject(new Error(`the process holding the lock exited ${code}`));
    }),
  );
  const probe = new SqliteDatabase(file, { timeout: 0 });
  try {
    await until('another process holds the write lock', () => {
      if (exit !== undefined) throw new Error(`the process holding the lock exited ${exit} first`);
      try {
        probe.exec('begin immediate; rollback');
        return false;
      } catch {
        return true;
      }
    });
  } finally {
    probe.close();
  }
  return { released: ended };
}

/** A newer Sumi's migration `name`, as its statements: a column added, and its row. */
export function newerMigration(name: string): string[] {
  return [
    'alter table reports add column newer_shape text',
    `insert into sumi_migrations (name, timestamp) values ('${name}', '2030-01-01T00:00:00.000Z')`,
  ];
}

/**
 * Runs `statements` in one transaction on a connection of its own to the store at `location` (a
 * SQLite file or a postgres:// URL), as a newer Sumi migrating it beside the one under test.
 */
export async function runAside(location: string, statements: readonly string[]): Promise<void> {
  const script = ['begin', ...statements, 'commit'].join(';\n');
  if (!location.startsWith('postgres://')) {
    const other = new SqliteDatabase(location);
    try {
      other.exec(script);
    } finally {
      other.close();
    }
    return;
  }
  const other = new pg.Client({ connectionString: location });
  await other.connect();
  await other.query(script).finally(() => other.end());
}

export interface TestEngine {
  name: 'sqlite' | 'postgres';
  /** Why this engine's tests do not run, or undefined. */
  skip: string | undefined;
  /** A new, empty store location (a file path or a URL). */
  location(): Promise<string>;
  /** Removes every location made by this engine. */
  cleanup(): Promise<void>;
}

function sqliteEngine(): TestEngine {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    skip: undefined,
    async location() {
      const dir = mkdtempSync(path.join(tmpdir(), 'sumi-store-test-'));
      dirs.push(dir);
      return path.join(dir, 'sumi.db');
    },
    async cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresEngine(): TestEngine {
  const schemas: string[] = [];
  const adminUrl = 'url' in postgres ? postgres.url : '';
  return {
    name: 'postgres',
    skip: 'skip' in postgres ? postgres.skip : undefined,
    async location() {
      const schema = `sumi_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`create schema ${schema}`);
      } finally {
        await admin.end();
      }
      schemas.push(schema);
      const url = new URL(adminUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      return url.toString();
    },
    async cleanup() {
      if (schemas.length === 0) return;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        for (const schema of schemas.splice(0)) await admin.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await admin.end();
      }
    },
  };
}

export const engines: TestEngine[] = [sqliteEngine(), postgresEngine()];

export function engineTitle(engine: TestEngine): string {
  return engine.skip ? `on ${engine.name} (skipped: ${engine.skip})` : `on ${engine.name}`;
}

/** Opens a fresh store; `close` is the caller's (the afterEach of the suite closes what is left). */
export async function freshStore(engine: TestEngine, opened: Store[]): Promise<Store> {
  const store = await openStore(await engine.location());
  opened.push(store);
  return store;
}

/**
 * Puts a store's records back as migrations before 0008 left them: override reasons and auth
 * results in tables of their own (as 0001 made them), not in the record's row. For the tests of
 * the migrations that read or move them (0006, 0008).
 */
export async function asBefore0008(store: Store): Promise<void> {
  // biome-ignore lint/suspicious/noExplicitAny: the schema as it was, not as typed now.
  const db = store.db as Kysely<any>;
  const records = await db.selectFrom('records').selectAll().execute();
  for (const { table, column, fields } of MOVED_INTO_RECORDS) {
    let create = db.schema
      .createTable(table)
      .addColumn('report_id', 'bigint', (c) => c.notNull())
      .addColumn('record_index', 'bigint', (c) => c.notNull())
      .addColumn('ordinal', 'bigint', (c) => c.notNull());
    for (const field of fields) create = create.addColumn(field, 'text');
    await create.addPrimaryKeyConstraint(`${table}_pk`, ['report_id', 'record_index', 'ordinal']).execute();
    const rows = records.flatMap((record) =>
      (JSON.parse(record[column] ?? '[]') as (string | null)[][]).map((list, ordinal) => ({
        report_id: record.report_id,
        record_index: record.record_index,
        ordinal,
        ...Object.fromEntries(fields.map((field, i) => [field, list[i]])),
      })),
    );
    for (let start = 0; start < rows.length; start += 500)
      await db
        .insertInto(table)
        .values(rows.slice(start, start + 500))
        .execute();
    await db.schema.alterTable('records').dropColumn(column).execute();
  }
  await db.deleteFrom('sumi_migrations').where('name', '=', '0008-results-in-records').execute();
}

// ---------------------------------------------------------------- fixtures, written for these tests

export const JAN_1 = 1_735_689_600; // 2025-01-01T00:00:00Z
export const DAY = 86_400;

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

export function header(
  overrides: { orgName?: string; reportId?: string; domain?: string; begin?: number; end?: number } = {},
): AggregateReportHeader {
  const begin = overrides.begin ?? JAN_1;
  const end = overrides.end ?? begin + DAY - 1;
  const reportId = overrides.reportId ?? 'report-1';
  return {
    version: '1.0',
    namespace: 'urn:ietf:params:xml:ns:dmarc-2.0',
    reporter: {
      orgName: overrides.orgName ?? 'Reporter Inc.',
      email: 'dmarc@reporter.example',
      extraContactInfo: 'https://reporter.example/dmarc',
    },
    metadata: {
      reportId,
      reportIdRaw: `<${reportId}>`,
      window: { begin, end, beginIso: iso(begin), endIso: iso(end) },
      generator: 'Reporter DMARC 2.0',
      errors: ['one record was truncated'],
    },
    policyPublished: {
      domain: overrides.domain ?? 'example.jp',
      adkim: 'r',
      aspf: 's',
      p: 'quarantine',
      sp: 'none',
      np: 'reject',
      pct: 100,
      fo: '1',
      testing: false,
      discoveryMethod: 'treewalk',
      psd: 'n',
    },
  };
}

export function record(overrides: Partial<AggregateRecord> = {}): AggregateRecord {
  return {
    sourceIp: '192.0.2.1',
    count: 1,
    policyEvaluated: { disposition: 'none', dkim: 'pass', spf: 'pass', reasons: [] },
    headerFrom: 'example.jp',
    envelopeFrom: 'bounce.example.jp',
    envelopeTo: null,
    authResults: {
      dkim: [{ domain: 'example.jp', selector: 's1', result: 'pass', humanResult: null }],
      spf: [{ domain: 'bounce.example.jp', scope: 'mfrom', result: 'pass', humanResult: null }],
    },
    extensions: [],
    ...overrides,
  };
}

/** `count` simple records with distinct source IPs. */
export function* manyRecords(count: number): Generator<AggregateRecord> {
  for (let i = 0; i < count; i++) {
    yield record({ sourceIp: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, count: 1 + (i % 7) });
  }
}

/** Failure reports made so far: each one's mail has a Message-ID of its own, as a reporter's have. */
let failureReportsMade = 0;

export function failureReport(overrides: Partial<FailureReport> = {}): FailureReport {
  return {
    format: 'arf',
    mail: {
      from: 'Reporter <ruf@reporter.example>',
      subject: 'Report domain: example.jp',
      date: 'Wed, 01 Jan 2025 09:00:00 +0900',
      messageId: `<ruf-${++failureReportsMade}@reporter.example>`,
    },
    feedbackType: 'auth-failure',
    userAgent: 'Reporter/1.0',
    version: '1',
    authFailure: 'dmarc',
    identityAlignment: 'none',
    deliveryResult: 'reject',
    arrivalDate: 'Wed, 01 Jan 2025 08:59:58 +0900',
    arrivalTime: JAN_1 - 2,
    sourceIp: '198.51.100.7',
    sourcePort: null,
    reportingMta: 'dns; mx.reporter.example',
    originalEnvelopeId: null,
    originalMailFrom: '<bounce@spoofer.example>',
    originalRcptTo: ['<user@reporter.example>'],
    reportedDomains: ['example.jp'],
    reportedUris: [],
    authenticationResults: ['mx.reporter.example; dmarc=fail header.from=example.jp'],
    incidents: 1,
    dkimDomain: null,
    dkimIdentity: null,
    dkimSelector: null,
    spfDns: null,
    fields: [
      { name: 'Feedback-Type', value: 'auth-failure' },
      { name: 'Auth-Failure', value: 'dmarc' },
    ],
    original: {
      form: 'headers',
      headers: [
        { name: 'From', value: 'Bank <info@example.jp>' },
        { name: 'Subject', value: 'Your account' },
      ],
      from: 'Bank <info@example.jp>',
      to: 'user@reporter.example',
      subject: 'Your account',
      date: 'Wed, 01 Jan 2025 08:59:00 +0900',
      messageId: '<m1@spoofer.example>',
      redacted: false,
      body: null,
      urls: [],
    },
    description: 'This is an authentication failure report.',
    missing: ['Original-Envelope-Id'],
    warnings: [],
    ...overrides,
  };
}

export function tlsReport(overrides: Partial<TlsReport> = {}): TlsReport {
  return {
    organizationName: 'Reporter Inc.',
    contactInfo: 'smtp-tls-reporting@reporter.example',
    reportId: '2025-01-01T00:00:00Z_example.jp',
    window: { begin: JAN_1, end: JAN_1 + DAY - 1, beginIso: iso(JAN_1), endIso: iso(JAN_1 + DAY - 1) },
    policies: [
      {
        policyType: 'sts',
        policyString: ['version: STSv1', 'mode: enforce', 'mx: mx.example.jp', 'max_age: 86400'],
        policyDomain: 'example.jp',
        mxHost: ['mx.example.jp'],
        totalSuccessfulSessionCount: 5326,
        totalFailureSessionCount: 303,
        failureDetails: [
          {
            resultType: 'certificate-expired',
            sendingMtaIp: '2001:db8:abcd:0012::1',
            receivingMxHostname: 'mx.example.jp',
            receivingMxHelo: 'mx.example.jp',
            receivingIp: '203.0.113.56',
            failedSessionCount: 100,
            additionalInformation: 'https://reporter.example/why',
            failureReasonCode: null,
          },
          {
            resultType: 'starttls-not-supported',
            sendingMtaIp: '2001:db8:abcd:0013::1',
            receivingMxHostname: 'mx2.example.jp',
            receivingMxHelo: null,
            receivingIp: '203.0.113.57',
            failedSessionCount: 203,
            additionalInformation: null,
            failureReasonCode: 'X-no-starttls',
          },
        ],
      },
      {
        policyType: 'no-policy-found',
        policyString: [],
        policyDomain: 'sub.example.jp',
        mxHost: [],
        totalSuccessfulSessionCount: 10,
        totalFailureSessionCount: 0,
        failureDetails: [],
      },
    ],
    warnings: [],
    ...overrides,
  };
}

/** source_rollup as a reader sees it: each key's rows summed. */
export async function rollupSums(store: Store) {
  const rows = await store.db
    .selectFrom('source_rollup')
    .select([...SOURCE_ROLLUP_KEY, (eb) => eb.fn.sum<number | string>('messages').as('messages')])
    .groupBy([...SOURCE_ROLLUP_KEY])
    .orderBy([...SOURCE_ROLLUP_KEY])
    .execute();
  return rows.map((row) => ({ ...row, day: Number(row.day), messages: Number(row.messages) }));
}
