import { domainToASCII } from 'node:url';

/**
 * Categorisers: which category (and organisation) a domain belongs to. Built in: `jp`
 * (JPRS's .jp name types), `tld`; and a CSV mapping loaded by the caller.
 */

/** A domain's place in the survey: category always, organisation when known. */
export interface Placement {
  category: string;
  organisation?: string;
}

export type Categoriser = (domain: string) => Placement;

/** JPRS attribute-type second-level labels (属性型): one organisation type each. */
export const JP_ATTRIBUTE_TYPES = ['co', 'ne', 'or', 'ac', 'go', 'lg', 'ed', 'gr', 'ad'] as const;

/** The 47 prefecture labels of prefecture-type (都道府県型) and old geographic-type (地域型) names. */
export const JP_PREFECTURES: readonly (readonly [ascii: string, kanji: string])[] = [
  ['hokkaido', '北海道'],
  ['aomori', '青森'],
  ['iwate', '岩手'],
  ['miyagi', '宮城'],
  ['akita', '秋田'],
  ['yamagata', '山形'],
  ['fukushima', '福島'],
  ['ibaraki', '茨城'],
  ['tochigi', '栃木'],
  ['gunma', '群馬'],
  ['saitama', '埼玉'],
  ['chiba', '千葉'],
  ['tokyo', '東京'],
  ['kanagawa', '神奈川'],
  ['niigata', '新潟'],
  ['toyama', '富山'],
  ['ishikawa', '石川'],
  ['fukui', '福井'],
  ['yamanashi', '山梨'],
  ['nagano', '長野'],
  ['gifu', '岐阜'],
  ['shizuoka', '静岡'],
  ['aichi', '愛知'],
  ['mie', '三重'],
  ['shiga', '滋賀'],
  ['kyoto', '京都'],
  ['osaka', '大阪'],
  ['hyogo', '兵庫'],
  ['nara', '奈良'],
  ['wakayama', '和歌山'],
  ['tottori', '鳥取'],
  ['shimane', '島根'],
  ['okayama', '岡山'],
  ['hiroshima', '広島'],
  ['yamaguchi', '山口'],
  ['tokushima', '徳島'],
  ['kagawa', '香川'],
  ['ehime', '愛媛'],
  ['kochi', '高知'],
  ['fukuoka', '福岡'],
  ['saga', '佐賀'],
  ['nagasaki', '長崎'],
  ['kumamoto', '熊本'],
  ['oita', '大分'],
  ['miyazaki', '宮崎'],
  ['kagoshima', '鹿児島'],
  ['okinawa', '沖縄'],
];

/**
 * Designated cities (政令指定都市) with their own second-level label in the old geographic
 * type (`city.yokohama.jp`, `<org>.<ward>.yokohama.jp`): counted with their prefecture.
 */
export const JP_DESIGNATED_CITIES: Readonly<Record<string, string>> = {
  sapporo: 'hokkaido',
  sendai: 'miyagi',
  yokohama: 'kanagawa',
  kawasaki: 'kanagawa',
  nagoya: 'aichi',
  kobe: 'hyogo',
  kitakyushu: 'fukuoka',
};

const ATTRIBUTE = new Set<string>(JP_ATTRIBUTE_TYPES);
/** Second-level label (ASCII or the A-label of the kanji name) -> prefecture's ASCII label. */
const PREFECTURE_OF = new Map<string, string>();
for (const [ascii, kanji] of JP_PREFECTURES) {
  PREFECTURE_OF.set(ascii, ascii);
  PREFECTURE_OF.set(domainToASCII(`${kanji}.jp`).split('.')[0]!, ascii);
}
for (const [city, prefecture] of Object.entries(JP_DESIGNATED_CITIES)) PREFECTURE_OF.set(city, prefecture);

/** Category for domains outside the categoriser's scope (a .com name under `jp`). */
export const OTHER_CATEGORY = 'other';

/**
 * JPRS's .jp name types: attribute types by their second level (`example.co.jp` -> `co.jp`);
 * prefecture-type (`example.tokyo.jp`, also `例え.東京.jp`) and old geographic-type names
 * (`pref.tokyo.jp`, `city.chiyoda.tokyo.jp`, `<org>.<city>.<pref>.jp`, `city.yokohama.jp`)
 * by prefecture as `<pref>.jp` (`tokyo.jp`); every other .jp name is general-use: `jp`.
 * Subdomains go with the name they are under.
 */
export function jpCategory(domain: string): string {
  const labels = domain.split('.');
  if (labels[labels.length - 1] !== 'jp') return OTHER_CATEGORY;
  if (labels.length < 3) return 'jp';
  const second = labels[labels.length - 2]!;
  if (ATTRIBUTE.has(second)) return `${second}.jp`;
  const prefecture = PREFECTURE_OF.get(second);
  return prefecture ? `${prefecture}.jp` : 'jp';
}

/** The last label: `jp`, `com`, `org`. */
export function tldCategory(domain: string): string {
  return domain.slice(domain.lastIndexOf('.') + 1);
}

/**
 * A domain -> category/organisation mapping (from a CSV file). A domain not in the map takes
 * the entry of its nearest listed parent (`www.example.co.jp` takes `example.co.jp`'s).
 */
export class CategoryMap {
  private readonly entries = new Map<string, Placement>();

  set(domain: string, placement: Placement): void {
    this.entries.set(domain, placement);
  }

  get size(): number {
    return this.entries.size;
  }

  lookup(domain: string): Placement | undefined {
    for (let name = domain; ; ) {
      const hit = this.entries.get(name);
      if (hit) return hit;
      const dot = name.indexOf('.');
      if (dot === -1) return undefined;
      name = name.slice(dot + 1);
    }
  }

  categoriser(fallback = OTHER_CATEGORY): Categoriser {
    return (domain) => this.lookup(domain) ?? { category: fallback };
  }
}

/** `jp` and `tld` as categorisers; anything else is a mapping file the caller loads. */
export function builtInCategoriser(name: string): Categoriser | undefined {
  if (name === 'jp') return (domain) => ({ category: jpCategory(domain) });
  if (name === 'tld') return (domain) => ({ category: tldCategory(domain) });
  return undefined;
}
