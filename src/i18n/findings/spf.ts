import type { FindingCatalog } from '../catalog.ts';

export const spfFindings = {
  'spf-missing': {
    severity: 'error',
    protocol: 'spf',
    en: {
      title: 'No SPF record',
      message: (a) => `${a.domain} publishes no SPF record (no TXT record starting with "v=spf1").`,
      why: 'Without SPF, receivers cannot tell which servers may send for the domain, and DMARC can only pass through DKIM.',
      fix: (a) =>
        `Publish a TXT record at ${a.domain} listing every server that sends its mail, ending in -all; if the domain sends no mail, publish "v=spf1 -all".`,
    },
    ja: {
      title: 'SPF レコードがありません',
      message: (a) => `${a.domain} に SPF レコード（"v=spf1" で始まる TXT レコード）がありません。`,
      why: 'SPF がないと、受信側はどのサーバーがこのドメインのメールを送ってよいか判断できず、DMARC は DKIM でしか合格できません。',
      fix: (a) =>
        `${a.domain} に、メールを送るすべてのサーバーを列挙し -all で終わる TXT レコードを公開してください。メールを送らないドメインなら "v=spf1 -all" を公開してください。`,
    },
  },
} satisfies FindingCatalog;
