/**
 * SMTP TLS reports (RFC 8460) for bank.example.co.jp, the demo domain that publishes TLS-RPT:
 * Google's daily (gzip, in a mail) and Microsoft's for the last days, when the backup MX's
 * certificate had expired for two days.
 */
import { gzipSync } from 'node:zlib';
import type { DemoInput } from './generate.ts';
import { reportMail } from './mail.ts';
import type { Random } from './random.ts';

const DOMAIN = 'bank.example.co.jp';
const TLS_RPT = 'tlsrpt@bank.example.co.jp';
/** Days of Google reports, and of Microsoft's (the most recent ones). */
const GOOGLE_DAYS = 10;
const MICROSOFT_DAYS = 4;
/** Days ago the backup MX served an expired certificate. */
const EXPIRED_DAYS = new Set([2, 3]);

export function tlsReports(today: number, days: number, random: Random): DemoInput[] {
  const inputs: DemoInput[] = [];
  for (let ago = Math.min(GOOGLE_DAYS, days); ago >= 1; ago--) {
    const begin = today - ago * 86_400;
    const date = new Date(begin * 1000).toISOString().slice(0, 10);
    const receivedAt = Math.min(begin + 86_400 + random.int(3_600, 7_200), today);
    const json = tlsJson({
      organization: 'Google Inc.',
      contact: 'smtp-tls-reporting@google.com',
      reportId: `${date}T00:00:00Z_${DOMAIN}`,
      begin,
      end: begin + 86_399,
      successful: random.jitter(1_800, 0.2),
      expired: EXPIRED_DAYS.has(ago) ? random.int(20, 60) : 0,
      sendingIp: '2001:db8:4860:4000::1a',
    });
    const name = `google.com!${DOMAIN}!${begin}!${begin + 86_399}.json.gz`;
    const mailName = `${date}-tlsrpt-google.eml`;
    inputs.push({
      kind: 'tls',
      name: mailName,
      source: `demo/google.com/${DOMAIN}/${date}/${mailName}`,
      receivedAt,
      bytes: reportMail(
        {
          from: 'noreply-smtp-tls-reporting@google.com',
          to: TLS_RPT,
          subject: `Report Domain: ${DOMAIN} Submitter: google.com Report-ID: <${date}T00:00:00Z_${DOMAIN}>`,
          date: receivedAt,
          messageId: `${random.hex(16)}@google.com`,
        },
        `This is an SMTP TLS report from google.com for ${DOMAIN}.`,
        { name, contentType: 'application/tlsrpt+gzip', bytes: gzipSync(json) },
        `=_tls_${random.hex(20)}`,
      ),
    });
  }
  for (let ago = Math.min(MICROSOFT_DAYS, days); ago >= 1; ago--) {
    const begin = today - ago * 86_400;
    const date = new Date(begin * 1000).toISOString().slice(0, 10);
    const name = `microsoft.com!${DOMAIN}!${begin}!${begin + 86_400}.json`;
    inputs.push({
      kind: 'tls',
      name,
      source: `demo/microsoft.com/${DOMAIN}/${date}/${name}`,
      receivedAt: Math.min(begin + 86_400 + random.int(20_000, 40_000), today),
      bytes: tlsJson({
        organization: 'Microsoft Corporation',
        contact: 'tlsrpt-noreply@microsoft.com',
        reportId: random.hex(32),
        begin,
        end: begin + 86_400,
        successful: random.jitter(900, 0.2),
        expired: EXPIRED_DAYS.has(ago) ? random.int(10, 30) : 0,
        sendingIp: '198.51.100.40',
      }),
    });
  }
  return inputs;
}

interface TlsDay {
  organization: string;
  contact: string;
  reportId: string;
  begin: number;
  end: number;
  successful: number;
  /** Sessions that met mx2's expired certificate. */
  expired: number;
  sendingIp: string;
}

function tlsJson(day: TlsDay): Buffer {
  const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  const failureDetails =
    day.expired === 0
      ? []
      : [
          {
            'result-type': 'certificate-expired',
            'sending-mta-ip': day.sendingIp,
            'receiving-mx-hostname': `mx2.${DOMAIN}`,
            'receiving-ip': '192.0.2.202',
            'failed-session-count': day.expired,
          },
        ];
  return Buffer.from(
    JSON.stringify({
      'organization-name': day.organization,
      'date-range': { 'start-datetime': iso(day.begin), 'end-datetime': iso(day.end) },
      'contact-info': day.contact,
      'report-id': day.reportId,
      policies: [
        {
          policy: { 'policy-type': 'no-policy-found', 'policy-domain': DOMAIN },
          summary: {
            'total-successful-session-count': day.successful,
            'total-failure-session-count': day.expired,
          },
          ...(failureDetails.length > 0 ? { 'failure-details': failureDetails } : {}),
        },
      ],
    }),
  );
}
