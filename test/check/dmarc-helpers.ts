import { checkDmarc } from '../../src/check/dmarc.ts';
import type { CheckOptions } from '../../src/check/types.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import type { Fetcher } from '../../src/http/types.ts';

/** DMARC never fetches over HTTP; a fetcher that fails loudly proves it. */
export const noFetch: Fetcher = {
  fetch: async (url) => {
    throw new Error(`unexpected fetch of ${url}`);
  },
};

/** A zone with a healthy example.jp: a check of it yields no finding at all. */
export const HEALTHY = `
$ORIGIN example.jp.
@       TXT "v=spf1 -all"
@       MX  10 mx.example.jp.
mx      A   192.0.2.25
_dmarc  TXT "v=DMARC1; p=reject; np=reject; rua=mailto:dmarc@example.jp"
`;

/** HEALTHY with the DMARC record replaced. */
export function withRecord(...records: string[]): string {
  const lines = HEALTHY.split('\n').filter((l) => !l.startsWith('_dmarc'));
  return [...lines, ...records.map((r) => `_dmarc.example.jp. TXT ${quote(r)}`)].join('\n');
}

/** A TXT value as zone-file strings: quoted, escaped, cut into 255-byte pieces. */
export function quote(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  const parts: string[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 200) {
    parts.push(
      `"${bytes
        .subarray(i, i + 200)
        .toString('utf8')
        .replace(/["\\]/g, '\\$&')}"`,
    );
  }
  return parts.join(' ');
}

export async function run(zoneText: string, domain = 'example.jp', options: CheckOptions = {}) {
  const resolver = new ZoneResolver(Zone.parse(zoneText));
  const report = await checkDmarc(domain, { resolver, fetcher: noFetch, options });
  return { report, codes: report.findings.map((f) => f.code), asked: resolver.asked };
}
