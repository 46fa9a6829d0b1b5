import { type Finding, finding } from '../finding.ts';
import { decodePublicKey, type PublicKeyFormat } from './public-key.ts';
import { parseTagList } from './tag-list.ts';

/**
 * DKIM key records (RFC 6376 s3.6.1; Ed25519 from RFC 8463; key sizes and SHA-1 from RFC 8301).
 * Pure: text in, meaning and findings out.
 */

/** A tag's value with a flag saying whether it was written or is the RFC default. */
export interface Tagged<T> {
  value: T;
  explicit: boolean;
}

export interface DkimPublicKey {
  /** What the key data is (may differ from `k=`, see dkim-key-type-mismatch). */
  algorithm: 'rsa' | 'ed25519';
  format: PublicKeyFormat;
  bits: number;
}

export interface DkimKeyRecord {
  /** `v=`; default DKIM1. */
  version: Tagged<string>;
  /** `k=`; default rsa. */
  keyType: Tagged<string>;
  /** `h=` hash algorithms the key may be used with; default `*` (any). */
  hashAlgorithms: Tagged<string[]>;
  /** `s=` service types; default `*` (any, including email). */
  serviceTypes: Tagged<string[]>;
  /** `t=` flags; default none. */
  flags: Tagged<string[]>;
  /** `t=y`: the domain is testing DKIM. */
  testing: boolean;
  /** `t=s`: the i= domain of signatures must equal d= exactly (no subdomains). */
  strictSubdomains: boolean;
  /** `n=` notes for people, when present. */
  notes?: string;
  /** `p=` without whitespace; empty when revoked or absent. */
  publicKey: string;
  /** `p=` is present and empty (RFC 6376 s3.6.1: the key was revoked). */
  revoked: boolean;
  /** The decoded key, when `p=` holds one. */
  key?: DkimPublicKey;
  /** Tags this record carries that RFC 6376 does not define (verifiers ignore them). */
  unknownTags: string[];
  /** A verifier can use this key to verify email signatures. */
  usable: boolean;
}

export interface DkimKeyRecordResult {
  record: DkimKeyRecord;
  findings: Finding[];
  /** The same record with the key data fixed, when the only problem is its encoding. */
  corrected?: string;
}

/** Longest key record parsed; an RSA-8192 key record is about 1,500 characters. */
export const MAX_DKIM_RECORD_LENGTH = 4096;
/** RFC 8301 s3.2: verifiers ignore RSA keys below 1024 bits. */
export const DKIM_RSA_MIN_BITS = 1024;
/** RFC 8301 s3.2: signers SHOULD use at least 2048 bits. */
export const DKIM_RSA_RECOMMENDED_BITS = 2048;
/** RFC 8301 s3.2: verifiers need only validate keys up to 4096 bits. */
export const DKIM_RSA_MAX_VERIFIED_BITS = 4096;

const KNOWN_TAGS = new Set(['v', 'h', 'k', 'n', 'p', 's', 't']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Parses and lints one key record. `name` (the DNS name it came from) goes into each
 * finding's args so the message can say which record it is about.
 */
export function parseDkimKeyRecord(text: string, at: { name?: string } = {}): DkimKeyRecordResult {
  const base = at.name ? { name: at.name } : {};
  const findings: Finding[] = [];
  const add = (code: Parameters<typeof finding>[0], args: Record<string, string | number> = {}) =>
    findings.push(finding(code, { ...base, ...args }));

  const record: DkimKeyRecord = {
    version: { value: 'DKIM1', explicit: false },
    keyType: { value: 'rsa', explicit: false },
    hashAlgorithms: { value: ['*'], explicit: false },
    serviceTypes: { value: ['*'], explicit: false },
    flags: { value: [], explicit: false },
    testing: false,
    strictSubdomains: false,
    publicKey: '',
    revoked: false,
    unknownTags: [],
    usable: false,
  };

  if (text.length > MAX_DKIM_RECORD_LENGTH) {
    add('dkim-record-too-large', { length: text.length, max: MAX_DKIM_RECORD_LENGTH });
    return { record, findings };
  }

  let usable = true;
  const list = parseTagList(text);
  for (const e of list.errors) {
    add('dkim-syntax-error', { problem: e.problem, position: e.position, near: e.near });
    usable = false;
  }
  for (const tag of list.duplicates) {
    add('dkim-duplicate-tag', { tag });
    usable = false;
  }
  const tags = new Map(list.tags.map((t) => [t.name, t.value]));

  const version = tags.get('v');
  if (version !== undefined) {
    record.version = { value: version, explicit: true };
    // RFC 6376 s3.6.1: records whose v= is not DKIM1 are discarded.
    if (version !== 'DKIM1') {
      add('dkim-version-invalid', { value: version });
      usable = false;
    } else if (
      list.tags[0]?.name !== 'v' ||
      list.errors.some((e) => e.position < (list.tags[0]?.position ?? 0))
    ) {
      add('dkim-version-not-first');
      usable = false;
    }
  }

  const keyType = tags.get('k');
  if (keyType !== undefined) record.keyType = { value: keyType, explicit: true };

  const hashes = tags.get('h');
  if (hashes !== undefined) {
    const list = splitColon(hashes);
    record.hashAlgorithms = { value: list, explicit: true };
    // Unknown algorithms are ignored (s3.6.1); SHA-1 must not be used (RFC 8301 s3.1).
    if (!list.includes('sha256')) {
      if (list.includes('sha1')) add('dkim-hash-sha1-only', { hashes });
      else add('dkim-hash-unknown', { hashes });
      usable = false;
    }
  }

  const services = tags.get('s');
  if (services !== undefined) {
    const list = splitColon(services);
    record.serviceTypes = { value: list, explicit: true };
    if (!list.includes('*') && !list.includes('email')) {
      add('dkim-not-for-email', { services });
      usable = false;
    }
  }

  const flags = tags.get('t');
  if (flags !== undefined) {
    const list = splitColon(flags);
    record.flags = { value: list, explicit: true };
    record.testing = list.includes('y');
    record.strictSubdomains = list.includes('s');
    if (record.testing) add('dkim-testing-mode');
  }

  const notes = tags.get('n');
  if (notes !== undefined) record.notes = notes;

  record.unknownTags = list.tags.map((t) => t.name).filter((n) => !KNOWN_TAGS.has(n));
  if (record.unknownTags.length > 0) add('dkim-unknown-tag', { tags: record.unknownTags.join(', ') });

  let corrected: string | undefined;
  const p = tags.get('p');
  if (p === undefined) {
    add('dkim-key-tag-missing');
    usable = false;
  } else {
    const data = p.replace(/[ \t\r\n]+/g, '');
    record.publicKey = data;
    if (data === '') {
      record.revoked = true;
      add('dkim-key-revoked');
      usable = false;
    } else if (!BASE64.test(data) || data.replace(/=+$/, '').length % 4 === 1) {
      add('dkim-key-invalid-base64');
      usable = false;
    } else {
      const checked = checkKey(Buffer.from(data, 'base64'), record.keyType.value, add);
      if (checked.key) record.key = checked.key;
      if (!checked.usable) usable = false;
      if (checked.canonical !== undefined) corrected = replaceKey(text, checked.canonical);
    }
  }

  record.usable = usable;
  const result: DkimKeyRecordResult = { record, findings };
  if (corrected !== undefined) result.corrected = corrected;
  return result;
}

type Add = (code: Parameters<typeof finding>[0], args?: Record<string, string | number>) => void;

/** Judges the key data against `k=` and the RFC 8301 size rules. */
function checkKey(
  der: Buffer,
  keyType: string,
  add: Add,
): { key?: DkimPublicKey; usable: boolean; canonical?: string } {
  const decoded = decodePublicKey(der);
  if (keyType !== 'rsa' && keyType !== 'ed25519') {
    add('dkim-key-type-unknown', { keyType, looksLike: decoded.ok ? decoded.key.algorithm : '' });
    return { usable: false };
  }
  if (!decoded.ok) {
    if (decoded.problem === 'other-type')
      add('dkim-key-type-mismatch', { keyType, actual: decoded.otherType ?? '' });
    else add('dkim-key-invalid', { keyType });
    return { usable: false };
  }
  const { key: k } = decoded;
  const key: DkimPublicKey = { algorithm: k.algorithm, format: k.format, bits: k.bits };
  if (k.algorithm !== keyType) {
    add('dkim-key-type-mismatch', { keyType, actual: k.algorithm });
    return { key, usable: false };
  }
  if (k.algorithm === 'ed25519') {
    // RFC 8463 s4.2: the raw key, not SubjectPublicKeyInfo; verifiers reject the 44-byte form.
    if (k.format !== 'raw') {
      add('dkim-ed25519-key-format', { rawKey: k.canonical });
      return { key, usable: false, canonical: k.canonical };
    }
    return { key, usable: true };
  }
  let usable = true;
  let canonical: string | undefined;
  if (k.format === 'pkcs1') {
    add('dkim-key-pkcs1', { spki: k.canonical });
    canonical = k.canonical;
  }
  if (k.bits < DKIM_RSA_MIN_BITS) {
    add('dkim-key-weak', { bits: k.bits, min: DKIM_RSA_MIN_BITS });
    usable = false;
  } else if (k.bits < DKIM_RSA_RECOMMENDED_BITS) {
    add('dkim-key-short', { bits: k.bits, recommended: DKIM_RSA_RECOMMENDED_BITS });
  } else if (k.bits > DKIM_RSA_MAX_VERIFIED_BITS) {
    add('dkim-key-oversized', { bits: k.bits, max: DKIM_RSA_MAX_VERIFIED_BITS });
  }
  return canonical === undefined ? { key, usable } : { key, usable, canonical };
}

function splitColon(value: string): string[] {
  return value
    .split(':')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The record with its p= value replaced, everything else kept as written. */
function replaceKey(text: string, key: string): string {
  return text.replace(
    /(^|;)([ \t\r\n]*p[ \t\r\n]*=)[^;]*/,
    (_m, sep: string, tag: string) => `${sep}${tag}${key}`,
  );
}

/** A TXT record that looks like a DKIM key record (for telling keys from other TXT at a guessed name). */
export function looksLikeDkimKey(text: string): boolean {
  return /^[ \t]*v[ \t]*=[ \t]*DKIM1/i.test(text) || /(^|;)[ \t\r\n]*p[ \t\r\n]*=/.test(text);
}
