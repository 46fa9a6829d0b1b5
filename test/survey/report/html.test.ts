import { describe, expect, it } from 'vitest';
import { surveyReportText } from '../../../src/i18n/survey.ts';
import { esc, REPORT_METRICS, surveyHtml } from '../../../src/survey/report/index.ts';
import { JP_SAMPLE, sampleReport, trendScan } from './sample.ts';

const report = sampleReport(JP_SAMPLE);

/** Every src / href value in the page (HTML and the inline SVG). */
function links(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)].map(
    (m) => m[1] ?? m[2] ?? m[3]!,
  );
}

describe('survey HTML report', () => {
  const en = surveyHtml(report, { langs: ['en'] });

  it('is self-contained: no script, stylesheet, font or image from anywhere', () => {
    for (const html of [en, surveyHtml(report, { langs: ['ja', 'en'] })]) {
      expect(links(html).filter((l) => /^\s*(https?:)?\/\//i.test(l))).toEqual([]);
      expect(html).not.toMatch(/<script|<link|<iframe|<img|@import|url\(\s*['"]?(https?:)?\/\//i);
    }
  });

  it('shows every category and every metric, with counts, shares and intervals', () => {
    for (const c of report.categories) expect(en).toContain(`<th scope="row">${c.name}</th>`);
    for (const metric of REPORT_METRICS)
      if (!metric.startsWith('policy.') && metric !== 'measured')
        expect(en).toContain(`<h3>${esc(surveyReportText[`report.metric.${metric}`].en)}</h3>`);
    for (const p of ['none', 'quarantine', 'reject']) expect(en).toContain(`<th>p=${p}</th>`);
    // co.jp DMARC: 160 of 1,188 measured, 13.5% (11.6% – 15.6%).
    expect(en).toMatch(
      /<th scope="row">co\.jp<\/th><td>1,188<\/td><td>160<\/td><td>13\.5%<\/td><td>11\.\d% – 15\.\d%<\/td>/,
    );
  });

  it('states the method and counts unmeasured domains apart', () => {
    expect(en).toContain('29 domains could not be measured');
    expect(en).toContain('not counted as lacking any record');
    expect(en).toContain(esc(surveyReportText['report.method.unit'].en));
    expect(en).toContain('Wilson score interval, 95%');
    expect(en).toContain('<td>12</td>'); // co.jp's unmeasured domains in the overview
  });

  it('shows category names as text, never as markup', () => {
    const hostile = sampleReport([
      {
        name: '<script>alert(1)</script>',
        domains: 10,
        spf: 5,
        dmarc: 2,
        perOrganisation: 2,
        organisationName: '<b>x</b>',
      },
      { name: '"><img src=x onerror=alert(1)>', domains: 10, spf: 5, dmarc: 2 },
    ]);
    const html = surveyHtml(hostile, { langs: ['en', 'ja'] });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it('adds organisation columns when the list names organisations', () => {
    const orgs = sampleReport([{ name: 'co.jp', domains: 12, spf: 6, dmarc: 3, perOrganisation: 3 }]);
    const html = surveyHtml(orgs, { langs: ['en'] });
    expect(html).toContain('<th>Organisations measured</th>');
    expect(html).toContain('an organisation counts when any of its domains has the record');
    // 4 organisations of 3 domains; the first has DMARC on all 3 of its DMARC domains.
    expect(html).toMatch(
      /<th scope="row">co\.jp<\/th><td>12<\/td><td>3<\/td><td>25\.0%<\/td><td>[^<]+<\/td><td>4<\/td><td>1<\/td><td>25\.0%<\/td>/,
    );
  });

  it('speaks one language per file, or both with a switch', () => {
    const ja = surveyHtml(report, { langs: ['ja'] });
    expect(ja).toContain('<html lang="ja">');
    expect(ja).toContain('送信ドメイン認証の普及状況調査');
    expect(ja).toContain('DMARC: 分類別の導入率');
    expect(ja).not.toContain('Mail authentication adoption survey');
    expect(ja).not.toContain('type="radio"');
    expect(en).not.toContain('送信ドメイン認証');

    const both = surveyHtml(report, { langs: ['ja', 'en'] });
    expect(both).toContain('<html lang="ja">');
    expect(both).toMatch(/id="sumi-lang-ja" class="lang-choice" checked>/);
    expect(both).toContain('<div class="lang lang-en" lang="en">');
    expect(both).toContain('<div class="lang lang-ja" lang="ja">');
    expect(both).toContain('#sumi-lang-ja:checked~.lang-en');
    // Charts in both languages, without ECharts' hover styles (no script on the page to use them).
    expect(both).toContain('DMARC: 分類別の導入率');
    expect(both).toContain('DMARC: adoption by category');
    expect(both).not.toMatch(/<style[^>]*><!\[CDATA\[|ecmeta_|class="adoption-/);
  });

  it('is deterministic', () => {
    expect(surveyHtml(report, { langs: ['en'] })).toBe(en);
  });

  it('adds trend charts and tables when earlier scans are given', () => {
    const earlier = sampleReport(
      JP_SAMPLE.map((c) => ({ ...c, dmarc: Math.floor(c.dmarc / 2), quarantine: 0, reject: 0 })),
      '2025-11-28T10:00:00.000Z',
    );
    const html = surveyHtml(report, {
      langs: ['en'],
      trend: [trendScan('2025', earlier), trendScan('2026', report)],
    });
    expect(html).toContain('<h2>Across scans</h2>');
    expect(html).toContain('DMARC: across scans');
    expect(html).toContain('<th>2025-11-28 2025</th><th>2026-11-28 2026</th>');
    // co.jp DMARC: 80 of 1,188, then 160 of 1,188.
    expect(html).toContain('<th scope="row">co.jp</th><td>6.7%</td><td>13.5%</td>');
    expect(en).not.toContain('Across scans');
  });
});
