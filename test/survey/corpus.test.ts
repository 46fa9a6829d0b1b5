import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDmarc } from '../../src/check/dmarc.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import type { Fetcher } from '../../src/http/types.ts';
import {
  type DomainMeasurement,
  readDomainList,
  runSurvey,
  type SurveyReport,
} from '../../src/survey/index.ts';

/**
 * Real `_dmarc` answers of 2018 university domains (CNAMEs, several records, SPF records
 * at `_dmarc`, quotes, `v=dmarc1`, `sp=non`...) as zone data; the survey's DMARC figures
 * must agree with `sumi check` on every domain: one implementation.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const csvPath = path.resolve(repoRoot, '../shared/corpus/domains/dmarc-records-universities-2018.csv');
const exists = existsSync(csvPath);

const noFetch: Fetcher = {
  fetch: async (url) => {
    throw new Error(`unexpected fetch of ${url}`);
  },
};

describe.skipIf(!exists)(
  'survey over real _dmarc answers, universities 2018 (skipped: ../shared/corpus absent)',
  () => {
    let zone: Zone;
    let domains: string[];
    let report: SurveyReport;
    const results = new Map<string, DomainMeasurement>();

    beforeAll(async () => {
      const rows = parse(readFileSync(csvPath, 'utf8'), {
        from_line: 2,
        relax_column_count: true,
      }) as string[][];
      zone = new Zone();
      const seen = new Set<string>();
      for (const [question, answer] of rows) {
        if (!question || answer === undefined) continue;
        const key = `${question.toLowerCase()}\u0000${answer}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.$/.test(answer)) {
          zone.add(question, 'CNAME', answer.slice(0, -1).toLowerCase());
          continue;
        }
        const bytes = Buffer.from(answer, 'utf8');
        const chunks: Buffer[] = [];
        for (let i = 0; i < bytes.length || i === 0; i += 255) chunks.push(bytes.subarray(i, i + 255));
        zone.add(question, 'TXT', chunks);
      }
      domains = [
        ...new Set(
          rows
            .map((r) => r[0]!.toLowerCase())
            .filter((q) => q.startsWith('_dmarc.'))
            .map((q) => q.slice(7)),
        ),
      ];
      report = await runSurvey(readDomainList(Readable.from([`${domains.join('\n')}\n`])), {
        resolver: new ZoneResolver(zone),
        resolverLabel: 'zone',
        categories: 'tld',
        categoriser: (d) => ({ category: d.slice(d.lastIndexOf('.') + 1) }),
        qps: 0,
        onResult: (m) => void results.set(m.domain, m),
      });
    });

    it('measures every domain', () => {
      expect(domains.length).toBeGreaterThan(1100);
      expect(results.size).toBe(domains.length);
      expect(report.unmeasured).toBe(0);
    });

    it('agrees with sumi check on whether a valid policy applies, and which p it has', async () => {
      let applies = 0;
      const policy = { none: 0, quarantine: 0, reject: 0 };
      for (const domain of domains) {
        const check = await checkDmarc(domain, {
          resolver: new ZoneResolver(zone),
          fetcher: noFetch,
          options: {},
        });
        const p = check.parsed?.effect === 'apply' ? check.parsed.tags?.p.value : undefined;
        const m = results.get(domain)!;
        expect([domain, m.dmarc.applies, m.dmarc.p]).toEqual([domain, p !== undefined, p]);
        if (p) {
          applies++;
          policy[p]++;
        }
      }
      const total = report.total;
      expect(applies).toBeGreaterThan(900);
      expect(policy.none).toBeGreaterThan(0);
      expect(policy.quarantine).toBeGreaterThan(0);
      expect(policy.reject).toBeGreaterThan(0);
      expect(total.dmarc).toBe(applies);
      expect(total.policy).toEqual(policy);
      // Records that look like DMARC but receivers discard (v=dmarc1, two records, quotes) are present, not valid.
      expect(total.dmarcRecord).toBeGreaterThan(total.dmarc);
    });
  },
);
