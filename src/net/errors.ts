/** What a failed connection's error says, whichever client made it (the store's, IMAP's, Graph's). */

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

/** Node's and OpenSSL's codes of a TLS handshake or certificate that failed. */
const TLS_FAILURE =
  /^(ERR_SSL_|ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|CERT_)/;

/** Whether an error's `code` says a TLS handshake or the peer's certificate failed. */
export function isTlsFailure(code: unknown): boolean {
  return typeof code === 'string' && TLS_FAILURE.test(code);
}

/** What a TLS failure's message says, OpenSSL's "<id>:error:<code>:SSL routines:<function>:<reason>:..." cut to its reason. */
export function tlsReason(message: string): string {
  return /:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(message)?.[1] ?? message.trim();
}

/**
 * What a failed connection's error says: its message, or, for Node's AggregateError of a name with
 * several addresses (IPv6 and IPv4), which says nothing itself, its errors' messages.
 */
export function networkMessage(error: unknown): string {
  const { message, errors } = error as { message?: unknown; errors?: unknown };
  const said = String(message ?? error);
  if (said || !Array.isArray(errors)) return said;
  return errors.map((each) => String((each as { message?: unknown })?.message ?? each)).join('; ');
}
