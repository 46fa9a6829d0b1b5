import fs from 'node:fs';
import path from 'node:path';
import { checkSpf, type SpfWalkLimits } from '../../src/check/spf.ts';
import type { CheckOptions } from '../../src/check/types.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import type { Fetcher } from '../../src/http/types.ts';

/** SPF never fetches over HTTPS; a fetch in these tests is a bug. */
export const noFetcher: Fetcher = {
  fetch: async (url) => {
    throw new Error(`unexpected fetch of ${url}`);
  },
};

const fixtures = path.resolve(import.meta.dirname, '../fixtures/spf');

/** A zone fixture from test/fixtures/spf/NAME.zone. */
export function fixtureZone(name: string): Zone {
  return Zone.parse(fs.readFileSync(path.join(fixtures, `${name}.zone`), 'utf8'));
}

/** Runs checkSpf on example.com (or `domain`) against a zone given as zone-file text or a Zone. */
export async function runSpf(
  zone: Zone | string,
  options: CheckOptions = {},
  limits: Partial<SpfWalkLimits> = {},
  domain = 'example.com',
) {
  const z = typeof zone === 'string' ? Zone.parse(zone, 'example.com') : zone;
  const resolver = new ZoneResolver(z);
  const report = await checkSpf(domain, { resolver, fetcher: noFetcher, options }, limits);
  return { report, codes: report.findings.map((f) => f.code), resolver };
}
