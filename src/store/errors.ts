/**
 * Why the store refused a value (nothing of the report is stored). The reports layer rejects
 * these first; this is the last guard. `message-total-too-large`: a report's counts add up past
 * what a JS number holds exactly.
 */
import { storeAccessText, storeInputText } from '../i18n/ingest.ts';
import type { Lang } from '../i18n/lang.ts';
import { translate } from '../i18n/translate.ts';

export type StoreInputErrorCode =
  | 'invalid-count'
  | 'invalid-number'
  | 'invalid-source-ip'
  | 'message-total-too-large'
  | 'number-too-large';

/**
 * Where in the report, and what: `field` is the value's name as the report spells it (`count`,
 * `begin`, `pct`...), the same in every language.
 */
export interface StoreInputErrorArgs {
  record?: number;
  policy?: number;
  detail?: number;
  field: string;
  value?: string | number;
}

export class StoreInputError extends Error {
  readonly code: StoreInputErrorCode;
  readonly args: StoreInputErrorArgs;

  constructor(code: StoreInputErrorCode, args: StoreInputErrorArgs) {
    super('');
    this.name = 'StoreInputError';
    this.code = code;
    this.args = args;
    this.message = describeStoreInputError(this, 'en');
  }
}

/** The refusal in words: where in the report (record, policy, failure detail), then why. */
export function describeStoreInputError(error: StoreInputError, lang: Lang): string {
  const { record, policy, detail, field, value } = error.args;
  const at =
    record !== undefined
      ? translate(storeInputText, 'store.at.record', lang, { record })
      : policy !== undefined && detail !== undefined
        ? translate(storeInputText, 'store.at.detail', lang, { policy, detail })
        : policy !== undefined
          ? translate(storeInputText, 'store.at.policy', lang, { policy })
          : '';
  const why = translate(storeInputText, `store.${error.code}`, lang, {
    field,
    value: String(value ?? ''),
    max: Number.MAX_SAFE_INTEGER,
  });
  return `${at}${why}`;
}

/**
 * Why a store cannot be opened or written as it is configured: the server is not there, refuses
 * the role, the file is not a store, or a newer Sumi migrated the store; or, as it was used, the file stayed locked, its disk
 * filled, the server went away (storeFailure). Told in the user's words, without a stack: a wrong
 * URL, a missing grant or a full disk is not a bug of Sumi's. `reason` is what the system or the
 * server said.
 */
export type StoreAccessErrorCode =
  | 'bad-url'
  | 'unreachable'
  | 'timeout'
  | 'refused'
  | 'no-password'
  | 'no-schema'
  | 'sqlite-file'
  | 'no-store'
  | 'sqlite-locked'
  | 'sqlite-full'
  | 'sqlite-failed'
  | 'server-failed'
  | 'sqlite-newer'
  | 'postgres-newer';

export interface StoreAccessErrorArgs {
  /** PostgreSQL: user@host:port/database, never the password. */
  target?: string;
  /** SQLite: the file. */
  path?: string;
  reason?: string;
  /** How long a connection was waited for. */
  seconds?: number;
  /** PostgreSQL: the schema holding the store's tables. */
  schema?: string;
  /** A migration the store has and this Sumi lacks (the newest such). */
  migration?: string;
}

export class StoreAccessError extends Error {
  readonly code: StoreAccessErrorCode;
  readonly args: StoreAccessErrorArgs;

  constructor(code: StoreAccessErrorCode, args: StoreAccessErrorArgs, options?: { cause?: unknown }) {
    super('', options);
    this.name = 'StoreAccessError';
    this.code = code;
    this.args = args;
    this.message = describeStoreAccessError(this, 'en');
  }
}

export function describeStoreAccessError(error: StoreAccessError, lang: Lang): string {
  const { target = '', path = '', reason = '', seconds = 0, schema = '', migration = '' } = error.args;
  return translate(storeAccessText, `store.access.${error.code}`, lang, {
    target,
    path,
    reason,
    seconds,
    schema,
    migration,
  });
}
