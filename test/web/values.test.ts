import { describe, expect, it } from 'vitest';
import { placeholderNames } from '../../src/i18n/catalog.ts';
import { webText } from '../../src/i18n/web.ts';
import { href, parseHash, type Route } from '../../src/web/router.ts';
import {
  asArray,
  decodeMimeWords,
  domainHealth,
  healthOf,
  passRateOf,
  textOf,
} from '../../src/web/values.ts';

describe('dashboard routes', () => {
  const routes: Route[] = [
    { page: 'domains' },
    { page: 'domain', domain: 'example.co.jp' },
    { page: 'sender', domain: 'example.co.jp', ip: '2001:db8::1' },
    { page: 'reports' },
    { page: 'report', id: '42' },
    { page: 'failures' },
    { page: 'failure', id: '7' },
    { page: 'surveys' },
    { page: 'survey', id: '3' },
    { page: 'upload' },
    { page: 'settings' },
    { page: 'account' },
    { page: 'tls' },
    { page: 'tls', domain: 'bank.example.co.jp' },
  ];

  it('every page survives href then parseHash', () => {
    for (const route of routes) expect(parseHash(href(route))).toEqual(route);
  });

  it('an empty hash is the domains page; an unknown one is not found', () => {
    expect(parseHash('')).toEqual({ page: 'domains' });
    expect(parseHash('#/nowhere')).toEqual({ page: 'not-found' });
  });

  it('a malformed escape in the hash is kept as written instead of throwing', () => {
    expect(parseHash('#/domains/%E0%A4%A')).toEqual({ page: 'domain', domain: '%E0%A4%A' });
  });

  it('names with slashes or markup are escaped into one path segment', () => {
    const route: Route = { page: 'domain', domain: '<b>a/b</b>' };
    expect(href(route)).toBe('#/domains/%3Cb%3Ea%2Fb%3C%2Fb%3E');
    expect(parseHash(href(route))).toEqual(route);
  });
});

describe('dashboard values', () => {
  it('decodes RFC 2047 words in UTF-8 (B), ISO-2022-JP (B) and Q encoding', () => {
    expect(decodeMimeWords('=?UTF-8?B?44Kr44O844OJ5Lya56S+?= <info@card.example.co.jp>')).toBe(
      'カード会社 <info@card.example.co.jp>',
    );
    expect(decodeMimeWords('=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=')).toBe('テスト');
    expect(decodeMimeWords('=?utf-8?Q?caf=C3=A9_au_lait?=')).toBe('café au lait');
    // Adjacent encoded words join without the space between them (RFC 2047 6.2).
    expect(decodeMimeWords('=?UTF-8?B?44Kr?= =?UTF-8?B?44O8?=')).toBe('カー');
  });

  it('leaves text that does not decode as it was', () => {
    expect(decodeMimeWords('=?x-unknown?B?AAAA?=')).toBe('=?x-unknown?B?AAAA?=');
    expect(decodeMimeWords('=?UTF-8?B?/w==?=')).toBe('=?UTF-8?B?/w==?=');
    expect(decodeMimeWords('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
  });

  it('text from the server in one language or both', () => {
    expect(textOf({ en: 'Fix it', ja: '直す' }, 'ja')).toBe('直す');
    expect(textOf({ code: 'watch', text: 'Keep watching' }, 'en')).toBe('Keep watching');
    expect(textOf(null, 'en')).toBe('');
    expect(textOf(12, 'en')).toBe('12');
  });

  it('health from the pass rate, and no data as its own state', () => {
    expect(healthOf(0, undefined)).toBe('no-data');
    expect(healthOf(100, 0.99)).toBe('good');
    expect(healthOf(100, 0.95)).toBe('attention');
    expect(healthOf(100, 0.5)).toBe('failing');
    // An enforced domain refusing spoofed mail is on track whatever its pass rate.
    expect(domainHealth(100, 0.5, { code: 'watch', text: '' })).toBe('good');
    expect(domainHealth(100, 0.5, { code: 'fix-senders', text: '' })).toBe('failing');
    expect(domainHealth(0, undefined, { code: 'publish-dmarc', text: '' })).toBe('no-data');
    expect(passRateOf({ messages: 200, dmarcPass: 150 })).toBe(0.75);
    expect(passRateOf({ passRate: 0.5, messages: 10 })).toBe(0.5);
    expect(passRateOf({ messages: 0 })).toBeUndefined();
  });

  it('lists from an array or from a field of an object', () => {
    expect(asArray([1, 2])).toEqual([1, 2]);
    expect(asArray({ senders: [1] }, 'senders')).toEqual([1]);
    expect(asArray({ other: 1 }, 'senders')).toEqual([]);
  });
});

describe('dashboard words', () => {
  it('every text exists in English and Japanese, with the same placeholders', () => {
    for (const [key, entry] of Object.entries(webText)) {
      expect(entry.en, key).not.toBe('');
      expect(entry.ja, key).not.toBe('');
      expect(placeholderNames(entry.ja), key).toEqual(placeholderNames(entry.en));
    }
  });
});
