import { createHash, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  Certificate,
  ExtendedKeyUsage,
  id_ce_extKeyUsage,
  id_ce_nameConstraints,
  id_ce_subjectAltName,
  type Name,
  SubjectAlternativeName,
} from '@peculiar/asn1-x509';
import { type Finding, finding } from '../finding.ts';
import { OID_LOGOTYPE, readLogotype } from './logotype.ts';

/**
 * Mark certificates (VMC and CMC) for BIMI, checked against the AuthIndicators Working
 * Group's Minimum Security Requirements for Issuance of Mark Certificates (MCR): chain to a
 * Mark Verifying Authority root, validity at `now`, SAN, EKU, logotype, mark type and the
 * subject fields each mark type requires. Pure: PEM bytes, trust anchors and a time in.
 */

/** Fetch cap for the `a=` PEM (leaf plus intermediates). */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;
/** Certificates read from one PEM file. */
export const MAX_CHAIN_CERTIFICATES = 8;
/** Issuers walked from the leaf before giving up (as checkdmarc's verifier). */
export const MAX_CHAIN_DEPTH = 5;
/** A certificate expiring within this many days gets a warning (renewal takes weeks of vetting). */
export const CERTIFICATE_EXPIRY_WARNING_DAYS = 30;
/** MCR: certificates issued from this day must not carry the pilot identifier extension. */
export const PILOT_IDENTIFIER_CUTOFF = new Date('2025-03-15T00:00:00Z');
/** MCR 7.1.4.2.2 (x): Prior Use Mark certificates issued from this day need priorUseMarkSourceURL. */
export const PRIOR_USE_SOURCE_CUTOFF = new Date('2025-04-15T00:00:00Z');

export const OID_KP_BIMI = '1.3.6.1.5.5.7.3.31';
export const OID_PILOT_IDENTIFIER = '1.3.6.1.4.1.53087.4.1';

/** Subject attribute names by OID (X.520, EV Guidelines, MCR 7.1.4.2.2). */
export const SUBJECT_FIELDS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'commonName',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'countryName',
  '2.5.4.7': 'localityName',
  '2.5.4.8': 'stateOrProvinceName',
  '2.5.4.9': 'streetAddress',
  '2.5.4.10': 'organizationName',
  '2.5.4.11': 'organizationalUnitName',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionLocalityName',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionStateOrProvinceName',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionCountryName',
  '1.3.6.1.4.1.53087.1.2': 'trademarkOfficeName',
  '1.3.6.1.4.1.53087.1.3': 'trademarkCountryOrRegionName',
  '1.3.6.1.4.1.53087.1.4': 'trademarkIdentifier',
  '1.3.6.1.4.1.53087.1.5': 'legalEntityIdentifier',
  '1.3.6.1.4.1.53087.1.6': 'wordMark',
  '1.3.6.1.4.1.53087.1.13': 'markType',
  '1.3.6.1.4.1.53087.3.2': 'statuteCountryName',
  '1.3.6.1.4.1.53087.3.3': 'statuteStateOrProvinceName',
  '1.3.6.1.4.1.53087.3.4': 'statuteLocalityName',
  '1.3.6.1.4.1.53087.3.5': 'statuteCitation',
  '1.3.6.1.4.1.53087.3.6': 'statuteURL',
  '1.3.6.1.4.1.53087.5.1': 'priorUseMarkSourceURL',
};

export type MarkType =
  | 'Registered Mark'
  | 'Government Mark'
  | 'Prior Use Mark'
  | 'Modified Registered Mark'
  | 'Pending Registration Mark';

interface MarkTypeRule {
  kind: 'VMC' | 'CMC';
  required: string[];
  optional: string[];
}

const TRADEMARK = ['trademarkCountryOrRegionName', 'trademarkIdentifier'];

/** Subject fields per mark type (MCR 7.1.4.2.2). "Pending Registration Mark" is the newer CMC type. */
export const MARK_TYPES: Readonly<Record<MarkType, MarkTypeRule>> = {
  'Registered Mark': { kind: 'VMC', required: TRADEMARK, optional: ['trademarkOfficeName'] },
  'Government Mark': {
    kind: 'VMC',
    required: ['statuteCountryName', 'statuteCitation'],
    optional: ['statuteURL', 'statuteStateOrProvinceName', 'statuteLocalityName'],
  },
  'Prior Use Mark': { kind: 'CMC', required: [], optional: ['priorUseMarkSourceURL'] },
  'Modified Registered Mark': { kind: 'CMC', required: TRADEMARK, optional: ['trademarkOfficeName'] },
  'Pending Registration Mark': { kind: 'CMC', required: [], optional: [...TRADEMARK, 'trademarkOfficeName'] },
};

/** Subject fields every mark certificate must have, and those it may have. */
export const REQUIRED_SUBJECT_FIELDS = [
  'markType',
  'organizationName',
  'streetAddress',
  'countryName',
  'businessCategory',
  'serialNumber',
  'jurisdictionCountryName',
];
const OPTIONAL_SUBJECT_FIELDS = [
  'commonName',
  'localityName',
  'stateOrProvinceName',
  'postalCode',
  'organizationalUnitName',
  'organizationIdentifier',
  'legalEntityIdentifier',
  'wordMark',
  'jurisdictionStateOrProvinceName',
  'jurisdictionLocalityName',
];
const KNOWN_SUBJECT_FIELDS: ReadonlySet<string> = new Set([
  ...REQUIRED_SUBJECT_FIELDS,
  ...OPTIONAL_SUBJECT_FIELDS,
  ...Object.values(MARK_TYPES).flatMap((r) => [...r.required, ...r.optional]),
]);

export interface MarkCertificateInput {
  /** The file fetched from `a=`: PEM, leaf first, then intermediates. */
  pem: Uint8Array | string;
  /** Names the certificate's SAN may cover (the domain, its organisational domain ...); first is reported. */
  domains: string[];
  /** The indicator from `l=` (inflated SVG document), to compare with the certificate's logo. */
  svg?: Uint8Array;
  /** Trust anchors (DER): the Mark Verifying Authority roots. */
  roots: readonly Uint8Array[];
  /** Known MVA intermediates (DER), used to finish a chain the PEM left incomplete. */
  intermediates?: readonly Uint8Array[];
  now: Date;
  /** The certificate URL, kept on findings. */
  where?: string;
}

export interface MarkCertificateInfo {
  /** VMC (registered or government mark) or CMC (prior use, modified or pending mark). */
  kind?: 'VMC' | 'CMC';
  markType?: string;
  subject: Record<string, string>;
  issuer: Record<string, string>;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** SAN dNSNames. */
  domains: string[];
  /** SHA-256 (hex) of the SVG embedded in the logotype extension. */
  logotypeSha256?: string;
  /** The `l=` SVG is byte-identical to the certificate's logo (undefined when not compared). */
  logoMatches?: boolean;
  /** Chains to one of the trust anchors. */
  trusted: boolean;
  /** Subject common names (or full subjects) from the leaf up to the anchor reached. */
  chain: string[];
  /** Certificates in the PEM file. */
  certificates: number;
}

export interface MarkCertificateValidation {
  info?: MarkCertificateInfo;
  findings: Finding[];
  valid: boolean;
}

interface Parsed {
  der: Buffer;
  asn: Certificate;
  x509: X509Certificate;
}

/** Splits PEM text into DER certificates (at most MAX_CHAIN_CERTIFICATES). */
export function pemCertificates(pem: Uint8Array | string): Buffer[] {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('latin1');
  const out: Buffer[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    if (out.length === MAX_CHAIN_CERTIFICATES) break;
    out.push(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
  }
  return out;
}

function parse(der: Uint8Array): Parsed {
  const buf = Buffer.from(der);
  return { der: buf, asn: AsnConvert.parse(buf, Certificate), x509: new X509Certificate(buf) };
}

function nameFields(name: Name): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rdn of name) {
    for (const attr of rdn) {
      const label = SUBJECT_FIELDS[attr.type] ?? attr.type;
      const value = attr.value.toString();
      out[label] = out[label] === undefined ? value : `${out[label]}, ${value}`;
    }
  }
  return out;
}

function label(fields: Record<string, string>, x509: X509Certificate): string {
  return fields.commonName ?? fields.organizationName ?? x509.subject.replace(/\n/g, ', ');
}

export function validateMarkCertificate(input: MarkCertificateInput): MarkCertificateValidation {
  const findings: Finding[] = [];
  const at = input.where !== undefined ? { where: input.where } : {};
  const add = (code: Parameters<typeof finding>[0], args: Parameters<typeof finding>[1] = {}) =>
    findings.push(finding(code, args, at));
  const done = (info?: MarkCertificateInfo): MarkCertificateValidation => ({
    ...(info ? { info } : {}),
    findings,
    valid: !findings.some((f) => f.severity === 'error'),
  });

  const ders = pemCertificates(input.pem);
  if (ders.length === 0) {
    add('bimi-certificate-invalid', { reason: 'no-pem' });
    return done();
  }
  const chain: Parsed[] = [];
  for (const [index, der] of ders.entries()) {
    try {
      chain.push(parse(der));
    } catch (error) {
      add('bimi-certificate-invalid', { reason: 'parse', index, detail: (error as Error).message });
      return done();
    }
  }
  const leaf = chain[0]!;
  const tbs = leaf.asn.tbsCertificate;
  const extensions = tbs.extensions ?? [];
  const extension = (oid: string) => extensions.find((e) => e.extnID === oid);
  const subject = nameFields(tbs.subject);
  const issuer = nameFields(tbs.issuer);
  const notBeforeDate = tbs.validity.notBefore.getTime();
  const notAfterDate = tbs.validity.notAfter.getTime();
  const notBefore = notBeforeDate.getTime();
  const notAfter = notAfterDate.getTime();

  const info: MarkCertificateInfo = {
    subject,
    issuer,
    serialNumber: leaf.x509.serialNumber,
    notBefore: notBeforeDate.toISOString(),
    notAfter: notAfterDate.toISOString(),
    domains: [],
    trusted: false,
    chain: [label(subject, leaf.x509)],
    certificates: chain.length,
  };

  // Extensions (MCR 7.1.2.3).
  const san = extension(id_ce_subjectAltName);
  if (!san) add('bimi-certificate-extension-missing', { extension: 'subjectAltName' });
  else {
    try {
      info.domains = AsnConvert.parse(san.extnValue, SubjectAlternativeName)
        .filter((n) => n.dNSName !== undefined)
        .map((n) => (n.dNSName as string).toLowerCase());
    } catch (error) {
      add('bimi-certificate-invalid', { reason: 'subjectAltName', detail: (error as Error).message });
    }
  }
  const logotype = extension(OID_LOGOTYPE);
  if (!logotype) add('bimi-certificate-extension-missing', { extension: 'logotype' });
  if (extension(id_ce_nameConstraints))
    add('bimi-certificate-forbidden-extension', { extension: 'nameConstraints' });
  if (extension(OID_PILOT_IDENTIFIER) && notBeforeDate >= PILOT_IDENTIFIER_CUTOFF) {
    add('bimi-certificate-pilot-identifier', { issued: info.notBefore.slice(0, 10) });
  }
  const eku = extension(id_ce_extKeyUsage);
  let purposes: string[] = [];
  if (eku) {
    try {
      purposes = [...AsnConvert.parse(eku.extnValue, ExtendedKeyUsage)];
    } catch {
      purposes = [];
    }
  }
  if (!purposes.includes(OID_KP_BIMI)) {
    add('bimi-certificate-eku-missing', { purposes: purposes.length > 0 ? purposes.join(', ') : '(none)' });
  }

  // Validity at `now`.
  const now = input.now.getTime();
  if (now < notBefore) add('bimi-certificate-not-yet-valid', { notBefore: info.notBefore });
  else if (now > notAfter) add('bimi-certificate-expired', { notAfter: info.notAfter });
  else {
    const days = Math.floor((notAfter - now) / 86_400_000);
    if (days < CERTIFICATE_EXPIRY_WARNING_DAYS)
      add('bimi-certificate-expiring', { days, notAfter: info.notAfter });
  }

  // The domain must be one the certificate names.
  const wanted = input.domains.map((d) => d.toLowerCase());
  if (san && info.domains.length > 0 && !wanted.some((d) => info.domains.includes(d))) {
    add('bimi-certificate-domain-mismatch', { domain: wanted[0], names: info.domains.join(', ') });
  }

  // The logo: the certificate's own hash, then the l= SVG against it.
  if (logotype) {
    const value = logotype.extnValue;
    const logo = readLogotype(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    if (!logo.ok) add('bimi-certificate-logotype-invalid', { reason: logo.reason, detail: logo.detail });
    else {
      info.logotypeSha256 = logo.sha256;
      if (input.svg) {
        const svgSha256 = createHash('sha256').update(input.svg).digest('hex');
        info.logoMatches = svgSha256 === logo.sha256;
        if (!info.logoMatches) {
          add('bimi-certificate-logo-mismatch', { svgSha256, certificateSha256: logo.sha256 });
        }
      }
    }
  }

  checkSubject(subject, notBeforeDate, info, add);
  checkChain(chain, input, info, add);

  if (!findings.some((f) => f.severity === 'error')) {
    add('bimi-certificate-valid', {
      kind: info.kind,
      markType: info.markType,
      organization: subject.organizationName,
      issuer: info.chain[1] ?? label(issuer, leaf.x509),
      notAfter: info.notAfter.slice(0, 10),
    });
  }
  return done(info);
}

type Add = (code: Parameters<typeof finding>[0], args?: Parameters<typeof finding>[1]) => void;

function checkSubject(
  subject: Record<string, string>,
  notBefore: Date,
  info: MarkCertificateInfo,
  add: Add,
): void {
  for (const field of Object.keys(subject)) {
    if (!KNOWN_SUBJECT_FIELDS.has(field)) add('bimi-certificate-unknown-subject-field', { field });
  }
  const markType = subject.markType;
  if (markType === undefined) {
    add('bimi-certificate-mark-type-missing');
    return;
  }
  info.markType = markType;
  const rule = MARK_TYPES[markType as MarkType];
  if (!rule) {
    add('bimi-certificate-mark-type-invalid', { markType });
    return;
  }
  info.kind = rule.kind;
  for (const field of [...REQUIRED_SUBJECT_FIELDS, ...rule.required]) {
    if (subject[field] === undefined) add('bimi-certificate-subject-field-missing', { field, markType });
  }
  if (subject.localityName === undefined && subject.stateOrProvinceName === undefined) {
    add('bimi-certificate-locality-missing');
  }
  const implied: [string, string][] = [['jurisdictionLocalityName', 'jurisdictionStateOrProvinceName']];
  if (markType === 'Government Mark') implied.push(['statuteLocalityName', 'statuteStateOrProvinceName']);
  for (const [present, required] of implied) {
    if (subject[present] !== undefined && subject[required] === undefined) {
      add('bimi-certificate-jurisdiction-incomplete', { present, required });
    }
  }
  if (
    markType === 'Prior Use Mark' &&
    notBefore >= PRIOR_USE_SOURCE_CUTOFF &&
    !subject.priorUseMarkSourceURL
  ) {
    add('bimi-certificate-prior-use-source-missing', { issued: info.notBefore.slice(0, 10) });
  }
  const own = new Set([...rule.required, ...rule.optional]);
  for (const [otherType, other] of Object.entries(MARK_TYPES)) {
    if (otherType === markType) continue;
    for (const field of [...other.required, ...other.optional]) {
      if (!own.has(field) && subject[field] !== undefined) {
        own.add(field); // report each field once
        add('bimi-certificate-wrong-mark-field', { field, markType, usedBy: otherType });
      }
    }
  }
}

/** Walks issuers from the leaf to a trust anchor, checking signatures and CA validity. */
function checkChain(chain: Parsed[], input: MarkCertificateInput, info: MarkCertificateInfo, add: Add): void {
  const roots: Parsed[] = [];
  for (const der of input.roots) {
    try {
      roots.push(parse(der));
    } catch {
      // A broken anchor is the bundle's problem, not the domain's; it just never matches.
    }
  }
  const known: Parsed[] = [];
  for (const der of input.intermediates ?? []) {
    try {
      known.push(parse(der));
    } catch {
      // As above.
    }
  }
  const now = input.now.getTime();
  const issuedBy = (child: Parsed, parent: Parsed) => {
    try {
      return child.x509.checkIssued(parent.x509) && child.x509.verify(parent.x509.publicKey);
    } catch {
      return false;
    }
  };
  let current = chain[0]!;
  const used = new Set<Parsed>([current]);
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    const root = roots.find((r) => issuedBy(current, r));
    if (root) {
      const rootName = label(nameFields(root.asn.tbsCertificate.subject), root.x509);
      info.chain.push(rootName);
      info.trusted = true;
      return;
    }
    const fromPem = chain.find((c) => !used.has(c) && issuedBy(current, c));
    const fromBundle = fromPem ? undefined : known.find((c) => !used.has(c) && issuedBy(current, c));
    const parent = fromPem ?? fromBundle;
    const issuerName = label(nameFields(current.asn.tbsCertificate.issuer), current.x509);
    if (!parent) {
      const selfSigned = current.x509.checkIssued(current.x509);
      add('bimi-certificate-untrusted', {
        reason: selfSigned ? 'unknown-root' : 'no-issuer',
        issuer: issuerName,
      });
      return;
    }
    if (fromBundle) add('bimi-certificate-chain-incomplete', { issuer: issuerName });
    if (!parent.x509.ca) {
      add('bimi-certificate-untrusted', { reason: 'not-ca', issuer: issuerName });
      return;
    }
    const validity = parent.asn.tbsCertificate.validity;
    if (now < validity.notBefore.getTime().getTime() || now > validity.notAfter.getTime().getTime()) {
      add('bimi-certificate-untrusted', { reason: 'ca-expired', issuer: issuerName });
      return;
    }
    info.chain.push(label(nameFields(parent.asn.tbsCertificate.subject), parent.x509));
    used.add(parent);
    current = parent;
  }
  add('bimi-certificate-untrusted', { reason: 'too-deep', issuer: info.chain[info.chain.length - 1] });
}
