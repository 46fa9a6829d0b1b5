import { createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Decoding the `p=` value of a DKIM key record into a key (RFC 6376 s3.6.1, RFC 8463 s4.2).
 * RSA keys are published as SubjectPublicKeyInfo DER; some publishers put a bare PKCS#1
 * RSAPublicKey there instead, which some verifiers accept and others (OpenSSL's d2i_PUBKEY,
 * used by OpenDKIM) do not. Ed25519 keys are the raw 32-byte public key, not SPKI.
 */

export type PublicKeyFormat = 'spki' | 'pkcs1' | 'raw';

export interface DecodedKey {
  /** What the key data really is, whatever `k=` says. */
  algorithm: 'rsa' | 'ed25519';
  format: PublicKeyFormat;
  /** RSA modulus length; 256 for ed25519. */
  bits: number;
  /** The key as SPKI DER base64 (RSA) or raw base64 (ed25519): the form to publish. */
  canonical: string;
}

export type KeyDecoding =
  | { ok: true; key: DecodedKey }
  | {
      ok: false;
      /** `undecodable`: not a key at all; `other-type`: a valid key of a type DKIM does not use. */
      problem: 'undecodable' | 'other-type';
      /** The other key type, when one was recognised (e.g. `ec`). */
      otherType?: string;
    };

/** Prefix turning a raw 32-byte Ed25519 key into SubjectPublicKeyInfo DER (RFC 8410). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ED25519_RAW_BYTES = 32;

/** Decodes key data without regard to `k=`, so a mismatch can be named precisely. */
export function decodePublicKey(der: Buffer): KeyDecoding {
  if (der.length === ED25519_RAW_BYTES) {
    const key = tryKey(Buffer.concat([ED25519_SPKI_PREFIX, der]), 'spki');
    if (key) return { ok: true, key: describe(key, 'raw') };
  }
  const spki = tryKey(der, 'spki');
  if (spki) {
    const type = spki.asymmetricKeyType;
    if (type === 'rsa' || type === 'ed25519') return { ok: true, key: describe(spki, 'spki') };
    return { ok: false, problem: 'other-type', otherType: type ?? 'unknown' };
  }
  const pkcs1 = tryKey(der, 'pkcs1');
  if (pkcs1) return { ok: true, key: describe(pkcs1, 'pkcs1') };
  return { ok: false, problem: 'undecodable' };
}

function tryKey(der: Buffer, type: 'spki' | 'pkcs1'): KeyObject | undefined {
  try {
    return createPublicKey({ key: der, format: 'der', type });
  } catch {
    return undefined;
  }
}

function describe(key: KeyObject, format: PublicKeyFormat): DecodedKey {
  if (key.asymmetricKeyType === 'ed25519') {
    const spki = key.export({ format: 'der', type: 'spki' });
    return {
      algorithm: 'ed25519',
      format,
      bits: 256,
      canonical: spki.subarray(ED25519_SPKI_PREFIX.length).toString('base64'),
    };
  }
  return {
    algorithm: 'rsa',
    format,
    bits: key.asymmetricKeyDetails?.modulusLength ?? 0,
    canonical: key.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}
