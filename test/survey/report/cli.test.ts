import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFont } from '../../../src/cli/survey-report.ts';
import { Zone } from '../../../src/dns/zone.ts';
import { ZoneServer } from '../../../src/dns/zone-server.ts';
import { sumi } from '../../helpers/cli.ts';

/** `sumi survey --html/--charts` and `sumi survey trend --html` end to end, against the zone server. */
const BEFORE = `
$ORIGIN a.co.jp.
@        TXT "v=spf1 -all"
_dmarc   TXT "v=DMARC1; p=none"
$ORIGIN b.co.jp.
@        TXT "v=spf1 ~all"
$ORIGIN c.ac.jp.
@        TXT "v=spf1 -all"
$ORIGIN broken.go.jp.
@        SERVFAIL TXT
`;
// A year later b.co.jp publishes a DMARC policy.
const AFTER = `${BEFORE}$ORIGIN b.co.jp.\n_dmarc TXT "v=DMARC1; p=quarantine"\n`;

let servers: ZoneServer[];
let dir: string;
let list: string;
beforeAll(async () => {
  servers = [await ZoneServer.start(Zone.parse(BEFORE)), await ZoneServer.start(Zone.parse(AFTER))];
  dir = mkdtempSync(path.join(tmpdir(), 'sumi-survey-report-'));
  list = path.join(dir, 'list.txt');
  writeFileSync(list, 'a.co.jp\nb.co.jp\nc.ac.jp\nbroken.go.jp\n');
});
afterAll(() => {
  for (const s of servers) s.close();
});

const scanFlags = (server: ZoneServer) => [
  ...['--categories', 'jp', '--resolver', server.address, '--timeout', '500'],
  ...['--retries', '1', '--retry-delay', '1', '--qps', '0'],
];

describe('sumi survey --html / --charts', () => {
  it('writes the HTML report and every chart as SVG and PNG, keeping --json to one document', async () => {
    const html = path.join(dir, 'report.html');
    const charts = path.join(dir, 'charts');
    const run = await sumi([
      'survey',
      list,
      ...scanFlags(servers[0]!),
      '--json',
      '--html',
      html,
      '--charts',
      charts,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).unmeasured).toBe(1);
    expect(run.stderr).toContain(`HTML report: ${html}`);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<html lang="en">');
    for (const name of ['co.jp', 'ac.jp', 'go.jp']) expect(page).toContain(`<th scope="row">${name}</th>`);
    expect(page).toContain('1 domain could not be measured');
    const files = readdirSync(charts).sort();
    expect(files).toContain('adoption-dmarc.svg');
    expect(files).toContain('adoption-dmarc.png');
    expect(files).toContain('policy.png');
    expect(files.filter((f) => f.endsWith('.svg'))).toHaveLength(files.length / 2);
    const png = readFileSync(path.join(charts, 'policy.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  }, 120_000);

  it('--report-lang both: a page with a switch, and chart files per language', async () => {
    const html = path.join(dir, 'both.html');
    const charts = path.join(dir, 'both');
    const run = await sumi(
      [
        'survey',
        list,
        ...scanFlags(servers[0]!),
        '--html',
        html,
        '--charts',
        charts,
        '--chart-format',
        'svg',
      ],
      { LANG: 'ja_JP.UTF-8' },
    );
    expect(run.code, run.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<html lang="ja">');
    expect(page).not.toContain('type="radio"');
    const both = await sumi([
      'survey',
      list,
      ...scanFlags(servers[0]!),
      '--html',
      html,
      '--charts',
      charts,
      '--chart-format',
      'svg',
      '--report-lang',
      'both',
    ]);
    expect(both.code, both.stderr).toBe(0);
    const bilingual = readFileSync(html, 'utf8');
    expect(bilingual).toContain('id="sumi-lang-en" class="lang-choice" checked');
    expect(bilingual).toContain('送信ドメイン認証の普及状況調査');
    const files = readdirSync(charts);
    expect(files).toContain('adoption-spf.en.svg');
    expect(files).toContain('adoption-spf.ja.svg');
    expect(files.some((f) => f.endsWith('.png'))).toBe(false);
  }, 120_000);

  it('names the path when a file cannot be written (exit 2)', async () => {
    const run = await sumi([
      'survey',
      list,
      ...scanFlags(servers[0]!),
      '--html',
      path.join(dir, 'no', 'such', 'x.html'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--html');
    expect(run.stderr).toContain(path.join(dir, 'no', 'such', 'x.html'));
  }, 120_000);

  it('sumi survey trend --html: the latest scan with trend lines across the stored scans', async () => {
    const db = path.join(dir, 'trend.sqlite');
    for (const [name, server] of [
      ['2025', servers[0]!],
      ['2026', servers[1]!],
    ] as const) {
      const run = await sumi(['survey', list, ...scanFlags(server), '--db', db, '--name', name, '--json']);
      expect(run.code, run.stderr).toBe(0);
    }
    const html = path.join(dir, 'trend.html');
    const charts = path.join(dir, 'trend-charts');
    const run = await sumi([
      'survey',
      'trend',
      '2025',
      '2026',
      '--db',
      db,
      '--html',
      html,
      '--charts',
      charts,
      '--chart-format',
      'svg',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<h2>Across scans</h2>');
    // co.jp DMARC: a.co.jp alone, then both.
    expect(page).toMatch(/<th scope="row">co\.jp<\/th><td>50\.0%<\/td><td>100\.0%<\/td>/);
    expect(readdirSync(charts)).toContain('trend-dmarc.svg');
  }, 120_000);
});

describe('fonts for PNG charts', () => {
  it('is one family of installed files per language, or none without fontconfig', () => {
    for (const lang of ['en', 'ja'] as const) {
      const font = findFont(lang);
      if (font) {
        expect(font.family).not.toBe('');
        expect(font.files.length).toBeGreaterThan(0);
        for (const file of font.files) expect(readFileSync(file).length).toBeGreaterThan(0);
      } else
        console.log(`no ${lang} font installed (fc-list :lang=${lang}): only the no-font case is checked`);
    }
    const path = process.env.PATH;
    process.env.PATH = dir;
    try {
      expect(findFont('ja')).toBeUndefined();
    } finally {
      process.env.PATH = path;
    }
  });
});
