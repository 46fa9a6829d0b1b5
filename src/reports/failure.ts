import { isUtf8 } from 'node:buffer';
import { ReportError } from './errors.ts';
import { canonicalIp } from './ip.ts';
import { decodeWhole, legacyDecoding } from './legacy-text.ts';
import { attachmentBytes, type ParsedMail, parseMail } from './mail.ts';
import { readMailDate } from './mail-date.ts';
import { type Sniffed, sniff } from './sniff.ts';
import type { FailureReport, HeaderField, OriginalMessage } from './types.ts';
import { Warnings } from './warnings.ts';

/** Characters of the original message's body kept: enough for URLs and a look, not a mail archive. */
export const FAILURE_MAX_BODY_CHARS = 65_536;
/** URLs kept from one original message. */
export const FAILURE_MAX_URLS = 100;
/** The largest TCP port. */
const MAX_PORT = 65_535;
/** Characters kept from the human-readable part of a report. */
const DESCRIPTION_MAX_CHARS = 4_096;

const FAILURE_SUBJECT = /(failure|forensic|fraud)\s+report|authentication[\s-]+failure|\bruf\b/i;

/**
 * Whether a parsed mail is a failure report: a multipart/report of type feedback-report, any
 * message/feedback-report part, or (for reporters who send plain text) a failure-report subject
 * on a mail that carries no aggregate or TLS report file.
 */
export function isFailureReportMail(mail: ParsedMail, sniffedAttachments: Sniffed[]): boolean {
  if (mail.reportType === 'feedback-report') return true;
  if (mail.email.attachments.some((a) => a.mimeType === 'message/feedback-report')) return true;
  const carriesReportFile = sniffedAttachments.some((kind) => kind !== 'unknown' && kind !== 'mail');
  return FAILURE_SUBJECT.test(mail.summary.subject ?? '') && !carriesReportFile;
}

/**
 * Whether ARF feedback is a DMARC failure report: RFC 6591's `auth-failure`, or feedback of no
 * stated type (reporters writing prose, or leaving the field out), or an Auth-Failure field,
 * which only auth-failure reports carry, under another type. Feedback an ARF sends for other
 * reasons (RFC 5965's abuse, fraud, virus, other, not-spam: a user's complaint, a feedback loop)
 * says nothing of a domain's authentication: it is not a report Sumi keeps.
 */
export function isDmarcFailureFeedback(report: Pick<FailureReport, 'feedbackType' | 'authFailure'>): boolean {
  return (
    report.feedbackType === null || report.feedbackType === 'auth-failure' || report.authFailure !== null
  );
}

/**
 * Reads a DMARC failure report (RFC 5965 ARF with RFC 6591 / RFC 9991 fields), and the forms
 * reporters really send: base64 feedback parts, headers-only originals, whole originals, no
 * ARF part at all. Keeps what the report carries and lists in `missing` what it lacks.
 */
export async function parseFailureReport(
  input: Buffer | string,
  parsed?: ParsedMail,
): Promise<FailureReport> {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  if (bytes.length === 0) throw new ReportError('empty-input');
  // `parsed`: the same mail parsed already (unpack does, to find it is a report): not parsed twice.
  const mail = parsed ?? (await parseMail(bytes));
  const warnings = new Warnings();
  const parts = mail.email.attachments.map((attachment) => ({
    attachment,
    bytes: attachmentBytes(attachment),
  }));
  const arfPart = parts.find((p) => p.attachment.mimeType === 'message/feedback-report');
  if (
    !isFailureReportMail(
      mail,
      parts.map((p) => sniff(p.bytes)),
    )
  ) {
    throw new ReportError('failure-not-a-report');
  }

  let format: FailureReport['format'] = 'plain';
  let fields: HeaderField[] = [];
  if (arfPart) {
    let text = arfPart.bytes.toString('utf8');
    format =
      /content-type:\s*message\/feedback-report[\s\S]{0,300}?content-transfer-encoding:\s*base64/i.test(
        bytes.toString('latin1'),
      )
        ? 'arf-base64'
        : 'arf';
    // Some reporters base64-encode the fields a second time, inside the part.
    if (!/^[\w-]+:/m.test(text) && /^[A-Za-z0-9+/=\s]+$/.test(text)) {
      text = Buffer.from(text, 'base64').toString('utf8');
      format = 'arf-base64';
    }
    fields = headerFields(text);
  }

  const description = mail.email.text?.trim() ?? '';
  const original = await originalMessage(parts, description, bytes, warnings);
  if (!arfPart) fields = plainReportFields(description);

  const one = (name: string): string | null =>
    fields.find((f) => f.name.toLowerCase() === name)?.value ?? null;
  const all = (name: string): string[] =>
    fields.filter((f) => f.name.toLowerCase() === name).map((f) => f.value);

  const sourceIpText = one('source-ip');
  let sourceIp: string | null = null;
  if (sourceIpText !== null) {
    // Some reporters append the reverse DNS name: "192.0.2.1 (host.example)".
    sourceIp = canonicalIp(sourceIpText.replace(/\s*\(.*\)\s*$/, ''));
    if (sourceIp === null) warnings.add('invalid-source-ip', 'Source-IP', sourceIpText);
  }
  const arrivalField = one('arrival-date') === null ? 'Received-Date' : 'Arrival-Date';
  const arrivalDate = one('arrival-date') ?? one('received-date');
  const arrival = arrivalDate === null ? null : readMailDate(arrivalDate);
  if (arrivalDate !== null) {
    if (arrival === null) warnings.add('invalid-date', arrivalField, arrivalDate);
    else if (arrival.zone === 'none') warnings.add('date-without-zone', arrivalField, arrivalDate);
    else if (arrival.zone === 'unknown') warnings.add('date-unknown-zone', arrivalField, arrivalDate);
  }
  const incidentsText = one('incidents');
  let incidents = incidentsText !== null && /^\d+$/.test(incidentsText) ? Number(incidentsText) : null;
  // A count no number holds exactly is kept as unknown: the store would refuse the whole report.
  if (incidents !== null && !Number.isSafeInteger(incidents)) {
    warnings.add('count-too-large', 'Incidents', incidentsText ?? '');
    incidents = null;
  }
  const portText = one('source-port');
  let sourcePort = portText !== null && /^\d{1,5}$/.test(portText) ? Number(portText) : null;
  // Five digits go past TCP's ports: such a number is no port the message came from.
  if (sourcePort !== null && sourcePort > MAX_PORT) sourcePort = null;
  if (portText !== null && sourcePort === null) warnings.add('invalid-port', 'Source-Port', portText);

  const report: FailureReport = {
    format,
    mail: mail.summary,
    feedbackType: one('feedback-type')?.toLowerCase() ?? null,
    userAgent: one('user-agent'),
    version: one('version'),
    authFailure: one('auth-failure')?.toLowerCase() ?? null,
    identityAlignment: one('identity-alignment')?.toLowerCase() ?? null,
    deliveryResult: one('delivery-result')?.toLowerCase() ?? null,
    arrivalDate,
    arrivalTime: arrival?.seconds ?? null,
    sourceIp,
    sourcePort,
    // RFC 5965 writes the MTA name after its type ("dns; mx.example"); the type is always dns.
    reportingMta: one('reporting-mta')?.replace(/^\s*dns\s*;\s*/i, '') ?? null,
    originalEnvelopeId: one('original-envelope-id'),
    originalMailFrom: stripAngles(one('original-mail-from')),
    originalRcptTo: all('original-rcpt-to').map((v) => stripAngles(v) ?? v),
    reportedDomains: all('reported-domain'),
    reportedUris: all('reported-uri'),
    authenticationResults: all('authentication-results'),
    incidents,
    dkimDomain: one('dkim-domain'),
    dkimIdentity: one('dkim-identity'),
    dkimSelector: one('dkim-selector'),
    spfDns: one('spf-dns'),
    fields,
    original,
    description: description === '' ? null : description.slice(0, DESCRIPTION_MAX_CHARS),
    missing: [],
    warnings: [],
  };
  report.missing = missingParts(report, arfPart !== undefined);
  report.warnings = warnings.list();
  return report;
}

/** What RFC 6591 asks of a failure report (and RFC 9991 adds) that this one lacks. */
function missingParts(report: FailureReport, hasArfPart: boolean): string[] {
  const missing: string[] = [];
  if (!hasArfPart) missing.push('feedback-report-part');
  const fields: [string, unknown][] = [
    ['feedback-type', report.feedbackType],
    ['user-agent', report.userAgent],
    ['version', report.version],
    ['auth-failure', report.authFailure],
    ['identity-alignment', report.identityAlignment],
    ['source-ip', report.sourceIp],
    ['arrival-date', report.arrivalDate],
    ['original-mail-from', report.originalMailFrom],
  ];
  for (const [name, value] of fields) if (value === null) missing.push(name);
  if (report.reportedDomains.length === 0) missing.push('reported-domain');
  if (report.authenticationResults.length === 0) missing.push('authentication-results');
  if (!report.original) missing.push('original-headers');
  if (report.original?.body == null) missing.push('original-body');
  return missing;
}

async function originalMessage(
  parts: { attachment: { mimeType: string }; bytes: Buffer }[],
  description: string,
  mail: Buffer,
  warnings: Warnings,
): Promise<OriginalMessage | null> {
  const whole = parts.find((p) => p.attachment.mimeType === 'message/rfc822');
  const headersOnly = parts.find((p) => p.attachment.mimeType === 'text/rfc822-headers');
  if (whole) {
    const split = headerEnd(whole.bytes);
    const headerText = originalHeaderText(whole.bytes.subarray(0, split), [], warnings);
    const headers = headerFields(headerText);
    let body: string | null = null;
    let subject: string | null = null;
    try {
      const parsed = await parseMail(whole.bytes);
      body = parsed.email.text ?? parsed.email.html ?? null;
      subject = parsed.summary.subject;
    } catch {
      // An original too broken to parse as MIME still has its raw text after the headers.
      body = split === whole.bytes.length ? null : whole.bytes.toString('utf8', split).trim();
    }
    // Raw headers in a legacy charset: postal-mime read them as UTF-8.
    if (!isUtf8(whole.bytes.subarray(0, split))) subject = await decodedSubject(headerText);
    return describeOriginal('message', headers, body, subject);
  }
  if (headersOnly) {
    const partCharset = /content-type:\s*text\/rfc822-headers\s*;[^:]*?charset\s*=\s*"?([\w.:-]+)/i.exec(
      mail.toString('latin1'),
    )?.[1];
    const text = originalHeaderText(headersOnly.bytes, [partCharset ?? null], warnings);
    return describeOriginal('headers', headerFields(text), null, await decodedSubject(text));
  }
  const inline = inlineHeaders(description);
  return inline.length > 0 ? describeOriginal('inline', inline, null) : null;
}

/** Where a mail's header ends: at its first empty line, or its end. */
function headerEnd(bytes: Buffer): number {
  const match = /\r?\n\r?\n/.exec(bytes.toString('latin1'));
  return match === null ? bytes.length : match.index;
}

/** ISO-2022-JP's escapes into and out of JIS X 0208, in 7-bit text a Japanese mailer wrote raw. */
const ISO_2022_JP_ESCAPE = /\x1b(?:\$[@B]|\([BJ])/;

/**
 * An original message's header text as its writer meant it. Headers are ASCII (with RFC 2047
 * words) or UTF-8 (RFC 6532), but Japanese servers report the headers their users' mailers wrote
 * raw, in ISO-2022-JP, Shift_JIS or EUC-JP, which read as UTF-8 came out garbled. Read as UTF-8
 * when they are (ISO-2022-JP's escapes aside); else in a charset the report's part or the
 * headers' own Content-Type names, when the bytes are valid in it; else in Shift_JIS or EUC-JP
 * when one takes them whole into Japanese text; else as UTF-8 with U+FFFD, saying the charset is
 * unknown. The stored mail keeps the bytes as they came, whatever is read here.
 */
function originalHeaderText(bytes: Buffer, declared: (string | null)[], warnings: Warnings): string {
  if (isUtf8(bytes)) {
    const text = bytes.toString('utf8');
    const japanese = ISO_2022_JP_ESCAPE.test(text) ? decodeWhole('iso-2022-jp', bytes) : null;
    if (japanese === null) return text;
    warnings.add('original-header-charset', undefined, 'ISO-2022-JP');
    return japanese;
  }
  const contentType = headerFields(bytes.toString('latin1')).find((f) => /^content-type$/i.test(f.name));
  const own = /;\s*charset\s*=\s*"?([\w.:-]+)/i.exec(contentType?.value ?? '')?.[1] ?? null;
  const read = legacyDecoding(bytes, [...declared, own]);
  if (read !== null) {
    warnings.add('original-header-charset', undefined, read.encoding);
    return read.text;
  }
  warnings.add('original-header-charset-unknown');
  return bytes.toString('utf8');
}

/** The Subject of header text with its RFC 2047 encoded words decoded, or null. */
async function decodedSubject(headerText: string): Promise<string | null> {
  try {
    return (await parseMail(Buffer.from(`${headerText.trimEnd()}\r\n\r\n`))).summary.subject;
  } catch {
    return null;
  }
}

function describeOriginal(
  form: OriginalMessage['form'],
  headers: HeaderField[],
  body: string | null,
  /** The Subject decoded (RFC 2047), when the headers could be parsed as a mail; else as it is. */
  decoded: string | null = null,
): OriginalMessage {
  const one = (name: string): string | null =>
    headers.find((h) => h.name.toLowerCase() === name)?.value ?? null;
  const from = one('from');
  const to = one('to');
  const keptBody = body === null ? null : body.slice(0, FAILURE_MAX_BODY_CHARS);
  return {
    form,
    headers,
    from,
    to,
    subject: decoded ?? one('subject'),
    date: one('date'),
    messageId: one('message-id'),
    redacted: [from, to].some((value) => value !== null && looksRedacted(value)),
    body: keptBody,
    urls: keptBody === null ? [] : urlsIn(keptBody),
  };
}

/** RFC 6590 leaves the redaction form open; these are the forms reporters use. */
function looksRedacted(address: string): boolean {
  const local = /([^\s<@]+)@/.exec(address)?.[1];
  if (local === undefined) return /redacted/i.test(address);
  return /^(x{3,}|\*{3,}|#{3,}|_{3,}|\[?redacted\]?|anonymi[sz]ed|[0-9a-f]{32,})$/i.test(local);
}

function urlsIn(text: string): string[] {
  const urls = new Set<string>();
  for (const match of text.matchAll(/https?:\/\/[^\s<>"'()]+/gi)) {
    urls.add(match[0].replace(/[.,;:!?]+$/, ''));
    if (urls.size >= FAILURE_MAX_URLS) break;
  }
  return [...urls];
}

/** Header fields of an RFC 5322 header block (or ARF part), unfolded, in order. */
function headerFields(text: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (fields.length > 0) break;
      continue;
    }
    const last = fields.at(-1);
    if (/^[ \t]/.test(line) && last) {
      last.value = `${last.value} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[!-9;-~]+$/.test(line.slice(0, colon))) continue;
    fields.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
  }
  return fields;
}

/** Reporters without ARF write "Source IP: ..." or "Sender IP Address: ..." in prose. */
function plainReportFields(text: string): HeaderField[] {
  const fields: HeaderField[] = [];
  const ip = /(?:source|sender|sending)[\s-]+ip(?:\s+address)?\s*[:=]\s*\[?([0-9a-fA-F:.]+)\]?/i.exec(text);
  if (ip?.[1]) fields.push({ name: 'Source-IP', value: ip[1] });
  const domain = /(?:reported|policy|header[\s-]+from)[\s-]+domain\s*[:=]\s*([\w.-]+)/i.exec(text);
  if (domain?.[1]) fields.push({ name: 'Reported-Domain', value: domain[1] });
  return fields;
}

/** The longest run of header-looking lines pasted into a plain-text report that includes From:. */
function inlineHeaders(text: string): HeaderField[] {
  const lines = text.split(/\r?\n/);
  let best: HeaderField[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^[\w-]+:\s/.test(lines[i] ?? '')) continue;
    let j = i;
    while (j < lines.length && /^([\w-]+:\s|[ \t]+\S)/.test(lines[j] ?? '')) j++;
    const run = headerFields(lines.slice(i, j).join('\n'));
    if (run.length > best.length && run.some((f) => /^(from|received)$/i.test(f.name))) best = run;
    i = j;
  }
  return best.length >= 2 ? best : [];
}

function stripAngles(value: string | null): string | null {
  if (value === null) return null;
  const inner = /^<(.*)>$/.exec(value.trim());
  return inner ? (inner[1] ?? '') : value.trim();
}
