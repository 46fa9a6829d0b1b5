import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDomains, listMarks } from '../../src/analysis/inventory.ts';
import { lookupReverse } from '../../src/analysis/ip-facts/reverse.ts';
import { reporters } from '../../src/analysis/reporters.ts';
import { failReason, matchSender, reasonRow } from '../../src/analysis/senders/index.ts';
import { subdomains } from '../../src/analysis/subdomains.ts';
import {
  DEMO_ZONE_URL,
  type DemoCounts,
  type DemoInput,
  demoDomains,
  generateDemo,
  seedDemoStore,
} from '../../src/demo/index.ts';
import { SOURCES } from '../../src/demo/story.ts';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import { pslOrgDomain } from '../../src/records/org-domain.ts';
import { parseAggregateReportToObject } from '../../src/reports/aggregate.ts';
import { parseFailureReport } from '../../src/reports/failure.ts';
import { parseTlsReport } from '../../src/reports/tls.ts';
import type { AggregateReportWithRecords, Payload } from '../../src/reports/types.ts';
import { unpackAll } from '../../src/reports/unpack.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { engines, engineTitle } from '../store/helpers.ts';

// Noon on 2026-11-28: the demo covers 2026-08-30 .. 2026-11-27 (UTC days).
const NOW = Date.UTC(2026, 10, 28, 12);
const TODAY = Date.UTC(2026, 10, 28) / 1000;
const DAYS = 90;
/** Days ago a report's window covers (by its middle, so JST windows count as their UTC day). */
const agoOf = (begin: number, end: number) => Math.round((TODAY - (begin + end) / 2) / 86_400 + 0.5);

function digest(inputs: readonly DemoInput[]): string {
  const hash = createHash('sha256');
  for (const input of inputs) hash.update(input.source).update(input.bytes).update(String(input.receivedAt));
  return hash.digest('hex');
}

interface Parsed {
  input: DemoInput;
  payloads: Payload[];
  aggregate: AggregateReportWithRecords[];
}

let inputs: DemoInput[];
let parsed: Parsed[];

beforeAll(async () => {
  inputs = generateDemo({ now: NOW, days: DAYS });
  parsed = [];
  for (const input of inputs) {
    const payloads: Payload[] = [];
    for (const item of await unpackAll(input.bytes, input.name)) {
      if (item.kind === 'error') throw new Error(`${item.provenance}: ${item.error.message}`);
      payloads.push(item);
    }
    const aggregate: AggregateReportWithRecords[] = [];
    for (const payload of payloads) {
      if (payload.kind === 'aggregate') aggregate.push(await parseAggregateReportToObject(payload.bytes));
    }
    parsed.push({ input, payloads, aggregate });
  }
});

describe('generateDemo', () => {
  it('gives the same bytes for the same seed and day, other bytes for another seed', () => {
    expect(digest(generateDemo({ now: NOW, days: DAYS }))).toBe(digest(inputs));
    expect(digest(generateDemo({ now: NOW - 11 * 3_600_000, days: DAYS }))).toBe(digest(inputs));
    expect(digest(generateDemo({ now: NOW, days: DAYS, seed: 7 }))).not.toBe(digest(inputs));
  });

  it('is generated relative to now: a day later, every window moves one day', () => {
    const later = generateDemo({ now: NOW + 86_400_000, days: DAYS });
    const lastEnd = (list: DemoInput[]) => Math.max(...list.map((i) => i.receivedAt));
    expect(lastEnd(later) - lastEnd(inputs)).toBeGreaterThan(0);
    expect(inputs.every((i) => i.receivedAt <= NOW / 1000)).toBe(true);
  });

  it('refuses a period it cannot tell the story over', () => {
    expect(() => generateDemo({ now: NOW, days: 0 })).toThrow(/from 1 to 366, not 0/);
    expect(() => generateDemo({ now: NOW, days: 1.5 })).toThrow(RangeError);
    expect(() => generateDemo({ now: NOW, days: 5_000 })).toThrow(/not 5000/);
    expect(() => generateDemo({ now: Number.NaN })).toThrow(/"now"/);
  });

  it('tells a short period the same story in fewer days', () => {
    const week = generateDemo({ now: NOW, days: 7 });
    expect(week.filter((i) => i.kind === 'aggregate').length).toBeGreaterThan(50);
    expect(new Set(week.map((i) => i.kind))).toEqual(new Set(['aggregate', 'failure', 'tls']));
  });

  it('covers the last 90 days with a few thousand records', () => {
    const reports = parsed.flatMap((p) => p.aggregate);
    const begins = reports.map((r) => r.metadata.window.begin);
    expect(Math.min(...begins)).toBeLessThanOrEqual(TODAY - DAYS * 86_400);
    expect(Math.max(...reports.map((r) => r.metadata.window.end))).toBeLessThanOrEqual(TODAY + 86_400);
    const records = reports.reduce((sum, r) => sum + r.recordCount, 0);
    expect(records).toBeGreaterThan(2_000);
    expect(records).toBeLessThan(10_000);
  });

  it('writes reports every parser reads, with only the warnings the story intends', async () => {
    const warnings = new Set<string>();
    for (const { input, payloads, aggregate } of parsed) {
      expect(payloads.map((p) => p.kind)).toEqual([input.kind]);
      for (const payload of payloads) expect(payload.warnings).toEqual([]);
      for (const report of aggregate) {
        for (const w of report.warnings) warnings.add(`${report.reporter.orgName} ${w.code} ${w.field}`);
      }
      if (input.kind === 'failure') {
        const report = await parseFailureReport((payloads[0] as Payload).bytes);
        expect(report.warnings).toEqual([]);
        expect(report.sourceIp).not.toBeNull();
        expect(report.authFailure).not.toBeNull();
      }
      if (input.kind === 'tls')
        expect((await parseTlsReport((payloads[0] as Payload).bytes)).warnings).toEqual([]);
    }
    // The ISP wraps report IDs in <>, and echoes univ's "sp=non" typo as published.
    expect([...warnings].sort()).toEqual([
      'Example ISP Japan invalid-value policy_published/sp',
      'Example ISP Japan report-id-brackets report_metadata/report_id',
    ]);
  });

  it('has reporters in both forms, windows of 86399 and 86400 seconds, gzip and mail', () => {
    const reports = parsed.flatMap((p) => p.aggregate);
    const by = (org: string) => reports.filter((r) => r.reporter.orgName === org);
    const lengths = (org: string) =>
      new Set(by(org).map((r) => r.metadata.window.end - r.metadata.window.begin));
    expect(lengths('google.com')).toEqual(new Set([86_399]));
    expect(lengths('Outlook.com')).toEqual(new Set([86_400]));
    for (const r of by('Example ISP Japan')) {
      expect(r.namespace).toBe('urn:ietf:params:xml:ns:dmarc-2.0');
      expect(r.policyPublished.discoveryMethod).toBe('treewalk');
      expect(r.policyPublished.testing).toBe(false);
      // JST days: windows begin at 15:00 UTC.
      expect(r.metadata.window.begin % 86_400).toBe(15 * 3600);
    }
    expect(by('google.com').every((r) => r.namespace === null)).toBe(true);
    expect(inputs.some((i) => i.name.endsWith('.xml.gz'))).toBe(true);
    expect(inputs.some((i) => i.name.endsWith('.eml'))).toBe(true);
    expect(inputs.some((i) => i.name.endsWith('.xml'))).toBe(true);
  });

  it('has redacted and whole-message failure reports and TLS reports for the bank', async () => {
    const failures = await Promise.all(
      parsed
        .filter((p) => p.input.kind === 'failure')
        .map((p) => parseFailureReport((p.payloads[0] as Payload).bytes)),
    );
    expect(failures).toHaveLength(6);
    expect(failures.map((f) => f.format)).toEqual(['arf', 'arf', 'arf', 'arf', 'arf', 'arf-base64']);
    expect(failures.filter((f) => f.original?.redacted)).toHaveLength(5);
    const whole = failures.filter((f) => f.original?.form === 'message');
    expect(whole.length).toBeGreaterThan(0);
    // The subject is sent as an RFC 2047 encoded word, as phishing mail sends it, and read decoded.
    expect(whole[0]?.original?.subject).toBe('【重要】カードご利用確認のお願い');
    const header = whole[0]?.original?.headers.find((h) => h.name.toLowerCase() === 'subject')?.value ?? '';
    expect(header).toMatch(/^=\?UTF-8\?B\?.*\?=$/);
    expect(whole[0]?.original?.urls[0]).toMatch(/^https:\/\/card-example-co-jp\.login-verify\.example\//);
    const tls = parsed.filter((p) => p.input.kind === 'tls');
    expect(tls).toHaveLength(14);
  });

  it('uses the domains of examples/demo.zone', () => {
    const zone = Zone.parse(readFileSync(DEMO_ZONE_URL, 'utf8'));
    expect(zone).toBeDefined();
    const text = readFileSync(DEMO_ZONE_URL, 'utf8');
    for (const domain of demoDomains) expect(text).toContain(`$ORIGIN ${domain}.`);
  });
});

describe('seedDemoStore on SQLite', () => {
  let dir: string;
  let store: Store;
  let counts: DemoCounts;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sumi-demo-'));
    store = await openStore(path.join(dir, 'demo.db'));
    counts = await seedDemoStore(store, { now: NOW, days: DAYS });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every generated report, and counts what it stored', async () => {
    const aggregate = parsed.flatMap((p) => p.aggregate);
    expect(counts).toEqual({
      inputs: inputs.length,
      aggregateReports: aggregate.length,
      records: aggregate.reduce((sum, r) => sum + r.recordCount, 0),
      messages: aggregate.reduce((sum, r) => sum + r.messageCount, 0),
      failureReports: 6,
      tlsReports: 14,
      duplicates: 0,
      failed: 0,
      inventoryDomains: 6,
      senderMarks: 15,
    });
    expect(await store.countReports()).toEqual({
      reports: counts.aggregateReports,
      records: counts.records,
      messages: counts.messages,
      failureReports: 6,
      tlsReports: 14,
      quarantined: 0,
    });
  });

  it('counts a second seeding with the same options as duplicates', async () => {
    const small = await openStore(path.join(dir, 'small.db'));
    try {
      const first = await seedDemoStore(small, { now: NOW, days: 3 });
      const again = await seedDemoStore(small, { now: NOW, days: 3 });
      expect(first.aggregateReports).toBeGreaterThan(0);
      expect(again).toMatchObject({ aggregateReports: 0, failureReports: 0, tlsReports: 0, failed: 0 });
      expect(again.duplicates).toBe(first.aggregateReports + first.failureReports + first.tlsReports);
    } finally {
      await small.close();
    }
  });

  const policies = async (domain: string, org: string) =>
    (
      await store.db
        .selectFrom('reports')
        .innerJoin('reporters', 'reporters.id', 'reports.reporter_id')
        .select(['date_begin', 'date_end', 'p', 'sp', 'np', 'pct', 'fo'])
        .where('policy_domain', '=', domain)
        .where('org_name', '=', org)
        .orderBy('date_begin')
        .execute()
    ).map((r) => ({ ...r, f: agoOf(r.date_begin, r.date_end) / DAYS }));

  it('card.example.co.jp: p=none, quarantine from mid-period, back to none with pct=50', async () => {
    const rows = await policies('card.example.co.jp', 'google.com');
    expect(rows).toHaveLength(DAYS);
    for (const r of rows) {
      if (r.f > 0.5) expect([r.p, r.pct]).toEqual(['none', 100]);
      else if (r.f > 0.25) expect([r.p, r.pct, r.fo]).toEqual(['quarantine', 100, '1']);
      else expect([r.p, r.pct]).toEqual(['none', 50]);
    }
    const firstQuarantine = rows.find((r) => r.p === 'quarantine');
    expect(firstQuarantine && (TODAY - firstQuarantine.date_begin) / 86_400).toBe(45);
  });

  it('card.example.co.jp: SendGrid fails DKIM alignment until its custom domain, and is quarantined meanwhile', async () => {
    const sendgrid = SOURCES.find((s) => s.id === 'card-sendgrid')?.ips ?? [];
    const rows = await store.db
      .selectFrom('source_rollup')
      .select(['day', 'dkim', 'disposition'])
      .select((eb) => eb.fn.sum<number>('messages').as('messages'))
      .where('policy_domain', '=', 'card.example.co.jp')
      .where('source_ip', 'in', sendgrid)
      .groupBy(['day', 'dkim', 'disposition'])
      .execute();
    const ago = (day: number) => (TODAY - day) / 86_400;
    expect(rows.filter((r) => ago(r.day) <= 7).every((r) => r.dkim === 'pass')).toBe(true);
    expect(rows.filter((r) => ago(r.day) > 8).every((r) => r.dkim === 'fail')).toBe(true);
    expect(rows.some((r) => r.disposition === 'quarantine')).toBe(true);
  });

  it('card.example.co.jp: a shadow subdomain and a spoofing burst', async () => {
    const shadow = await store.db
      .selectFrom('source_rollup')
      .select((eb) => eb.fn.sum<number>('messages').as('messages'))
      .where('header_from', '=', 'campaign.card.example.co.jp')
      .executeTakeFirstOrThrow();
    expect(Number(shadow.messages)).toBeGreaterThan(1_000);
    const spoofIps = SOURCES.find((s) => s.id === 'card-spoof')?.ips ?? [];
    const spoof = await store.db
      .selectFrom('source_rollup')
      .select('day')
      .select((eb) => eb.fn.sum<number>('messages').as('messages'))
      .where('source_ip', 'in', spoofIps)
      .groupBy('day')
      .execute();
    const peak = spoof.reduce((best, r) => (Number(r.messages) > Number(best.messages) ? r : best));
    const peakAgo = (TODAY - peak.day) / 86_400;
    expect(peakAgo).toBeGreaterThan(DAYS * 0.22);
    expect(peakAgo).toBeLessThanOrEqual(DAYS * 0.35);
  });

  it('bank.example.co.jp reaches p=reject (sp, np) near the end, as the zone publishes', async () => {
    const rows = await policies('bank.example.co.jp', 'Example ISP Japan');
    const last = rows.at(-1);
    expect(last && [last.p, last.sp, last.np]).toEqual(['reject', 'reject', 'reject']);
    expect(rows[0] && [rows[0].p, rows[0].np]).toEqual(['quarantine', null]);
  });

  it('city.example.lg.jp: p=reject until its record was lost, then no reports', async () => {
    const rows = await policies('city.example.lg.jp', 'google.com');
    expect(rows.every((r) => r.p === 'reject')).toBe(true);
    const lastAgo = Math.min(...rows.map((r) => (TODAY - r.date_begin) / 86_400));
    expect(lastAgo).toBeGreaterThan(DAYS * 0.09);
  });

  it('the analysis sees the stopped reporter, the ISP gap and the shadow subdomain', async () => {
    const period = { since: TODAY - DAYS * 86_400, until: TODAY - 86_400 };
    const stats = await reporters(store, 'card.example.co.jp', period);
    const by = (org: string) => stats.reporters.find((r) => r.orgName === org);
    expect(by('mx.partner.example.com')?.stopped).toBe(true);
    expect(by('google.com')?.stopped).toBe(false);
    expect(by('Example ISP Japan')?.gaps.length).toBeGreaterThanOrEqual(5);
    const subs = await subdomains(store, 'card.example.co.jp', period);
    expect(subs.subdomains.map((s) => [s.name, s.inInventory])).toEqual([
      ['campaign.card.example.co.jp', false],
    ]);
    expect((await listDomains(store)).map((d) => d.domain)).toContain('alert.bank.example.co.jp');
    expect((await listMarks(store, 'card.example.co.jp')).map((m) => m.ip)).toContain('192.0.2.10');
  });

  it('reporters: one stops part-way, the ISP has a gap', async () => {
    const partner = await policies('card.example.co.jp', 'mx.partner.example.com');
    expect(Math.min(...partner.map((r) => r.f))).toBeGreaterThan(0.4);
    const isp = await policies('card.example.co.jp', 'Example ISP Japan');
    const gap = isp.filter((r) => r.f <= 0.62 && r.f > 0.55);
    expect(gap).toHaveLength(0);
    expect(isp.length).toBeGreaterThan(80);
  });
});

describe('the story, as the analysis reads it', () => {
  it('gives each sender the fail reason its story tells', () => {
    const codes = new Map<string, Set<string>>();
    for (const report of parsed.flatMap((p) => p.aggregate)) {
      const domain = report.policyPublished.domain;
      for (const record of report.records) {
        const source = SOURCES.find(
          (s) =>
            s.domain === domain &&
            s.ips.includes(record.sourceIp ?? '') &&
            s.headerFrom.includes(record.headerFrom ?? ''),
        );
        expect(source, `${domain} ${record.sourceIp} ${record.headerFrom}`).toBeDefined();
        const reason = failReason(reasonRow(record, report.policyPublished), pslOrgDomain);
        const code = reason.args.sender ? `${reason.code}:${reason.args.sender}` : reason.code;
        const id = source?.id ?? '';
        codes.set(id, (codes.get(id) ?? new Set()).add(code));
      }
    }
    expect(Object.fromEntries([...codes].map(([id, set]) => [id, [...set].sort()]))).toEqual({
      'card-m365': ['aligned-pass'],
      'card-billing': ['aligned-pass'],
      'card-sendgrid': ['aligned-pass', 'signed-by-esp-domain:sendgrid'],
      'card-crm': ['aligned-pass'],
      'card-forwarder': ['forwarded'],
      'card-list': ['mailing-list'],
      'card-spoof': ['spoofing'],
      'card-shadow': ['signed-by-esp-domain:amazon-ses'],
      'bank-relays': ['aligned-pass'],
      'bank-alerts': ['aligned-pass'],
      'bank-survey': ['spf-esp-bounce-not-aligned'],
      'bank-forwarder': ['forwarded'],
      'bank-spoof': ['spoofing'],
      'bank-spoof-nx': ['spoofing'],
      'univ-campus': ['aligned-pass'],
      'univ-workspace': ['signed-by-esp-domain:google-workspace'],
      'univ-labs': ['spoofing'],
      'univ-benchmark': ['spf-esp-bounce-not-aligned:benchmark-email'],
      'univ-spoof': ['spoofing'],
      'city-gateway': ['aligned-pass'],
      'city-bosai': ['aligned-pass'],
      // SPF "+all" lets the spoofer pass by SPF.
      'city-spoof': ['aligned-pass', 'spoofing'],
    });
  });
});

describe('examples/demo.zone', () => {
  it('names the known senders by forward-confirmed reverse DNS', async () => {
    const resolver = new ZoneResolver(Zone.parse(readFileSync(DEMO_ZONE_URL, 'utf8')));
    const named: Record<string, string> = {
      'card-m365': 'microsoft-365',
      'card-sendgrid': 'sendgrid',
      'card-shadow': 'amazon-ses',
      'univ-workspace': 'google-workspace',
      'univ-benchmark': 'benchmark-email',
      'city-bosai': 'blastmail',
    };
    const unnamed = new Set([
      'card-spoof',
      'bank-spoof',
      'bank-spoof-nx',
      'univ-labs',
      'univ-spoof',
      'city-spoof',
    ]);
    for (const source of SOURCES.filter((s) => !unnamed.has(s.id))) {
      for (const ip of source.ips) {
        const found = await lookupReverse(ip, resolver);
        expect([source.id, ip, found.ptrConfirmed]).toEqual([source.id, ip, true]);
        const expected = named[source.id];
        if (expected) expect(matchSender({ ptr: found.ptr ?? '' })?.sender.id).toBe(expected);
      }
    }
    // Part of the phishing campaign comes from an ISP's subscriber addresses.
    const spoofer = await lookupReverse('198.18.1.11', resolver);
    expect(matchSender({ ptr: spoofer.ptr ?? '' })?.sender.id).toBe('kddi-au');
  });

  it('still serves what the sumi check demo reads', async () => {
    const resolver = new ZoneResolver(Zone.parse(readFileSync(DEMO_ZONE_URL, 'utf8')));
    const txt = async (name: string) => (await resolver.lookup(name, 'TXT')).records.map((r) => r.text);
    expect(await txt('_dmarc.card.example.co.jp')).toEqual([
      'v=DMARC1; p=none; rua=mailto:dmarc@reports.example.net; pct=50',
    ]);
    expect((await resolver.lookup('_dmarc.city.example.lg.jp', 'TXT')).status).not.toBe('ok');
    expect(await txt('city.example.lg.jp')).toEqual(['v=spf1 +all']);
    expect(await txt('_dmarc.bank.example.co.jp')).toEqual([
      'v=DMARC1; p=reject; sp=reject; np=reject; rua=mailto:dmarc-rua@bank.example.co.jp',
    ]);
    expect((await txt('univ.example.ac.jp')).length).toBe(2);
  });
});

describe.each(engines)('seedDemoStore, two weeks $name', (engine) => {
  afterAll(() => engine.cleanup());

  it.skipIf(engine.skip !== undefined)(`stores every report ${engineTitle(engine)}`, async () => {
    const expected = generateDemo({ now: NOW, days: 14 });
    const store = await openStore(await engine.location());
    try {
      const counts = await seedDemoStore(store, { now: NOW, days: 14 });
      expect(counts).toMatchObject({ inputs: expected.length, duplicates: 0, failed: 0 });
      expect(await store.countReports()).toEqual({
        reports: counts.aggregateReports,
        records: counts.records,
        messages: counts.messages,
        failureReports: counts.failureReports,
        tlsReports: 14,
        quarantined: 0,
      });
      const bank = await store.db
        .selectFrom('reports')
        .select(['p', 'np'])
        .where('policy_domain', '=', 'bank.example.co.jp')
        .where('namespace', '=', 'urn:ietf:params:xml:ns:dmarc-2.0')
        .orderBy('date_begin', 'desc')
        .executeTakeFirstOrThrow();
      expect(bank).toEqual({ p: 'reject', np: 'reject' });
    } finally {
      await store.close();
    }
  });
});
