/**
 * The typed model of the reports Sumi reads, as the store persists it. Field names follow the
 * report formats' own words (RFC 7489 / RFC 9990 aggregate XML, RFC 5965 / 6591 / 9991 ARF,
 * RFC 8460 JSON) in camelCase. `null` always means "the report did not say".
 */
import type { Readable } from 'node:stream';
import type { WarningCode } from './warnings.ts';

/** Something the parser normalised or noticed; the same code and field are counted, not repeated. */
export interface ReportWarning {
  code: WarningCode;
  /** The element or JSON field concerned, as a path like `record/row/source_ip`. */
  field?: string;
  /** How many times it happened in this report. */
  count: number;
  /** The first offending value, shortened. */
  example?: string;
}

// ---------------------------------------------------------------- aggregate reports

/** Disposition applied (RFC 9990 adds `pass`: policy not applied because DMARC passed). */
export type Disposition = 'none' | 'quarantine' | 'reject' | 'pass';
export type RequestedPolicy = 'none' | 'quarantine' | 'reject';
export type Alignment = 'r' | 's';
export type DmarcResult = 'pass' | 'fail';
export type DkimResult = 'none' | 'pass' | 'fail' | 'policy' | 'neutral' | 'temperror' | 'permerror';
export type SpfResult = 'none' | 'neutral' | 'pass' | 'fail' | 'softfail' | 'temperror' | 'permerror';
export type SpfScope = 'mfrom' | 'helo';

export interface Reporter {
  orgName: string;
  email: string | null;
  extraContactInfo: string | null;
}

/** The reporting window, in whole seconds since the epoch (UTC) and as ISO 8601. */
export interface ReportWindow {
  begin: number;
  end: number;
  beginIso: string;
  endIso: string;
}

export interface ReportMetadata {
  /** The report ID without surrounding `<>` (Message-ID style IDs are common). */
  reportId: string;
  /** The report ID exactly as sent. */
  reportIdRaw: string;
  window: ReportWindow;
  generator: string | null;
  /** `<error>` elements: problems the reporter had while producing the report. */
  errors: string[];
}

export interface PolicyPublished {
  domain: string;
  adkim: Alignment | null;
  aspf: Alignment | null;
  p: RequestedPolicy | null;
  sp: RequestedPolicy | null;
  np: RequestedPolicy | null;
  pct: number | null;
  fo: string | null;
  /** RFC 9990 `t=y` (test mode). */
  testing: boolean | null;
  /** RFC 9990: how the policy was found, `psl` or `treewalk` (kept as sent, lower-cased). */
  discoveryMethod: string | null;
  /** RFC 9989 `psd=` tag: `y`, `n` or `u`. */
  psd: 'y' | 'n' | 'u' | null;
}

/** Why the receiver did not apply the published policy (`forwarded`, `local_policy`...). */
export interface PolicyOverrideReason {
  /** Lower-cased as sent; legacy types (`forwarded`, `sampled_out`) are kept. */
  type: string | null;
  comment: string | null;
}

export interface PolicyEvaluated {
  disposition: Disposition | null;
  dkim: DmarcResult | null;
  spf: DmarcResult | null;
  reasons: PolicyOverrideReason[];
}

export interface DkimAuthResult {
  domain: string | null;
  selector: string | null;
  result: DkimResult | null;
  humanResult: string | null;
}

export interface SpfAuthResult {
  domain: string | null;
  scope: SpfScope | null;
  result: SpfResult | null;
  humanResult: string | null;
}

/** An element the formats leave open (RFC 9990 `<extension>`, record-level `xs:any`), kept as a small tree. */
export interface ExtensionNode {
  /** Element name as written, prefix included. */
  name: string;
  attributes: Record<string, string>;
  text: string | null;
  children: ExtensionNode[];
}

export interface AggregateRecord {
  /** Canonical text form (IPv4 dotted quad; IPv6 per RFC 5952), or null when missing or invalid. */
  sourceIp: string | null;
  count: number;
  policyEvaluated: PolicyEvaluated;
  headerFrom: string | null;
  envelopeFrom: string | null;
  envelopeTo: string | null;
  authResults: { dkim: DkimAuthResult[]; spf: SpfAuthResult[] };
  extensions: ExtensionNode[];
}

/** Everything about an aggregate report but its records: delivered before the first record. */
export interface AggregateReportHeader {
  /** `<version>` as sent (`1.0`, `0.1`, `2.0`...), null when absent (most reports). */
  version: string | null;
  /** Namespace of the root element, null when none. */
  namespace: string | null;
  reporter: Reporter;
  metadata: ReportMetadata;
  policyPublished: PolicyPublished;
}

/** The report once every record was read. */
export interface AggregateReport extends AggregateReportHeader {
  recordCount: number;
  /** Sum of the records' counts: the number of messages the report covers. */
  messageCount: number;
  extensions: ExtensionNode[];
  warnings: ReportWarning[];
}

export interface AggregateReportWithRecords extends AggregateReport {
  records: AggregateRecord[];
}

// ---------------------------------------------------------------- failure reports

/** One header field of the original message, in order, value unfolded. */
export interface HeaderField {
  name: string;
  value: string;
}

export interface OriginalMessage {
  /** `message/rfc822` (whole message), `text/rfc822-headers` (headers only) or `inline` (pasted in the text). */
  form: 'message' | 'headers' | 'inline';
  headers: HeaderField[];
  from: string | null;
  to: string | null;
  subject: string | null;
  date: string | null;
  messageId: string | null;
  /** True when addresses look redacted (RFC 6590 style: `xxxx@`, `redacted@`, hashes). */
  redacted: boolean;
  /** Body text when the whole message was included, truncated to FAILURE_MAX_BODY_CHARS. */
  body: string | null;
  /** http(s) URLs found in the body, de-duplicated, at most FAILURE_MAX_URLS. */
  urls: string[];
}

export interface FailureReport {
  /** `arf`: a message/feedback-report part; `arf-base64`: the same, base64 encoded; `plain`: no ARF part. */
  format: 'arf' | 'arf-base64' | 'plain';
  /** The report mail itself. */
  mail: { from: string | null; subject: string | null; date: string | null; messageId: string | null };
  feedbackType: string | null;
  userAgent: string | null;
  version: string | null;
  /** RFC 6591: dmarc, dkim, spf, adsp, bodyhash, revoked, signature. */
  authFailure: string | null;
  /** RFC 9991: which identifiers aligned (`none`, `dkim`, `spf`, `dkim, spf`...). */
  identityAlignment: string | null;
  deliveryResult: string | null;
  arrivalDate: string | null;
  /** Arrival date in seconds since the epoch, when it parses. */
  arrivalTime: number | null;
  sourceIp: string | null;
  sourcePort: number | null;
  reportingMta: string | null;
  originalEnvelopeId: string | null;
  originalMailFrom: string | null;
  originalRcptTo: string[];
  reportedDomains: string[];
  reportedUris: string[];
  authenticationResults: string[];
  incidents: number | null;
  dkimDomain: string | null;
  dkimIdentity: string | null;
  dkimSelector: string | null;
  spfDns: string | null;
  /** Every field of the feedback-report part, in order, for what the typed fields leave out. */
  fields: HeaderField[];
  original: OriginalMessage | null;
  /** Human-readable part of the report (first text part), truncated. */
  description: string | null;
  /** What a complete RFC 6591 report would carry and this one does not. */
  missing: string[];
  warnings: ReportWarning[];
}

// ---------------------------------------------------------------- SMTP TLS reports

export type TlsPolicyType = 'sts' | 'tlsa' | 'no-policy-found';

export interface TlsFailureDetail {
  resultType: string;
  sendingMtaIp: string | null;
  receivingMxHostname: string | null;
  receivingMxHelo: string | null;
  receivingIp: string | null;
  failedSessionCount: number;
  additionalInformation: string | null;
  failureReasonCode: string | null;
}

export interface TlsPolicyResult {
  /** As sent; anything but the three RFC 8460 types is kept with a warning. */
  policyType: string;
  policyString: string[];
  policyDomain: string | null;
  mxHost: string[];
  totalSuccessfulSessionCount: number;
  totalFailureSessionCount: number;
  failureDetails: TlsFailureDetail[];
}

export interface TlsReport {
  organizationName: string;
  contactInfo: string | null;
  reportId: string;
  window: ReportWindow;
  policies: TlsPolicyResult[];
  warnings: ReportWarning[];
}

// ---------------------------------------------------------------- unpacking

/** What a payload looks like, from its bytes (never from a declared content type). */
export type PayloadKind = 'aggregate' | 'failure' | 'tls' | 'unknown';

export interface Payload {
  kind: PayloadKind;
  /** Human-readable path to it, e.g. `mail.eml > attachment 2 report.zip > entry a.xml`. */
  provenance: string;
  /** Best file name known for it (attachment or entry name), or the input name. */
  name: string;
  /**
   * The payload's bytes, decompressed; for a streamed payload (`stream` set), the raw bytes it
   * is read from, as they came (`stream.encoding` says how): these are what the store keeps.
   */
  bytes: Buffer;
  /** sha256 of `bytes`, hex. */
  sha256: string;
  /**
   * The gzip `bytes` came in, when it was one member with nothing after it: `bytes` exactly,
   * compressed, so the store can keep it as it is instead of compressing `bytes` again.
   */
  gzipped?: Buffer;
  /** Headers of the mail that carried it, when it came in one. */
  mail: { from: string | null; subject: string | null; date: string | null; messageId: string | null } | null;
  /** A failure report (`kind` 'failure'), parsed from the mail unpack parsed to find it. */
  failure?: FailureReport;
  /** For a streamed payload, this includes what its stream noticed only once read to the end. */
  warnings: ReportWarning[];
  /**
   * Set (only when `unpack` was asked to stream) on an aggregate report too large to hold
   * decompressed: read its content from `open()` rather than from `bytes`.
   */
  stream?: PayloadStream;
}

/** The content of a large payload, read as a stream so it is never whole in memory. */
export interface PayloadStream {
  /** `gzip`: `bytes` are the gzip file as it came; `identity`: `bytes` are the content itself. */
  encoding: 'gzip' | 'identity';
  /**
   * Reads the content from its start, decompressed, in chunks of at most 64 KiB, only as fast
   * as they are consumed. The decompression caps (size, ratio) are enforced as it is read: the
   * stream fails with a ReportError (`decompressed-too-large`, `decompression-ratio-exceeded`,
   * `gzip-corrupt`, `gzip-truncated`) after the chunks before it. Each call reads anew.
   */
  open(): Readable;
}
