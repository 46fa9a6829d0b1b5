/**
 * Stores in throwaway PostgreSQL schemas for a bench: each `open(label)` makes a fresh schema and
 * a store in it; all of them are dropped when `use` ends. Undefined (and a printed reason) when
 * the server cannot be reached.
 */
import pg from 'pg';
import type { Store } from '../../src/store/types.ts';

export async function withPostgresSchemas<T>(
  url: string,
  prefix: string,
  use: (open: (label: string) => Promise<Store>) => Promise<T>,
  /** How a store is opened: the sources' openStore, or build/'s (support/built.ts) for what `sumi` runs. */
  openStore: (url: string) => Promise<Store>,
): Promise<T | undefined> {
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
  } catch (error) {
    console.error(`PostgreSQL skipped: cannot connect to ${url}: ${(error as Error).message}`);
    return undefined;
  }
  const schemas: string[] = [];
  try {
    return await use(async (label) => {
      const schema = `${prefix}_${process.pid}_${label}`;
      schemas.push(schema);
      await admin.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
      const store = new URL(url);
      store.searchParams.set('options', `-c search_path=${schema}`);
      return openStore(store.toString());
    });
  } finally {
    for (const schema of schemas) await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}
