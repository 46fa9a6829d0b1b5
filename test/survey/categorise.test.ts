import { describe, expect, it } from 'vitest';
import {
  builtInCategoriser,
  CategoryMap,
  JP_ATTRIBUTE_TYPES,
  JP_PREFECTURES,
  jpCategory,
  tldCategory,
} from '../../src/survey/categorise.ts';
import { normaliseListDomain } from '../../src/survey/input.ts';

describe('jp categoriser (JPRS name types)', () => {
  it('puts attribute-type names under their second level, subdomains included', () => {
    for (const type of JP_ATTRIBUTE_TYPES) {
      expect(jpCategory(`example.${type}.jp`)).toBe(`${type}.jp`);
      expect(jpCategory(`www.example.${type}.jp`)).toBe(`${type}.jp`);
    }
    expect(JP_ATTRIBUTE_TYPES).toEqual(['co', 'ne', 'or', 'ac', 'go', 'lg', 'ed', 'gr', 'ad']);
    expect(jpCategory('city.shibuya.tokyo.lg.jp')).toBe('lg.jp');
    expect(jpCategory('school.city.example.ed.jp')).toBe('ed.jp');
  });

  it('calls general-use names jp', () => {
    expect(jpCategory('example.jp')).toBe('jp');
    expect(jpCategory('mail.example.jp')).toBe('jp');
    // A second level that is neither a type nor a prefecture: a subdomain of a general-use name.
    expect(jpCategory('www.tokyo-example.jp')).toBe('jp');
    expect(jpCategory('shop.example.jp')).toBe('jp');
  });

  it('puts prefecture-type names under their prefecture', () => {
    expect(jpCategory('example.tokyo.jp')).toBe('tokyo.jp');
    expect(jpCategory('example.osaka.jp')).toBe('osaka.jp');
    expect(jpCategory('www.example.hokkaido.jp')).toBe('hokkaido.jp');
    expect(JP_PREFECTURES).toHaveLength(47);
    for (const [ascii] of JP_PREFECTURES) expect(jpCategory(`example.${ascii}.jp`)).toBe(`${ascii}.jp`);
  });

  it('reads prefecture labels written in kanji (as the DNS carries them: A-labels)', () => {
    expect(jpCategory(normaliseListDomain('例え.東京.jp')!)).toBe('tokyo.jp');
    expect(jpCategory(normaliseListDomain('会社.北海道.jp')!)).toBe('hokkaido.jp');
    expect(jpCategory(normaliseListDomain('例え.神奈川.jp')!)).toBe('kanagawa.jp');
  });

  it('puts old geographic-type names under their prefecture too', () => {
    expect(jpCategory('pref.tokyo.jp')).toBe('tokyo.jp');
    expect(jpCategory('metro.tokyo.jp')).toBe('tokyo.jp');
    expect(jpCategory('city.chiyoda.tokyo.jp')).toBe('tokyo.jp');
    expect(jpCategory('town.example.nagano.jp')).toBe('nagano.jp');
    expect(jpCategory('school.kita.osaka.jp')).toBe('osaka.jp');
    // Designated cities have their own second level; they count with their prefecture.
    expect(jpCategory('city.yokohama.jp')).toBe('kanagawa.jp');
    expect(jpCategory('city.kawasaki.jp')).toBe('kanagawa.jp');
    expect(jpCategory('library.naka.nagoya.jp')).toBe('aichi.jp');
    expect(jpCategory('city.kitakyushu.jp')).toBe('fukuoka.jp');
  });

  it('keeps names outside .jp apart', () => {
    expect(jpCategory('example.com')).toBe('other');
    expect(jpCategory('example.co.uk')).toBe('other');
    expect(jpCategory('jp.example.com')).toBe('other');
  });
});

describe('tld categoriser', () => {
  it('takes the last label', () => {
    expect(tldCategory('example.co.jp')).toBe('jp');
    expect(tldCategory('example.com')).toBe('com');
    expect(builtInCategoriser('tld')!('a.example.org')).toEqual({ category: 'org' });
    expect(builtInCategoriser('jp')!('a.go.jp')).toEqual({ category: 'go.jp' });
    expect(builtInCategoriser('nope')).toBeUndefined();
  });
});

describe('CSV mapping', () => {
  it('maps a domain, or its nearest listed parent, to its category and organisation', () => {
    const map = new CategoryMap();
    map.set('example.co.jp', { category: 'retail', organisation: 'Example KK' });
    map.set('shop.example.co.jp', { category: 'ecommerce' });
    const categorise = map.categoriser();
    expect(categorise('example.co.jp')).toEqual({ category: 'retail', organisation: 'Example KK' });
    expect(categorise('mail.example.co.jp')).toEqual({ category: 'retail', organisation: 'Example KK' });
    expect(categorise('www.shop.example.co.jp')).toEqual({ category: 'ecommerce' });
    expect(categorise('other.co.jp')).toEqual({ category: 'other' });
    expect(map.size).toBe(2);
  });
});
