/** Why the store refused a value. The reports layer rejects these first; this is the last guard. */
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
