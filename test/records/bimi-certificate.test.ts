import { describe, expect, it } from 'vitest';
import {
  CERTIFICATE_EXPIRY_WARNING_DAYS,
  MAX_CHAIN_CERTIFICATES,
  MAX_CHAIN_DEPTH,
  type MarkCertificateInput,
  OID_KP_BIMI,
  OID_PILOT_IDENTIFIER,
  pemCertificates,
  validateMarkCertificate,
} from '../../src/records/bimi/certificate.ts';
import { createMarkPki, issue, logotypeExtension, REGISTERED_MARK, type TestCert } from './bimi-pki.ts';

const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 10 10"><title>Example K.K.</title><rect width="10" height="10"/></svg>',
);
const NOW = new Date('2026-01-01T00:00:00Z');
const pki = createMarkPki(SVG);

function validate(leaf: TestCert, overrides: Partial<MarkCertificateInput> = {}) {
  return validateMarkCertificate({
    pem: leaf.pem + pki.intermediate.pem,
    domains: ['example.com'],
    svg: SVG,
    roots: [pki.root.der],
    now: NOW,
    where: 'https://example.com/bimi/vmc.pem',
    ...overrides,
  });
}
const codes = (leaf: TestCert, overrides: Partial<MarkCertificateInput> = {}) =>
  validate(leaf, overrides).findings.map((f) => f.code);

describe('validateMarkCertificate', () => {
  it('accepts a complete VMC and describes it (bimi-certificate-valid)', () => {
    const result = validate(pki.vmc());
    expect(result.valid).toBe(true);
    expect(result.findings).toMatchObject([
      {
        code: 'bimi-certificate-valid',
        severity: 'info',
        args: {
          kind: 'VMC',
          markType: 'Registered Mark',
          organization: 'Example K.K.',
          issuer: 'Sumi Test MVA Issuing CA',
        },
        where: 'https://example.com/bimi/vmc.pem',
      },
    ]);
    expect(result.info).toMatchObject({
      kind: 'VMC',
      domains: ['example.com'],
      trusted: true,
      logoMatches: true,
      chain: ['Example K.K.', 'Sumi Test MVA Issuing CA', 'Sumi Test MVA Root'],
      certificates: 2,
      notAfter: '2027-01-01T00:00:00.000Z',
    });
    expect(result.info?.subject.trademarkIdentifier).toBe('1234567');
  });

  it('bimi-certificate-invalid: no PEM, or a PEM that is not a certificate', () => {
    expect(codes(pki.vmc(), { pem: 'hello' })).toEqual(['bimi-certificate-invalid']);
    const junk = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(validate(pki.vmc(), { pem: junk }).findings).toMatchObject([
      { code: 'bimi-certificate-invalid', args: { reason: 'parse', index: 0 } },
    ]);
  });

  it('bimi-certificate-extension-missing: subjectAltName, logotype', () => {
    expect(validate(pki.vmc({ san: null })).findings.map((f) => [f.code, f.args?.extension])).toEqual([
      ['bimi-certificate-extension-missing', 'subjectAltName'],
    ]);
    const noLogo = issue({
      subject: REGISTERED_MARK,
      issuer: pki.intermediate,
      san: ['example.com'],
      eku: [OID_KP_BIMI],
    });
    expect(validate(noLogo).findings.map((f) => [f.code, f.args?.extension])).toEqual([
      ['bimi-certificate-extension-missing', 'logotype'],
    ]);
  });

  it('bimi-certificate-forbidden-extension: nameConstraints', () => {
    const leaf = pki.vmc({ extra: [{ oid: '2.5.29.30', value: new Uint8Array([0x30, 0x00]) }] });
    expect(codes(leaf)).toEqual(['bimi-certificate-forbidden-extension']);
  });

  it('bimi-certificate-pilot-identifier: only for certificates issued from 2025-03-15', () => {
    const pilot = [{ oid: OID_PILOT_IDENTIFIER, value: new Uint8Array([0x05, 0x00]) }];
    expect(codes(pki.vmc({ extra: pilot, notBefore: new Date('2025-03-15T00:00:00Z') }))).toEqual([
      'bimi-certificate-pilot-identifier',
    ]);
    expect(codes(pki.vmc({ extra: pilot, notBefore: new Date('2025-03-14T00:00:00Z') }))).toEqual([
      'bimi-certificate-valid',
    ]);
  });

  it('bimi-certificate-eku-missing: no EKU, or an EKU without id-kp-BrandIndicatorforMessageIdentification', () => {
    expect(validate(pki.vmc({ eku: ['1.3.6.1.5.5.7.3.1'] })).findings).toMatchObject([
      { code: 'bimi-certificate-eku-missing', args: { purposes: '1.3.6.1.5.5.7.3.1' } },
    ]);
    expect(codes(pki.vmc({ eku: null }))).toEqual(['bimi-certificate-eku-missing']);
  });

  it('bimi-certificate-not-yet-valid, bimi-certificate-expired', () => {
    expect(codes(pki.vmc({ notBefore: new Date('2026-06-01T00:00:00Z') }))).toEqual([
      'bimi-certificate-not-yet-valid',
    ]);
    expect(codes(pki.vmc({ notAfter: new Date('2025-12-31T00:00:00Z') }))).toEqual([
      'bimi-certificate-expired',
    ]);
  });

  it(`bimi-certificate-expiring within CERTIFICATE_EXPIRY_WARNING_DAYS (${CERTIFICATE_EXPIRY_WARNING_DAYS})`, () => {
    const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000);
    const soon = validate(pki.vmc({ notAfter: days(CERTIFICATE_EXPIRY_WARNING_DAYS - 1) }));
    expect(soon.findings).toMatchObject([
      {
        code: 'bimi-certificate-expiring',
        severity: 'warning',
        args: { days: CERTIFICATE_EXPIRY_WARNING_DAYS - 1 },
      },
      { code: 'bimi-certificate-valid' },
    ]);
    expect(codes(pki.vmc({ notAfter: days(CERTIFICATE_EXPIRY_WARNING_DAYS) }))).toEqual([
      'bimi-certificate-valid',
    ]);
  });

  it('bimi-certificate-domain-mismatch: the SAN must cover one of the names', () => {
    expect(validate(pki.vmc({ san: ['other.example'] })).findings).toMatchObject([
      { code: 'bimi-certificate-domain-mismatch', args: { domain: 'example.com', names: 'other.example' } },
    ]);
    // The organisational domain is enough (receivers accept a VMC for the org domain).
    expect(codes(pki.vmc(), { domains: ['mail.example.com', 'example.com'] })).toEqual([
      'bimi-certificate-valid',
    ]);
  });

  it('bimi-certificate-logo-mismatch: the l= SVG must be the certified logo, byte for byte', () => {
    const other = Buffer.from(SVG.toString().replace('width="10"', 'width="9"'));
    expect(validate(pki.vmc(), { svg: other }).findings).toMatchObject([
      {
        code: 'bimi-certificate-logo-mismatch',
        args: { certificateSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      },
    ]);
    expect(validate(pki.vmc(), { svg: undefined }).info?.logoMatches).toBeUndefined();
  });

  it('bimi-certificate-logotype-invalid: wrong hash, not a data: URI, indirect, wrong media type', () => {
    const reason = (logotype: Uint8Array) =>
      validate(pki.vmc({ logotype })).findings.map((f) => [f.code, f.args?.reason]);
    expect(reason(logotypeExtension(SVG, { hashOver: Buffer.from('other') }))).toEqual([
      ['bimi-certificate-logotype-invalid', 'hash'],
    ]);
    expect(reason(logotypeExtension(SVG, { uri: 'https://example.com/logo.svg' }))).toEqual([
      ['bimi-certificate-logotype-invalid', 'not-data-uri'],
    ]);
    expect(reason(logotypeExtension(SVG, { indirect: true }))).toEqual([
      ['bimi-certificate-logotype-invalid', 'indirect'],
    ]);
    expect(reason(logotypeExtension(SVG, { mediaType: 'image/png' }))).toEqual([
      ['bimi-certificate-logotype-invalid', 'media-type'],
    ]);
    expect(reason(new Uint8Array([0x04, 0x01, 0x00]))).toEqual([
      ['bimi-certificate-logotype-invalid', 'asn1'],
    ]);
    // A hash over the inflated SVG is accepted as well as one over the compressed data.
    expect(codes(pki.vmc({ logotype: logotypeExtension(SVG, { hashOver: SVG }) }))).toEqual([
      'bimi-certificate-valid',
    ]);
  });

  describe('chain to a Mark Verifying Authority root', () => {
    it('bimi-certificate-untrusted: unknown root', () => {
      const stranger = createMarkPki(SVG);
      const leaf = stranger.vmc();
      expect(
        validate(leaf, { pem: leaf.pem + stranger.intermediate.pem + stranger.root.pem }).findings,
      ).toMatchObject([
        {
          code: 'bimi-certificate-untrusted',
          args: { reason: 'unknown-root', issuer: 'Sumi Test MVA Root' },
        },
      ]);
    });

    it('bimi-certificate-untrusted: issuer missing from the file and unknown', () => {
      const leaf = pki.vmc();
      expect(validate(leaf, { pem: leaf.pem }).findings).toMatchObject([
        {
          code: 'bimi-certificate-untrusted',
          args: { reason: 'no-issuer', issuer: 'Sumi Test MVA Issuing CA' },
        },
      ]);
    });

    it('bimi-certificate-chain-incomplete: completed from the known intermediates, with a warning', () => {
      const leaf = pki.vmc();
      const result = validate(leaf, { pem: leaf.pem, intermediates: [pki.intermediate.der] });
      expect(result.findings.map((f) => f.code)).toEqual([
        'bimi-certificate-chain-incomplete',
        'bimi-certificate-valid',
      ]);
      expect(result.info?.trusted).toBe(true);
    });

    it('bimi-certificate-untrusted: an issuer that is not a CA, or not valid now', () => {
      const notCa = issue({ subject: { commonName: 'Not A CA' }, issuer: pki.root });
      const leafA = issue({
        subject: REGISTERED_MARK,
        issuer: notCa,
        san: ['example.com'],
        eku: [OID_KP_BIMI],
        logotype: logotypeExtension(SVG),
      });
      expect(validate(leafA, { pem: leafA.pem + notCa.pem }).findings.map((f) => f.args?.reason)).toEqual([
        'not-ca',
      ]);
      const expired = issue({
        subject: { commonName: 'Expired CA' },
        issuer: pki.root,
        ca: true,
        notAfter: new Date('2025-06-01T00:00:00Z'),
      });
      const leafB = issue({
        subject: REGISTERED_MARK,
        issuer: expired,
        san: ['example.com'],
        eku: [OID_KP_BIMI],
        logotype: logotypeExtension(SVG),
      });
      expect(validate(leafB, { pem: leafB.pem + expired.pem }).findings.map((f) => f.args?.reason)).toEqual([
        'ca-expired',
      ]);
    });

    it(`gives up after MAX_CHAIN_DEPTH (${MAX_CHAIN_DEPTH}) issuers`, () => {
      const cas: TestCert[] = [];
      let parent = pki.root;
      for (let i = 0; i < MAX_CHAIN_DEPTH; i++) {
        parent = issue({ subject: { commonName: `CA ${i}` }, issuer: parent, ca: true });
        cas.push(parent);
      }
      const leaf = issue({
        subject: REGISTERED_MARK,
        issuer: parent,
        san: ['example.com'],
        eku: [OID_KP_BIMI],
        logotype: logotypeExtension(SVG),
      });
      const pem = [leaf, ...cas.reverse()].map((c) => c.pem).join('');
      expect(validate(leaf, { pem }).findings.map((f) => f.args?.reason)).toEqual(['too-deep']);
      const shorter = [leaf, ...cas.slice(0, MAX_CHAIN_DEPTH - 1)].map((c) => c.pem).join('');
      expect(validate(leaf, { pem: shorter, roots: [cas[MAX_CHAIN_DEPTH - 1]!.der] }).valid).toBe(true);
    });
  });

  describe('subject fields per mark type (MCR 7.1.4.2.2)', () => {
    const subject = (changes: Record<string, string | undefined>) =>
      pki.vmc({ subject: { ...REGISTERED_MARK, ...changes } });

    it('bimi-certificate-mark-type-missing, bimi-certificate-mark-type-invalid', () => {
      expect(codes(subject({ markType: undefined }))).toEqual(['bimi-certificate-mark-type-missing']);
      expect(validate(subject({ markType: 'Trademark' })).findings).toMatchObject([
        { code: 'bimi-certificate-mark-type-invalid', args: { markType: 'Trademark' } },
      ]);
    });

    it('bimi-certificate-subject-field-missing: common and per-type fields', () => {
      expect(validate(subject({ streetAddress: undefined })).findings).toMatchObject([
        {
          code: 'bimi-certificate-subject-field-missing',
          args: { field: 'streetAddress', markType: 'Registered Mark' },
        },
      ]);
      expect(validate(subject({ trademarkIdentifier: undefined })).findings).toMatchObject([
        { code: 'bimi-certificate-subject-field-missing', args: { field: 'trademarkIdentifier' } },
      ]);
      const government = subject({
        markType: 'Government Mark',
        trademarkCountryOrRegionName: undefined,
        trademarkIdentifier: undefined,
        statuteCountryName: 'JP',
      });
      expect(validate(government).findings).toMatchObject([
        {
          code: 'bimi-certificate-subject-field-missing',
          args: { field: 'statuteCitation', markType: 'Government Mark' },
        },
      ]);
    });

    it('bimi-certificate-locality-missing', () => {
      expect(codes(subject({ localityName: undefined, stateOrProvinceName: undefined }))).toEqual([
        'bimi-certificate-locality-missing',
      ]);
      expect(codes(subject({ localityName: undefined }))).toEqual(['bimi-certificate-valid']);
    });

    it('bimi-certificate-jurisdiction-incomplete', () => {
      expect(validate(subject({ jurisdictionLocalityName: 'Chiyoda-ku' })).findings).toMatchObject([
        {
          code: 'bimi-certificate-jurisdiction-incomplete',
          args: { present: 'jurisdictionLocalityName', required: 'jurisdictionStateOrProvinceName' },
        },
      ]);
      const government = subject({
        markType: 'Government Mark',
        trademarkCountryOrRegionName: undefined,
        trademarkIdentifier: undefined,
        statuteCountryName: 'JP',
        statuteCitation: 'Act No. 1',
        statuteLocalityName: 'Chiyoda-ku',
      });
      expect(validate(government).findings.map((f) => f.args?.required)).toEqual([
        'statuteStateOrProvinceName',
      ]);
    });

    it('bimi-certificate-wrong-mark-field: a field of another mark type', () => {
      expect(validate(subject({ statuteCitation: 'Act No. 1' })).findings).toMatchObject([
        {
          code: 'bimi-certificate-wrong-mark-field',
          args: { field: 'statuteCitation', markType: 'Registered Mark', usedBy: 'Government Mark' },
        },
      ]);
    });

    it('bimi-certificate-prior-use-source-missing: CMCs issued from 2025-04-15', () => {
      const priorUse = (notBefore: string, source?: string) =>
        pki.vmc({
          notBefore: new Date(notBefore),
          subject: {
            ...REGISTERED_MARK,
            markType: 'Prior Use Mark',
            trademarkCountryOrRegionName: undefined,
            trademarkIdentifier: undefined,
            priorUseMarkSourceURL: source,
          },
        });
      expect(codes(priorUse('2025-04-15T00:00:00Z'))).toEqual(['bimi-certificate-prior-use-source-missing']);
      expect(codes(priorUse('2025-04-14T00:00:00Z'))).toEqual(['bimi-certificate-valid']);
      const cmc = validate(priorUse('2025-05-01T00:00:00Z', 'https://example.com/about'));
      expect(cmc.info?.kind).toBe('CMC');
      expect(cmc.findings.map((f) => f.code)).toEqual(['bimi-certificate-valid']);
    });

    it('bimi-certificate-unknown-subject-field is a warning', () => {
      const result = validate(subject({ emailAddress: 'brand@example.com', '1.2.3.4': 'x' }));
      expect(result.findings.map((f) => [f.code, f.args?.field])).toEqual([
        ['bimi-certificate-unknown-subject-field', 'emailAddress'],
        ['bimi-certificate-unknown-subject-field', '1.2.3.4'],
        ['bimi-certificate-valid', undefined],
      ]);
    });
  });

  it(`reads at most MAX_CHAIN_CERTIFICATES (${MAX_CHAIN_CERTIFICATES}) certificates from a PEM`, () => {
    const many = Array.from({ length: MAX_CHAIN_CERTIFICATES + 3 }, () => pki.intermediate.pem).join('');
    expect(pemCertificates(many)).toHaveLength(MAX_CHAIN_CERTIFICATES);
    const leaf = pki.vmc();
    expect(validate(leaf, { pem: leaf.pem + many }).info?.certificates).toBe(MAX_CHAIN_CERTIFICATES);
  });
});
