import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_subjectAltName,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';
import { OID_KP_BIMI, SUBJECT_FIELDS } from '../../src/records/bimi/certificate.ts';
import { OID_LOGOTYPE } from '../../src/records/bimi/logotype.ts';

/**
 * Throwaway mark-certificate PKI for tests: keys are generated per run (P-256) and nothing
 * is written to disk, so no private key is ever committed.
 */

export interface TestCert {
  der: Buffer;
  pem: string;
  key: KeyObject;
  subject: Name;
}

const ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const FIELD_OIDS = Object.fromEntries(Object.entries(SUBJECT_FIELDS).map(([oid, field]) => [field, oid]));

/** Subject fields by name (as in SUBJECT_FIELDS) or by dotted OID; undefined values are left out. */
export type SubjectSpec = Record<string, string | undefined>;

export function name(spec: SubjectSpec): Name {
  const rdns: RelativeDistinguishedName[] = [];
  for (const [field, value] of Object.entries(spec)) {
    if (value === undefined) continue;
    const type = FIELD_OIDS[field] ?? field;
    const printable = field === 'countryName' || field === 'jurisdictionCountryName';
    const attr = new AttributeTypeAndValue({
      type,
      value: new AttributeValue(printable ? { printableString: value } : { utf8String: value }),
    });
    rdns.push(new RelativeDistinguishedName([attr]));
  }
  return new Name(rdns);
}

export function pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

export interface IssueOptions {
  subject: SubjectSpec;
  /** Issuer certificate; self-signed when absent. */
  issuer?: TestCert;
  ca?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  /** SAN dNSNames; no SAN extension when null. */
  san?: string[] | null;
  /** Extended key usages; no EKU extension when null. */
  eku?: string[] | null;
  /** DER value of the logotype extension; none when absent. */
  logotype?: Uint8Array;
  /** Other extensions: OID and DER value. */
  extra?: { oid: string; value: Uint8Array }[];
}

export function issue(options: IssueOptions): TestCert {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subject = name(options.subject);
  const signer = options.issuer?.key ?? privateKey;
  const issuerName = options.issuer?.subject ?? subject;
  const extensions: Extension[] = [];
  const ext = (oid: string, value: ArrayBuffer | Uint8Array, critical = false) =>
    extensions.push(
      new Extension({ extnID: oid, critical, extnValue: new OctetString(new Uint8Array(value)) }),
    );
  if (options.ca) ext(id_ce_basicConstraints, AsnConvert.serialize(new BasicConstraints({ cA: true })), true);
  if (options.san !== null && options.san !== undefined) {
    ext(
      id_ce_subjectAltName,
      AsnConvert.serialize(
        new SubjectAlternativeName(options.san.map((d) => new GeneralName({ dNSName: d }))),
      ),
    );
  }
  if (options.eku !== null && options.eku !== undefined) {
    ext(id_ce_extKeyUsage, AsnConvert.serialize(new ExtendedKeyUsage(options.eku)));
  }
  if (options.logotype) ext(OID_LOGOTYPE, options.logotype);
  for (const e of options.extra ?? []) ext(e.oid, e.value);

  const serial = randomBytes(8);
  // Positive, and no leading zero byte (DER integers are minimal; OpenSSL rejects others).
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: new Uint8Array(serial).buffer,
    signature: new AlgorithmIdentifier({ algorithm: ECDSA_SHA256 }),
    issuer: issuerName,
    validity: new Validity({
      notBefore: options.notBefore ?? new Date('2025-01-01T00:00:00Z'),
      notAfter: options.notAfter ?? new Date('2027-01-01T00:00:00Z'),
    }),
    subject,
    subjectPublicKeyInfo: AsnConvert.parse(
      publicKey.export({ type: 'spki', format: 'der' }),
      SubjectPublicKeyInfo,
    ),
  });
  if (extensions.length > 0) tbs.extensions = new Extensions(extensions);
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', tbsDer, signer);
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: ECDSA_SHA256 }),
    signatureValue: new Uint8Array(signature).buffer,
  });
  const der = Buffer.from(AsnConvert.serialize(cert));
  return { der, pem: pem(der), key: privateKey, subject };
}

export interface LogotypeOptions {
  mediaType?: string;
  /** Bytes the hash is computed over (default: the gzip-compressed SVG as carried). */
  hashOver?: Uint8Array;
  /** Replaces the data: URI. */
  uri?: string;
  /** Encode subjectLogo as an indirect reference instead. */
  indirect?: boolean;
}

/** The logotype extension value (RFC 3709) embedding `svg` gzip-compressed in a data: URI. */
export function logotypeExtension(svg: Uint8Array, options: LogotypeOptions = {}): Uint8Array {
  const compressed = gzipSync(svg);
  const hash = createHash('sha256')
    .update(options.hashOver ?? compressed)
    .digest();
  const details = new asn1js.Sequence({
    value: [
      new asn1js.IA5String({ value: options.mediaType ?? 'image/svg+xml' }),
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({
            value: [
              new asn1js.Sequence({
                value: [new asn1js.ObjectIdentifier({ value: '2.16.840.1.101.3.4.2.1' })],
              }),
              new asn1js.OctetString({ valueHex: new Uint8Array(hash) }),
            ],
          }),
        ],
      }),
      new asn1js.Sequence({
        value: [
          new asn1js.IA5String({
            value: options.uri ?? `data:image/svg+xml;base64,${compressed.toString('base64')}`,
          }),
        ],
      }),
    ],
  });
  const info = new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: options.indirect ? 1 : 0 },
    value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [details] })] })],
  });
  const extn = new asn1js.Sequence({
    value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 2 }, value: [info] })],
  });
  return new Uint8Array(extn.toBER(false));
}

/** A complete Registered Mark VMC subject. */
export const REGISTERED_MARK: SubjectSpec = {
  countryName: 'JP',
  stateOrProvinceName: 'Tokyo',
  localityName: 'Chiyoda-ku',
  streetAddress: '1-1 Example',
  organizationName: 'Example K.K.',
  commonName: 'Example K.K.',
  businessCategory: 'Private Organization',
  serialNumber: '0100-01-000000',
  jurisdictionCountryName: 'JP',
  markType: 'Registered Mark',
  trademarkCountryOrRegionName: 'JP',
  trademarkIdentifier: '1234567',
};

export interface TestPki {
  root: TestCert;
  intermediate: TestCert;
  /** Issues a leaf under the intermediate, with VMC defaults overridable. */
  vmc(options?: Partial<IssueOptions> & { svg?: Uint8Array }): TestCert;
}

export function createMarkPki(defaultSvg: Uint8Array): TestPki {
  const root = issue({
    subject: { commonName: 'Sumi Test MVA Root', organizationName: 'Sumi Test' },
    ca: true,
  });
  const intermediate = issue({
    subject: { commonName: 'Sumi Test MVA Issuing CA', organizationName: 'Sumi Test' },
    issuer: root,
    ca: true,
    eku: [OID_KP_BIMI],
  });
  return {
    root,
    intermediate,
    vmc: (options = {}) =>
      issue({
        subject: REGISTERED_MARK,
        issuer: intermediate,
        san: ['example.com'],
        eku: [OID_KP_BIMI],
        logotype: logotypeExtension(options.svg ?? defaultSvg),
        ...options,
      }),
  };
}
