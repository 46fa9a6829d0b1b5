import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analysisText } from '../../src/i18n/analysis.ts';
import { format, placeholderNames } from '../../src/i18n/catalog.ts';
import { renderChecksDoc } from '../../src/i18n/checks-doc.ts';
import { cliText } from '../../src/i18n/cli.ts';
import { findingCatalog } from '../../src/i18n/findings/index.ts';
import { ingestText, storeAccessText, storeInputText } from '../../src/i18n/ingest.ts';
import { detectLang } from '../../src/i18n/lang.ts';
import { planText } from '../../src/i18n/plan.ts';
import {
  gzipFaultText,
  jsonFaultText,
  mailFaultText,
  reportErrorText,
  reportWarningText,
  tlsProblemText,
  xmlFaultText,
  zipFaultText,
} from '../../src/i18n/reports.ts';
import { schemaCheckText, serverText } from '../../src/i18n/server.ts';
import { surveyReportText, surveyText } from '../../src/i18n/survey.ts';
import { webText } from '../../src/i18n/web.ts';
import { historyWebText } from '../../src/i18n/web-history.ts';

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
const args = { domain: 'example.jp', record: 'v=spf1 -all', count: 11, tag: 'p', value: 'x' };

describe('finding catalog', () => {
  const entries = Object.entries(findingCatalog);

  it('uses stable kebab-case codes prefixed by their protocol family', () => {
    for (const [code, entry] of entries) {
      expect(code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
      const family = entry.protocol === 'dns' ? /^(dns|[a-z-]+-dns)-/ : new RegExp(`^${entry.protocol}-`);
      expect(code, `${code} is filed under ${entry.protocol}`).toMatch(family);
    }
  });

  it('has every text in English and in Japanese', () => {
    for (const [code, entry] of entries) {
      for (const text of [entry.en, entry.ja]) {
        expect(text.title, code).not.toBe('');
        expect(text.why, code).not.toBe('');
        expect(text.message(args), code).not.toBe('');
      }
      expect(entry.ja.title, `${code} ja title`).toMatch(JAPANESE);
      expect(entry.ja.message(args), `${code} ja message`).toMatch(JAPANESE);
      expect(entry.ja.why, `${code} ja why`).toMatch(JAPANESE);
      expect(Boolean(entry.en.fix), `${code}: fix in both languages or neither`).toBe(Boolean(entry.ja.fix));
      if (entry.severity !== 'info')
        expect(entry.en.fix, `${code}: errors and warnings say what to do`).toBeDefined();
    }
  });

  it('docs/checks.md is generated from the catalog (run `npm run docs:checks`)', () => {
    const onDisk = readFileSync(new URL('../../docs/checks.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderChecksDoc());
  });
});

describe('detectLang', () => {
  it('takes the flag first, then LC_ALL, LC_MESSAGES, LANG', () => {
    expect(detectLang('ja', { LANG: 'en_US.UTF-8' })).toBe('ja');
    expect(detectLang(undefined, { LANG: 'ja_JP.UTF-8' })).toBe('ja');
    expect(detectLang(undefined, { LC_ALL: 'C', LANG: 'ja_JP.UTF-8' })).toBe('en');
    expect(detectLang(undefined, { LANG: 'fr_FR.UTF-8' })).toBe('en');
    expect(detectLang(undefined, {})).toBe('en');
    expect(() => detectLang('de', {})).toThrow(/unknown language/);
  });
});

describe('UI words', () => {
  const catalogs = {
    analysisText,
    cliText,
    ingestText,
    storeInputText,
    storeAccessText,
    planText,
    reportErrorText,
    reportWarningText,
    xmlFaultText,
    tlsProblemText,
    gzipFaultText,
    zipFaultText,
    mailFaultText,
    jsonFaultText,
    serverText,
    schemaCheckText,
    surveyText,
    surveyReportText,
    webText,
    historyWebText,
  };

  it('fill the same names in English and Japanese', () => {
    for (const [name, catalog] of Object.entries(catalogs)) {
      for (const [key, words] of Object.entries(catalog as Record<string, { en: string; ja: string }>)) {
        // Commander's English words ({arguments}: "argument" or "arguments"; {forCommand}) have no
        // place in the Japanese sentence.
        if (key === 'commander.excessArguments') continue;
        expect(placeholderNames(words.ja), `${name} ${key}`).toEqual(placeholderNames(words.en));
      }
    }
  });

  it('say "1 report" and "2 reports": counts choose their English form', () => {
    const template = '{n, plural, one {# report was} other {# reports were}} stored from {from}.';
    expect(format(template, { n: 1, from: 'a' })).toBe('1 report was stored from a.');
    expect(format(template, { n: 0, from: 'a' })).toBe('0 reports were stored from a.');
    expect(format(template, { n: 2, from: 'a' })).toBe('2 reports were stored from a.');
    // Counts already written for reading, as the dashboard passes them.
    expect(format(template, { n: '1', from: 'a' })).toBe('1 report was stored from a.');
    expect(format(template, { n: '1,000', from: 'a' })).toBe('1,000 reports were stored from a.');
    // A value not given leaves its placeholder, as a plain one does.
    expect(format(template, { from: 'a' })).toBe(template.replace('{from}', 'a'));
  });

  // A count followed by a plural noun reads "1 inputs" when the count is 1. Limits and ranges
  // (`{limit}`, `{max}`, `{min}`) are never 1; rates are units (`{rate} reports/s`).
  it('write every count of things in English with its plural form', () => {
    const NOUN =
      /\{(\w+)\} (?:aggregate |failure |TLS |new )?(?:inputs|reports|records|messages|mails|domains|days|folders|shards|bytes|queries|hours|minutes|levels|selectors|characters|elements|files|times|lines|categories|passes|IPs|names|entries|duplicates)\b(?!\/)/g;
    const bare: string[] = [];
    for (const [name, catalog] of Object.entries(catalogs)) {
      for (const [key, words] of Object.entries(catalog as Record<string, { en: string }>)) {
        for (const match of words.en.matchAll(NOUN)) {
          if (!['limit', 'max', 'min', 'threshold'].includes(match[1]!))
            bare.push(`${name} ${key}: ${match[0]}`);
        }
      }
    }
    expect(bare).toEqual([]);
  });
});
