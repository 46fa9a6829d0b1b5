import type { UiCatalog } from './catalog.ts';

/**
 * Words of the analysis: why a sender's mail passes or fails DMARC, and what to do about it.
 * `{sender}` is the known sender's display name (or "this sender" when unknown), `{domain}`
 * the From domain, `{dkimDomain}` / `{spfDomain}` the domain that passed without aligning.
 */
export const analysisText = {
  'sender.unknown': { en: 'this sender', ja: 'この送信元' },
  'category.mailbox-provider': { en: 'mailbox provider', ja: 'メールボックスプロバイダー' },
  'category.esp': { en: 'email delivery service', ja: 'メール配信サービス' },
  'category.crm': { en: 'CRM', ja: 'CRM' },
  'category.helpdesk': { en: 'helpdesk', ja: 'ヘルプデスク' },
  'category.marketing': { en: 'marketing email', ja: 'マーケティングメール' },
  'category.isp': { en: 'internet provider', ja: 'インターネットプロバイダー' },
  'category.hosting': { en: 'hosting', ja: 'ホスティング' },

  'reason.aligned-pass': {
    en: 'Passes DMARC: authenticated as {domain}.',
    ja: 'DMARC に合格しています（{domain} として認証済み）。',
  },
  'reason.not-signed': {
    en: 'Mail from {sender} is sent as {domain} without a DKIM signature, and its servers are not in the SPF record of {domain}.',
    ja: '{sender} は DKIM 署名なしで {domain} として送信しており、その送信サーバーは {domain} の SPF レコードに含まれていません。',
  },
  'fix.not-signed': {
    en: 'Turn on DKIM signing for {domain} in {sender} and publish the DKIM key it gives you; if it sends with {domain} as the return-path, also add its servers to the SPF record of {domain}.',
    ja: '{sender} で {domain} の DKIM 署名を有効にし、提示される DKIM 公開鍵を DNS に登録してください。{domain} をエンベロープ送信者（Return-Path）に使う場合は、その送信サーバーを {domain} の SPF レコードにも追加してください。',
  },
  'reason.signed-by-esp-domain': {
    en: 'Mail from {sender} is signed with its own domain ({dkimDomain}), not with {domain}: the DKIM signature passes but does not align.',
    ja: '{sender} は {domain} ではなく自社のドメイン（{dkimDomain}）で DKIM 署名しているため、署名は有効でもアライメントしていません。',
  },
  'fix.signed-by-esp-domain': {
    en: 'Set up a custom DKIM domain in {sender} (often called domain authentication): publish the DKIM records it gives you under {domain}, so that it signs with d={domain} instead of d={dkimDomain}.',
    ja: '{sender} で独自ドメインの DKIM 署名（ドメイン認証などと呼ばれる設定）を行い、提示される DKIM レコードを {domain} に登録して、d={dkimDomain} ではなく d={domain} で署名されるようにしてください。',
  },
  'reason.spf-esp-bounce-not-aligned': {
    en: "SPF passes for {sender}'s bounce domain ({spfDomain}), not for {domain}: SPF passes but does not align.",
    ja: 'SPF は {sender} のバウンス用ドメイン（{spfDomain}）で合格していますが、{domain} ではないためアライメントしていません。',
  },
  'fix.spf-esp-bounce-not-aligned': {
    en: 'Set up a custom return-path (bounce domain) in {sender}: a subdomain of {domain} such as bounce.{domain}, with the CNAME or MX and SPF records it gives you, so that the envelope sender is under {domain} instead of {spfDomain}.',
    ja: '{sender} で独自のエンベロープ送信者（Return-Path、バウンス用ドメイン）を設定してください。bounce.{domain} など {domain} のサブドメインに、提示される CNAME または MX と SPF のレコードを登録すると、エンベロープ送信者が {spfDomain} ではなく {domain} 配下になります。',
  },
  'reason.forwarded': {
    en: 'Forwarded: the message reached the receiver through another server, so SPF for {domain} fails; only an intact DKIM signature can carry it.',
    ja: '転送されたメールです。別のサーバーを経由して届いたため {domain} の SPF は失敗し、DMARC に合格できるのは DKIM 署名が壊れていない場合だけです。',
  },
  'fix.forwarded': {
    en: 'Nothing to change at the forwarder: make sure every legitimate sender of {domain} signs with an aligned DKIM signature (d={domain}), which survives forwarding.',
    ja: '転送元で変更する必要はありません。{domain} の正規の送信元すべてが、転送後も有効なアライメントした DKIM 署名（d={domain}）を付けるようにしてください。',
  },
  'reason.mailing-list': {
    en: "Mailing list: the list changed the message (subject tag, footer), which broke {domain}'s DKIM signature, and it resends from its own server.",
    ja: 'メーリングリストです。件名の付加やフッターの追加でメッセージが変更されて {domain} の DKIM 署名が無効になり、リスト自身のサーバーから再送されています。',
  },
  'fix.mailing-list': {
    en: "Nothing to change in {domain}'s records: receivers that trust the list's ARC seal accept it; lists that rewrite the From address avoid the failure. Check that these are lists your users really post to.",
    ja: '{domain} のレコードを変更する必要はありません。リストの ARC 署名を信頼する受信側は受け入れ、From を書き換えるリストでは失敗しません。利用者が実際に投稿しているメーリングリストかどうか確認してください。',
  },
  'reason.spoofing': {
    en: 'Neither SPF nor DKIM authenticates {domain}, and the sender is not a known service: likely spoofing.',
    ja: 'SPF でも DKIM でも {domain} として認証されず、既知のサービスでもありません。なりすましの可能性があります。',
  },
  'fix.spoofing': {
    en: 'If this is not your mail, p=reject for {domain} will block it once your own senders pass; if it is yours, set up SPF and DKIM for {domain} on that server.',
    ja: '自組織のメールでなければ、正規の送信元がすべて合格した時点で {domain} を p=reject にすると遮断できます。自組織のメールであれば、そのサーバーで {domain} の SPF と DKIM を設定してください。',
  },
} satisfies UiCatalog;
