/**
 * The mails reports arrive in: a report file attached to a mail (RFC 7489 section 7.2.1.1), and
 * ARF failure reports (RFC 5965 with the RFC 6591 fields), built as plain MIME text.
 */

export interface Attachment {
  name: string;
  contentType: string;
  bytes: Buffer;
}

export interface MailHeader {
  from: string;
  to: string;
  subject: string;
  /** Seconds since the epoch. */
  date: number;
  messageId: string;
}

/** A report mail: a short text part and the report file, base64. */
export function reportMail(
  header: MailHeader,
  text: string,
  attachment: Attachment,
  boundary: string,
): Buffer {
  return Buffer.from(
    [
      ...headerLines(header),
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=UTF-8',
      '',
      text,
      `--${boundary}`,
      `Content-Type: ${attachment.contentType}; name="${attachment.name}"`,
      `Content-Disposition: attachment; filename="${attachment.name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(attachment.bytes),
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

export interface FailureReportParts {
  header: MailHeader;
  /** The human-readable first part. */
  text: string;
  /** The message/feedback-report fields, in order. */
  fields: readonly [string, string][];
  /** Some reporters send the feedback-report part base64-encoded. */
  fieldsBase64?: boolean;
  /** The original: whole (`message/rfc822`) or headers only (`text/rfc822-headers`). */
  original: { form: 'message' | 'headers'; text: string };
  boundary: string;
}

/** An ARF failure report: multipart/report; report-type=feedback-report. */
export function failureReportMail(parts: FailureReportParts): Buffer {
  const { boundary } = parts;
  const originalType = parts.original.form === 'message' ? 'message/rfc822' : 'text/rfc822-headers';
  return Buffer.from(
    [
      ...headerLines(parts.header),
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=feedback-report; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      parts.text,
      '',
      `--${boundary}`,
      'Content-Type: message/feedback-report',
      ...feedbackPart(parts),
      '',
      `--${boundary}`,
      `Content-Type: ${originalType}`,
      '',
      parts.original.text,
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

function feedbackPart(parts: FailureReportParts): string[] {
  const lines = parts.fields.map(([name, value]) => `${name}: ${value}`);
  if (!parts.fieldsBase64) return ['', ...lines];
  return ['Content-Transfer-Encoding: base64', '', base64Lines(Buffer.from(`${lines.join('\r\n')}\r\n`))];
}

function headerLines(header: MailHeader): string[] {
  return [
    `From: ${header.from}`,
    `To: ${header.to}`,
    `Subject: ${encodeWord(header.subject)}`,
    `Date: ${mailDate(header.date)}`,
    `Message-ID: <${header.messageId}>`,
  ];
}

/** RFC 5322 date in UTC: `Sat, 28 Nov 2026 20:33:09 +0000`. */
export function mailDate(seconds: number): string {
  return new Date(seconds * 1000).toUTCString().replace(/GMT$/, '+0000');
}

/** A header value with non-ASCII text as an RFC 2047 encoded word. */
export function encodeWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`;
}

export function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}
