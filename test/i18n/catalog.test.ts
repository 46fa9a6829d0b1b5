import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderChecksDoc } from '../../src/i18n/checks-doc.ts';
import { findingCatalog } from '../../src/i18n/findings/index.ts';
import { detectLang } from '../../src/i18n/lang.ts';

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
