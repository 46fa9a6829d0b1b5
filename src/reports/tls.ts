import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { format } from '../i18n/catalog.ts';
import { jsonFaultText, type TlsProblem, tlsProblemText } from '../i18n/reports.ts';
import { DecompressionBudget } from './budget.ts';
import { faultOf, ReportError } from './errors.ts';
import { gunzip } from './gzip.ts';
import { canonicalIp } from './ip.ts';
import { utf16Of } from './sniff.ts';
import type { TlsFailureDetail, TlsPolicyResult, TlsReport } from './types.ts';
import { UNPACK_LIMITS } from './unpack.ts';
import { Warnings } from './warnings.ts';

/** Policies in one TLS report, and failure details in one policy: real reports have a handful. */
export const TLS_MAX_POLICIES = 10_000;
export const TLS_MAX_FAILURE_DETAILS = 10_000;
/** Bytes of TLS report JSON: they are small; JSON.parse holds it all at once. */
export const TLS_MAX_JSON_BYTES = 64 * 1024 * 1024;

const POLICY_TYPES = new Set(['sts', 'tlsa', 'no-policy-found']);
const RESULT_TYPES = new Set([
  'starttls-not-supported',
  'certificate-host-mismatch',
  'certificate-expired',
  'certificate-not-trusted',
  'validation-failure',
  'tlsa-invalid',
  'dnssec-invalid',
  'dane-required',
  'sts-policy-fetch-error',
  'sts-policy-invalid',
  'sts-webpki-invalid',
]);

type Json = Record<string, unknown>;

/**
 * Reads an SMTP TLS report (RFC 8460 JSON, plain or gzip). Identifying fields (organization,
 * report ID, date range, policies) must be there and well-typed or the report is rejected;
 * values RFC 8460 does not define are kept with a warning; numbers sent as strings are read.
 */
export async function parseTlsReport(input: Buffer | string): Promise<TlsReport> {
  const warnings = new Warnings();
  let bytes = typeof input === 'string' ? Buffer.from(input) : input;
  if (bytes.length === 0) throw new ReportError('empty-input');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b)
    bytes = await gunzip(bytes, new DecompressionBudget(UNPACK_LIMITS), warnings);
  if (bytes.length > TLS_MAX_JSON_BYTES) {
    throw new ReportError('input-too-large', { size: bytes.length, limit: TLS_MAX_JSON_BYTES });
  }
  let json: unknown;
  try {
    json = JSON.parse(jsonText(bytes, warnings));
  } catch (err) {
    const message = (err as Error).message;
    throw new ReportError('tls-not-json', { detail: message, ...jsonFault(message) }, { cause: err });
  }
  const root = object(json, '(report)');
  const start = dateTime(root, 'date-range', 'start-datetime', warnings);
  const end = dateTime(root, 'date-range', 'end-datetime', warnings);
  const policies = array(root.policies, 'policies', TLS_MAX_POLICIES).map((p, i) =>
    policyResult(object(p, `policies[${i}]`), `policies[${i}]`, warnings),
  );
  return {
    organizationName: requiredString(root, 'organization-name', 'organization-name'),
    contactInfo: optionalString(root['contact-info'], 'contact-info'),
    reportId: requiredString(root, 'report-id', 'report-id'),
    window: { begin: start, end, beginIso: iso(start), endIso: iso(end) },
    policies,
    warnings: warnings.list(),
  };
}

/**
 * The report's JSON as text. RFC 8259 asks for UTF-8, but a report saved by Windows software
 * comes in UTF-16: known by its BOM, or by the zero byte beside its first character (`{`), as
 * RFC 4627 told JSON readers to find it. Read so rather than refused as not JSON.
 */
function jsonText(bytes: Buffer, warnings: Warnings): string {
  const utf16 = utf16Of(bytes);
  if (utf16 !== null) {
    warnings.add('json-encoding', undefined, utf16.toUpperCase());
    // TextDecoder drops the BOM.
    return new TextDecoder(utf16).decode(bytes);
  }
  if (!isUtf8(bytes)) warnings.add('invalid-bytes-replaced');
  return bytes.toString('utf8').replace(/^\ufeff/, '');
}

/**
 * The fault of jsonFaultText a message from JSON.parse names, with its values. Node 22 and later
 * end it with "(line L column C)", which the position says already.
 */
export function jsonFault(message: string) {
  return faultOf(jsonFaultText, message.replace(/ \(line \d+ column \d+\)$/, ''));
}

function policyResult(item: Json, path: string, warnings: Warnings): TlsPolicyResult {
  const policy = object(item.policy, `${path}.policy`);
  const summary = item.summary === undefined ? {} : object(item.summary, `${path}.summary`);
  const policyType = requiredString(policy, 'policy-type', `${path}.policy.policy-type`);
  const type = policyType.toLowerCase();
  if (!POLICY_TYPES.has(type)) warnings.add('tls-unknown-value', 'policy-type', policyType);
  const details =
    item['failure-details'] === undefined
      ? []
      : array(item['failure-details'], `${path}.failure-details`, TLS_MAX_FAILURE_DETAILS);
  return {
    policyType: POLICY_TYPES.has(type) ? type : policyType,
    policyString: strings(policy['policy-string'], `${path}.policy.policy-string`, warnings),
    policyDomain: optionalString(policy['policy-domain'], `${path}.policy.policy-domain`),
    mxHost: strings(policy['mx-host'], `${path}.policy.mx-host`, warnings),
    totalSuccessfulSessionCount: count(
      summary['total-successful-session-count'],
      'total-successful-session-count',
      warnings,
    ),
    totalFailureSessionCount: count(
      summary['total-failure-session-count'],
      'total-failure-session-count',
      warnings,
    ),
    failureDetails: details.map((d, i) =>
      failureDetail(object(d, `${path}.failure-details[${i}]`), `${path}.failure-details[${i}]`, warnings),
    ),
  };
}

function failureDetail(item: Json, path: string, warnings: Warnings): TlsFailureDetail {
  const resultType = requiredString(item, 'result-type', `${path}.result-type`);
  if (!RESULT_TYPES.has(resultType)) warnings.add('tls-unknown-value', 'result-type', resultType);
  return {
    resultType,
    sendingMtaIp: ip(item['sending-mta-ip'], `${path}.sending-mta-ip`, warnings),
    receivingMxHostname: optionalString(item['receiving-mx-hostname'], `${path}.receiving-mx-hostname`),
    receivingMxHelo: optionalString(item['receiving-mx-helo'], `${path}.receiving-mx-helo`),
    receivingIp: ip(item['receiving-ip'], `${path}.receiving-ip`, warnings),
    failedSessionCount: count(item['failed-session-count'], 'failed-session-count', warnings),
    additionalInformation: optionalString(item['additional-information'], `${path}.additional-information`),
    failureReasonCode: optionalString(item['failure-reason-code'], `${path}.failure-reason-code`),
  };
}

/** A field's fault and its values (the words in every language), with the English words as `problem`. */
function invalid(
  field: string,
  fault: TlsProblem,
  values: Record<string, string | number> = {},
): ReportError {
  return new ReportError('tls-invalid-report', {
    field,
    problem: format(tlsProblemText[fault].en, values),
    fault,
    ...values,
  });
}

function object(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'not-object');
  return value as Json;
}

function array(value: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw invalid(field, 'not-list');
  if (value.length > max) throw invalid(field, 'too-many', { max });
  return value;
}

function requiredString(item: Json, key: string, field: string): string {
  const value = item[key];
  if (typeof value !== 'string' || value.trim() === '') throw invalid(field, 'missing-text');
  return value;
}

function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(field, 'not-text');
  return value;
}

/** A list of strings; a lone string (a common slip) becomes a one-item list, with a warning. */
function strings(value: unknown, field: string, warnings: Warnings): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    warnings.add('tls-type-coerced', field, value);
    return [value];
  }
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw invalid(field, 'not-text-list');
  return value as string[];
}

/** Session counts: absent is 0 (RFC 8460 reporters omit zero failures); must be whole and >= 0. */
function count(value: unknown, field: string, warnings: Warnings): number {
  if (value === undefined || value === null) return 0;
  let number = value;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) {
    warnings.add('tls-type-coerced', field, value);
    number = Number(value);
  }
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
    throw invalid(field, 'not-session-count', { value: String(value).slice(0, 40) });
  }
  return number;
}

/** IPs are canonicalised; text that is not an IP is kept as sent, with a warning. */
function ip(value: unknown, field: string, warnings: Warnings): string | null {
  const text = optionalString(value, field);
  if (text === null) return null;
  const canonical = canonicalIp(text);
  if (canonical === null) warnings.add('invalid-value', field, text);
  return canonical ?? text;
}

/**
 * A date-range time. RFC 3339 (RFC 8460 s4.4) requires an offset; Microsoft's reports give none
 * (2023-01-10T00:00:00), meaning UTC: such a time is read as UTC with a warning (Date.parse would
 * read it in the process's local time).
 */
function dateTime(root: Json, group: string, key: string, warnings: Warnings): number {
  const range = object(root[group], group);
  const field = `${group}.${key}`;
  const value = requiredString(range, key, field);
  let ms = Number.NaN;
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/.test(value)) {
    const zoned = /(?:[Zz]|[+-]\d{2}:?\d{2})$/.test(value);
    ms = Date.parse(zoned ? value : `${value}Z`);
    if (!zoned && !Number.isNaN(ms)) warnings.add('date-without-zone', field, value);
  }
  if (Number.isNaN(ms)) throw invalid(field, 'not-date-time', { value: value.slice(0, 40) });
  return Math.floor(ms / 1000);
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
