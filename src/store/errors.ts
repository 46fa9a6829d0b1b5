/**
 * Why the store refused a value (nothing of the report is stored). The reports layer rejects
 * these first; this is the last guard. `message-total-too-large`: a report's counts add up past
 * what a JS number holds exactly.
 */
export type StoreInputErrorCode =
  | 'invalid-count'
  | 'invalid-number'
  | 'invalid-source-ip'
  | 'message-total-too-large';

export class StoreInputError extends Error {
  readonly code: StoreInputErrorCode;

  constructor(code: StoreInputErrorCode, message: string) {
    super(message);
    this.name = 'StoreInputError';
    this.code = code;
  }
}
