/** Report fixtures built in code: aggregate XML, gzip/zip files, report mails, mbox files. */
import { gzipSync } from 'node:zlib';

export interface AggregateFixture {
  org?: string;
  reportId: string;
  domain?: string;
  records?: number;
  begin?: number;
}

export function aggregateXml(f: AggregateFixture): string {
  const begin = f.begin ?? 1_700_000_000;
  const rows: string[] = [];
  for (let i = 0; i < (f.records ?? 2); i++) {
    rows.push(`<record><row><source_ip>192.0.2.${(i % 250) + 1}</source_ip><count>${i + 1}</count>
<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
<identifiers><header_from>${f.domain ?? 'example.jp'}</header_from></identifiers>
<auth_results><dkim><domain>${f.domain ?? 'example.jp'}</domain><selector>s1</selector><result>pass</result></dkim>
<spf><domain>mail.example.net</domain><result>fail</result></spf></auth_results></record>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<feedback>
<report_metadata><org_name>${f.org ?? 'receiver.example'}</org_name><email>noreply@receiver.example</email>
<report_id>${f.reportId}</report_id><date_range><begin>${begin}</begin><end>${begin + 86399}</end></date_range></report_metadata>
<policy_published><domain>${f.domain ?? 'example.jp'}</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><pct>100</pct></policy_published>
${rows.join('\n')}
</feedback>
`;
}

export function aggregateGz(f: AggregateFixture): Buffer {
  return gzipSync(aggregateXml(f));
}

/** Sum of counts for `records` rows as built above. */
export function messagesFor(records: number): number {
  return (records * (records + 1)) / 2;
}

/** A report mail with the aggregate report gzipped as an attachment. */
export function reportMail(f: AggregateFixture, options: { from?: string; to?: string } = {}): string {
  const body = aggregateGz(f)
    .toString('base64')
    .replace(/(.{76})/g, '$1\r\n');
  const name = `${f.org ?? 'receiver.example'}!${f.domain ?? 'example.jp'}!${f.reportId}.xml.gz`;
  return [
    `From: ${options.from ?? 'noreply@receiver.example'}`,
    `To: ${options.to ?? 'dmarc@example.jp'}`,
    `Subject: Report Domain: ${f.domain ?? 'example.jp'} Submitter: ${f.org ?? 'receiver.example'} Report-ID: ${f.reportId}`,
    'Date: Tue, 14 Nov 2023 22:13:20 +0000',
    `Message-ID: <${f.reportId}@receiver.example>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'This is an aggregate report.',
    '--b1',
    `Content-Type: application/gzip; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    body,
    '--b1--',
    '',
  ].join('\r\n');
}

/** A mail that holds no report at all. */
export function plainMail(subject = 'hello'): string {
  return [
    'From: someone@example.net',
    'To: dmarc@example.jp',
    `Subject: ${subject}`,
    'Date: Tue, 14 Nov 2023 22:13:20 +0000',
    'Message-ID: <plain@example.net>',
    'Content-Type: text/plain',
    '',
    'Not a report.',
    '',
  ].join('\r\n');
}

/** An mboxrd file of these mails (LF line ends), escaping body lines that start with From. */
export function mbox(mails: string[]): string {
  return mails
    .map((mail) => {
      const lines = mail.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
      const escaped = lines.map((line) => (/^>*From /.test(line) ? `>${line}` : line));
      return `From MAILER-DAEMON Tue Nov 14 22:13:20 2023\n${escaped.join('\n')}\n\n`;
    })
    .join('');
}
