/** What a failed connection's error says, whichever client made it (the store's, IMAP's). */

/** Node's codes of a peer that is not there or cannot be reached. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
]);

/** Whether an error's `code` says the peer is not there or cannot be reached. */
export function isUnreachable(code: unknown): boolean {
  return typeof code === 'string' && UNREACHABLE.has(code);
}
