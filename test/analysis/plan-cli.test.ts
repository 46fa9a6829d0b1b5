/** sumi plan, history, failures, resolve-ips and check --store end to end on SQLite: JSON, en/ja text, exit codes. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneServer } from '../../src/dns/zone-server.ts';
import { openStore } from '../../src/store/open.ts';
import { sumi } from '../helpers/cli.ts';
import { stallMeter } from '../helpers/event-loop.ts';
import { until } from '../helpers/until.ts';
import { DAY, failureReport, holdingWriteLock, JAN_1 } from '../store/helpers.ts';
import { writeMmdb } from './mmdb-writer.ts';
import { ESP_IP, senders } from './plan-fixture.ts';

let dir: string;
let db: string;
let server: ZoneServer;
/** The fixture's 16 days end yesterday, so that the plan (which looks back from today) sees them. */
const FROM = Math.floor((Date.now() / 1000 - JAN_1) / DAY) - 16;
const day = (offset: number) => new Date((JAN_1 + offset * DAY) * 1000).toISOString().slice(0, 10);
const period = ['--since', day(FROM), '--until', day(FROM + 15)];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sumi-plan-cli-'));
  db = path.join(dir, 'sumi.db');
  const store = await openStore(db);
  try {
    await senders(store, 'none', { from: FROM });
    await store.insertFailureReport(
      failureReport({ arrivalTime: JAN_1 + FROM * DAY + 3600, sourceIp: '198.51.100.7' }),
      Buffer.from('ruf'),
      { description: 'ruf' },
    );
  } finally {
    await store.close();
  }
  server = await ZoneServer.start(
    new Zone()
      .add('50.2.0.192.in-addr.arpa', 'PTR', 'o1.ptr123.sendgrid.net')
      .add('o1.ptr123.sendgrid.net', 'A', ESP_IP)
      .misbehave('7.100.51.198.in-addr.arpa', 'servfail')
      .txt('_dmarc.example.jp', 'v=DMARC1; p=none; rua=mailto:dmarc@example.jp')
      .add('example.jp', 'A', '192.0.2.80'),
  );
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sumi resolve-ips', () => {
  it('fills the reverse DNS cache from the reports, and says what it found', async () => {
    const run = await sumi(['resolve-ips', '--db', db, '--resolver', server.address, '--json']);
    expect(run.code).toBe(0);
    // GOOD_IP, ESP_IP, BAD_IP, RARE_IP, the forwarder: only ESP_IP has a PTR; BAD_IP's lookup fails.
    expect(JSON.parse(run.stdout)).toEqual({
      ips: 5,
      lookedUp: 5,
      ok: 1,
      confirmed: 1,
      none: 3,
      temporary: 1,
    });
    const again = await sumi(['resolve-ips', '--db', db, '--resolver', server.address]);
    // Fresh, and the failed lookup is retried only after TEMPORARY_RETRY_SECONDS.
    expect(again.stdout).toContain('5 IPs, 0 looked up');
  });

  it("keeps its lookups answered while another process holds the SQLite store's write lock", async () => {
    const asked = server.queries;
    // Answers a second late: the lock is taken while the lookups are under way.
    server.latencyMs = 1000;
    const stalls = stallMeter();
    try {
      const running = sumi(['resolve-ips', '--db', db, '--resolver', server.address, '--force', '--json']);
      await until('a lookup is under way', () => server.queries > asked);
      // As `sumi ingest` storing a large report holds it.
      const { released } = await holdingWriteLock(
        db,
        3000,
        "insert into audit_log (at, action) values (1, 'other')",
      );
      const run = await running;
      await released;
      // What it found, as without the lock: no lookup timed out meanwhile.
      expect(JSON.parse(run.stdout)).toMatchObject({
        ips: 5,
        lookedUp: 5,
        ok: 1,
        confirmed: 1,
        temporary: 1,
      });
    } finally {
      server.latencyMs = 0;
      stalls.stop();
    }
    // Before: the event loop stood still in SQLite's busy handler while the cache's writes waited.
    expect(stalls.longestMs).toBeLessThan(500);
  }, 30_000);

  it('rejects a bad --concurrency', async () => {
    const run = await sumi(['resolve-ips', '--db', db, '--concurrency', '0']);
    expect(run.code).toBe(2);
  });
});

describe('sumi plan', () => {
  it('--json: the plan document, names from the cache, the next record', async () => {
    const run = await sumi(['plan', 'example.jp', '--db', db, '--json', '--rua', 'mailto:dmarc@example.jp']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ domain: 'example.jp', next: 'fix-senders', streak: 8 });
    expect(doc.senders).toMatchObject({ messages: 1808, legitimate: 1760 });
    expect(doc.steps[1].blockers[0]).toMatchObject({
      ip: ESP_IP,
      name: 'Twilio SendGrid',
      ptr: 'o1.ptr123.sendgrid.net',
    });
    expect(doc.steps[2].record.value).toBe('v=DMARC1; p=quarantine; rua=mailto:dmarc@example.jp');
  });

  it('thresholds and window as options; text in English and Japanese', async () => {
    const args = [
      'plan',
      'example.jp',
      '--db',
      db,
      '--window',
      '3660',
      '--days',
      '8',
      '--aligned-share',
      '98',
    ];
    const en = await sumi(args);
    expect(en.code).toBe(0);
    expect(en.stdout).toContain('Twilio SendGrid (192.0.2.50): 80 of 160 messages fail DMARC.');
    expect(en.stdout).toContain('sumi senders mark example.jp 198.51.100.7 --as authorised');
    const ja = await sumi([...args, '--lang', 'ja']);
    expect(ja.stdout).toContain('送信元の修正');
    expect(ja.stdout).toContain('レポートの宛先が分かりません');
  });

  it('bad thresholds and a bad mmdb are usage errors', async () => {
    expect((await sumi(['plan', 'example.jp', '--db', db, '--aligned-share', '120'])).code).toBe(2);
    expect((await sumi(['plan', 'example.jp', '--db', db, '--days', '0'])).code).toBe(2);
    const bad = path.join(dir, 'bad.mmdb');
    writeFileSync(bad, 'not an mmdb');
    const run = await sumi(['plan', 'example.jp', '--db', db, '--mmdb', bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('not a MaxMind DB file');
  });

  it('reads ASN and country from SUMI_MMDB', async () => {
    const file = path.join(dir, 'asn.mmdb');
    writeFileSync(
      file,
      writeMmdb([{ cidr: '192.0.2.0/24', data: { autonomous_system_number: 64500 } }], { ipVersion: 4 }),
    );
    const run = await sumi(['plan', 'example.jp', '--db', db, '--window', '3660', '--json'], {
      SUMI_MMDB: file,
    });
    expect(run.code).toBe(0);
  });
});

describe('sumi check --store, then sumi history', () => {
  it('stores the DMARC record found and shows it in the history', async () => {
    const check = await sumi([
      'check',
      'example.jp',
      '--resolver',
      server.address,
      '--store',
      '--db',
      db,
      '--json',
    ]);
    expect(check.stderr).toContain('Saved the DMARC check of 1 domain');
    JSON.parse(check.stdout);
    const run = await sumi(['history', 'example.jp', '--db', db, '--json']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.days[0]).toMatchObject({ day: day(FROM), source: 'reports', policy: { p: 'none' } });
    expect(doc.days.at(-1)).toMatchObject({ source: 'check', policy: { p: 'none', rua: true } });
    const text = await sumi(['history', 'example.jp', '--db', db, ...period]);
    expect(text.stdout).toContain(`example.jp: published policy from ${day(FROM)} to ${day(FROM + 15)}`);
    expect(text.stdout).toContain(`${day(FROM)}  p=none`);
  });
});

describe('sumi failures', () => {
  it('shows the report, the sender and what aggregate data cannot tell', async () => {
    const run = await sumi(['failures', 'example.jp', '--db', db, ...period]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('example.jp: 1 failure report (1 message)');
    expect(run.stdout).toContain('Subject: Your account');
    expect(run.stdout).toContain('Aggregate reports carry no subject');
    const json = JSON.parse((await sumi(['failures', 'example.jp', '--db', db, '--json', ...period])).stdout);
    expect(json.bySender[0]).toMatchObject({ ip: '198.51.100.7', reports: 1 });
    const ja = await sumi(['failures', 'example.jp', '--db', db, '--lang', 'ja', ...period]);
    expect(ja.stdout).toContain('集約レポートには件名');
    expect((await sumi(['failures', 'example.jp', '--db', db, '--limit', '-1'])).code).toBe(2);
  });
});
