/** Random secrets handed to clients (session ids, API tokens, setup links) and their hashes at rest. */
import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: 256 bits, safe in a cookie, a header or a URL. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** API tokens start with this, so secret scanners and people recognise them. */
export const API_TOKEN_PREFIX = 'sumi_';

export function newApiToken(): string {
  return `${API_TOKEN_PREFIX}${newSecret()}`;
}

/** SHA-256, hex: the secrets are random and long, so a plain hash is enough to keep them unusable at rest. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
