/**
 * Why the store refused a value (nothing of the report is stored). The reports layer rejects
 * these first; this is the last guard. `message-total-too-large`: a report's counts add up past
 * what a JS number holds exactly.
 */
import { storeInputText } from '../i18n/ingest.ts';
import type { Lang } from '../i18n/lang.ts';
import { translate } from '../i18n/translate.ts';

export type StoreInputErrorCode =
  | 'invalid-count'
  | 'invalid-number'
  | 'invalid-source-ip'
  | 'message-total-too-large';

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
