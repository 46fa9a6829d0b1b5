/** The report store: one interface over SQLite and PostgreSQL. */
export { type EngineKind, ROWS_PER_STATEMENT, SQLITE_MAX_PARAMETERS } from './engine.ts';
export { StoreInputError, type StoreInputErrorCode } from './errors.ts';
export { defaultStorePath, isPostgresUrl, openStore, PG_POOL_SIZE, SQLITE_BUSY_TIMEOUT_MS } from './open.ts';
export { RAW_BROTLI_QUALITY } from './raw.ts';
export type { Database } from './schema.ts';
export { LIST_QUARANTINE_DEFAULT_LIMIT, LIST_REPORTS_DEFAULT_LIMIT, rollupDay } from './store.ts';
export type * from './types.ts';
