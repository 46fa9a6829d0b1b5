import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DKIM_RSA_MAX_VERIFIED_BITS,
  DKIM_RSA_MIN_BITS,
  DKIM_RSA_RECOMMENDED_BITS,
  decodePublicKey,
  looksLikeDkimKey,
  MAX_DKIM_RECORD_LENGTH,
  parseDkimKeyRecord,
  parseTagList,
} from '../../src/records/dkim/index.ts';
import { generatedKeys, type Keys } from '../fixtures/dkim/keys.ts';

let keys: Keys;
beforeAll(() => {
  keys = generatedKeys();
});

const codes = (text: string) => parseDkimKeyRecord(text).findings.map((f) => f.code);

describe('tag list (RFC 6376 s3.2)', () => {
  it('splits tags, trims whitespace and folding, keeps "=" inside values', () => {
    const list = parseTagList(' v = DKIM1 ;\r\n\tk=rsa; n=a=b c; ;');
    expect(list.errors).toEqual([]);
    expect(list.tags.map((t) => [t.name, t.value])).toEqual([
      ['v', 'DKIM1'],
      ['k', 'rsa'],
      ['n', 'a=b c'],
    ]);
  });

  it('reports specs without "=", bad names, bad characters and duplicates', () => {
    const list = parseTagList('v=DKIM1; p; 1x=y; k=ＲＳＡ; k=rsa');
    expect(list.errors.map((e) => e.problem)).toEqual(['no-equals', 'bad-tag-name', 'bad-value-char']);
    expect(list.errors[0]!.position).toBe(9);
    expect(list.duplicates).toEqual(['k']);
  });
});

describe('DKIM key record', () => {
  it('makes defaults explicit and flags which were written', () => {
    const { record, findings } = parseDkimKeyRecord(`p=${keys.rsa2048}`);
    expect(findings).toEqual([]);
    expect(record).toMatchObject({
      version: { value: 'DKIM1', explicit: false },
      keyType: { value: 'rsa', explicit: false },
      hashAlgorithms: { value: ['*'], explicit: false },
      serviceTypes: { value: ['*'], explicit: false },
      flags: { value: [], explicit: false },
      testing: false,
      strictSubdomains: false,
      revoked: false,
      key: { algorithm: 'rsa', format: 'spki', bits: 2048 },
      usable: true,
    });
    const explicit = parseDkimKeyRecord(
      `v=DKIM1; k=rsa; h=sha256; s=email; t=s; n=notes here; p=${keys.rsa2048}`,
    ).record;
    expect(explicit.hashAlgorithms).toEqual({ value: ['sha256'], explicit: true });
    expect(explicit.serviceTypes).toEqual({ value: ['email'], explicit: true });
    expect(explicit.strictSubdomains).toBe(true);
    expect(explicit.notes).toBe('notes here');
  });

  it('accepts base64 split by whitespace, as long keys are published', () => {
    const spaced = keys.rsa2048.replace(/(.{60})/g, '$1 ');
    expect(parseDkimKeyRecord(`v=DKIM1; p=${spaced}`).record.usable).toBe(true);
  });

  it('applies the RFC 8301 size rules to RSA keys', () => {
    expect(DKIM_RSA_MIN_BITS).toBe(1024);
    expect(DKIM_RSA_RECOMMENDED_BITS).toBe(2048);
    expect(DKIM_RSA_MAX_VERIFIED_BITS).toBe(4096);
    const weak = parseDkimKeyRecord(`v=DKIM1; k=rsa; p=${keys.rsa512}`);
    expect(weak.findings.map((f) => [f.code, f.severity])).toEqual([['dkim-key-weak', 'error']]);
    expect(weak.findings[0]!.args).toMatchObject({ bits: 512, min: 1024 });
    expect(weak.record.usable).toBe(false);
    const short = parseDkimKeyRecord(`v=DKIM1; k=rsa; p=${keys.rsa1024}`);
    expect(short.findings.map((f) => [f.code, f.severity])).toEqual([['dkim-key-short', 'warning']]);
    expect(short.record.usable).toBe(true);
    expect(codes(`v=DKIM1; k=rsa; p=${keys.rsa2048}`)).toEqual([]);
    expect(codes(`v=DKIM1; k=rsa; p=${keys.rsaHuge}`)).toEqual(['dkim-key-oversized']);
  });

  it('accepts raw Ed25519 keys and rejects the SPKI-wrapped form with the raw key as the fix', () => {
    expect(parseDkimKeyRecord(`v=DKIM1; k=ed25519; p=${keys.ed25519}`).record).toMatchObject({
      key: { algorithm: 'ed25519', format: 'raw', bits: 256 },
      usable: true,
    });
    const wrapped = parseDkimKeyRecord(`v=DKIM1; k=ed25519; p=${keys.ed25519Spki}`);
    expect(wrapped.findings.map((f) => f.code)).toEqual(['dkim-ed25519-key-format']);
    expect(wrapped.findings[0]!.args?.rawKey).toBe(keys.ed25519);
    expect(wrapped.corrected).toBe(`v=DKIM1; k=ed25519; p=${keys.ed25519}`);
  });

  it('accepts a bare PKCS#1 RSAPublicKey with a warning and the SPKI form as the fix', () => {
    const result = parseDkimKeyRecord(`v=DKIM1; k=rsa; p=${keys.rsa2048Pkcs1}; t=y`);
    expect(result.findings.map((f) => f.code)).toEqual(['dkim-testing-mode', 'dkim-key-pkcs1']);
    expect(result.record.key).toEqual({ algorithm: 'rsa', format: 'pkcs1', bits: 2048 });
    expect(result.record.usable).toBe(true);
    expect(result.corrected).toBe(`v=DKIM1; k=rsa; p=${keys.rsa2048}; t=y`);
  });

  it('names key type mismatches precisely', () => {
    const edAsRsa = parseDkimKeyRecord(`v=DKIM1; k=rsa; p=${keys.ed25519}`).findings;
    expect(edAsRsa.map((f) => [f.code, f.args?.actual])).toEqual([['dkim-key-type-mismatch', 'ed25519']]);
    const rsaAsEd = parseDkimKeyRecord(`v=DKIM1; k=ed25519; p=${keys.rsa2048}`).findings;
    expect(rsaAsEd.map((f) => [f.code, f.args?.actual])).toEqual([['dkim-key-type-mismatch', 'rsa']]);
    const ec = parseDkimKeyRecord(`v=DKIM1; k=rsa; p=${keys.ecSpki}`).findings;
    expect(ec.map((f) => [f.code, f.args?.actual])).toEqual([['dkim-key-type-mismatch', 'ec']]);
    const unknown = parseDkimKeyRecord(`v=DKIM1; k=RSA; p=${keys.rsa2048}`).findings;
    expect(unknown.map((f) => [f.code, f.args?.looksLike])).toEqual([['dkim-key-type-unknown', 'rsa']]);
  });

  it('reports revoked, missing, non-base64 and undecodable keys', () => {
    const revoked = parseDkimKeyRecord('v=DKIM1; p=');
    expect(revoked.record.revoked).toBe(true);
    expect(revoked.findings.map((f) => f.code)).toEqual(['dkim-key-revoked']);
    expect(codes('v=DKIM1; k=rsa')).toEqual(['dkim-key-tag-missing']);
    expect(codes('v=DKIM1; p=MIIB$$$')).toEqual(['dkim-key-invalid-base64']);
    expect(codes('v=DKIM1; p=A')).toEqual(['dkim-key-invalid-base64']);
    expect(codes(`v=DKIM1; p=${randomBytes(120).toString('base64')}`)).toEqual(['dkim-key-invalid']);
    expect(codes(`v=DKIM1; p=${keys.rsa2048.slice(0, -12)}`)).toEqual(['dkim-key-invalid']);
  });

  it('checks v=, h=, s=, t= and unknown tags', () => {
    expect(codes(`v=DKIM2; p=${keys.rsa2048}`)).toEqual(['dkim-version-invalid']);
    expect(codes(`k=rsa; v=DKIM1; p=${keys.rsa2048}`)).toEqual(['dkim-version-not-first']);
    expect(codes(`v=DKIM1; h=sha1; p=${keys.rsa2048}`)).toEqual(['dkim-hash-sha1-only']);
    expect(codes(`v=DKIM1; h=sha1:sha256; p=${keys.rsa2048}`)).toEqual([]);
    expect(codes(`v=DKIM1; h=md5; p=${keys.rsa2048}`)).toEqual(['dkim-hash-unknown']);
    expect(codes(`v=DKIM1; s=tlsrpt; p=${keys.rsa2048}`)).toEqual(['dkim-not-for-email']);
    expect(codes(`v=DKIM1; s=email:tlsrpt; p=${keys.rsa2048}`)).toEqual([]);
    expect(codes(`v=DKIM1; t=y:s; p=${keys.rsa2048}`)).toEqual(['dkim-testing-mode']);
    expect(codes(`v=DKIM1; g=*; x=1; p=${keys.rsa2048}`)).toEqual(['dkim-unknown-tag']);
    expect(parseDkimKeyRecord(`v=DKIM1; g=*; x=1; p=${keys.rsa2048}`).findings[0]!.args?.tags).toBe('g, x');
    expect(codes(`v=DKIM1; k=rsa; k=rsa; p=${keys.rsa2048}`)).toEqual(['dkim-duplicate-tag']);
    expect(codes(`v=DKIM1; k rsa; p=${keys.rsa2048}`)).toEqual(['dkim-syntax-error']);
  });

  it('puts the record name into every finding when given', () => {
    const f = parseDkimKeyRecord('v=DKIM1; p=', { name: 's1._domainkey.example.jp' }).findings[0]!;
    expect(f.args?.name).toBe('s1._domainkey.example.jp');
  });

  it(`refuses records longer than MAX_DKIM_RECORD_LENGTH (${MAX_DKIM_RECORD_LENGTH})`, () => {
    const padding = 'n=' + 'x'.repeat(MAX_DKIM_RECORD_LENGTH);
    const result = parseDkimKeyRecord(`v=DKIM1; ${padding}; p=${keys.rsa2048}`);
    expect(result.findings.map((f) => f.code)).toEqual(['dkim-record-too-large']);
    expect(result.record.usable).toBe(false);
    const fits = `v=DKIM1; p=${keys.rsa2048}; n=`;
    expect(codes(fits + 'x'.repeat(MAX_DKIM_RECORD_LENGTH - fits.length))).toEqual([]);
  });

  it('tells key records from other TXT records', () => {
    expect(looksLikeDkimKey('v=DKIM1; p=abc')).toBe(true);
    expect(looksLikeDkimKey('k=rsa; p=abc')).toBe(true);
    expect(looksLikeDkimKey('v=spf1 -all')).toBe(false);
    expect(looksLikeDkimKey('google-site-verification=abc')).toBe(false);
  });

  it('decodes keys without regard to k=', () => {
    expect(decodePublicKey(Buffer.from(keys.rsa2048, 'base64'))).toMatchObject({
      ok: true,
      key: { algorithm: 'rsa' },
    });
    expect(decodePublicKey(Buffer.from('garbage'))).toEqual({ ok: false, problem: 'undecodable' });
  });
});
