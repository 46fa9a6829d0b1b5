/**
 * Known senders: mail services whose servers, SPF includes and DKIM signing domains show up
 * in the aggregate reports of a domain. Pure data. Every rule carries `source`: where the
 * suffix comes from. A rule is listed only when it is documented by the operator or is a
 * well-known hostname of its mail servers; a service whose names we could not confirm has
 * fewer rules (or is left out) rather than a guessed one.
 *
 * Rule kinds:
 * - `ptr`: suffix of the reverse-DNS name of the sending IP (forward-confirmed by the caller).
 * - `spf`: domain the service asks customers to `include:` in their SPF record.
 * - `dkim`: the service's own DKIM d= domain, used when the customer has not set up a custom
 *   DKIM domain (the signature passes but does not align with the From domain).
 * - `bounce`: the service's own return-path (MAIL FROM) domain, used when the customer has not
 *   set up a custom return-path (SPF passes for it but does not align).
 */

export type SenderCategory =
  | 'mailbox-provider'
  | 'esp'
  | 'crm'
  | 'helpdesk'
  | 'marketing'
  | 'isp'
  | 'hosting';

export type SenderRuleKind = 'ptr' | 'spf' | 'dkim' | 'bounce';

export interface SenderRule {
  kind: SenderRuleKind;
  /** Lower-case domain name; matches itself and any name below it. */
  suffix: string;
  /** Where the rule comes from. */
  source: string;
}

export interface KnownSender {
  /** Stable kebab-case id, kept in the store and the JSON output. */
  id: string;
  /** Display name; `ja` only where it differs from `en`. */
  name: { en: string; ja?: string };
  category: SenderCategory;
  rules: SenderRule[];
}

const rule = (kind: SenderRuleKind, suffix: string, source: string): SenderRule => ({
  kind,
  suffix,
  source,
});

/** Operator-owned domain: any PTR name under it is one of the operator's hosts. */
const OWNED = 'registered domain of the operator; its PTR names sit under it';

export const knownSenders: readonly KnownSender[] = [
  // Mailbox providers
  {
    id: 'google-workspace',
    name: { en: 'Google Workspace / Gmail' },
    category: 'mailbox-provider',
    rules: [
      rule('ptr', 'google.com', 'outbound servers are mail-*.google.com'),
      rule('spf', '_spf.google.com', 'Google Workspace help: "include:_spf.google.com"'),
      rule(
        'dkim',
        'gappssmtp.com',
        'Google Workspace signs with d=<domain>.<date>.gappssmtp.com until custom DKIM is set up',
      ),
    ],
  },
  {
    id: 'microsoft-365',
    name: { en: 'Microsoft 365 / Exchange Online' },
    category: 'mailbox-provider',
    rules: [
      rule(
        'ptr',
        'outbound.protection.outlook.com',
        'Exchange Online Protection outbound hosts are mail-*.outbound.protection.outlook.com',
      ),
      rule('spf', 'spf.protection.outlook.com', 'Microsoft Learn: "include:spf.protection.outlook.com"'),
      rule(
        'dkim',
        'onmicrosoft.com',
        'Microsoft Learn: default DKIM signing uses the <tenant>.onmicrosoft.com domain',
      ),
    ],
  },
  // ESPs
  {
    id: 'amazon-ses',
    name: { en: 'Amazon SES' },
    category: 'esp',
    rules: [
      rule('ptr', 'amazonses.com', 'sending hosts are *.smtp-out.amazonses.com'),
      rule('spf', 'amazonses.com', 'SES developer guide: "include:amazonses.com"'),
      rule('dkim', 'amazonses.com', 'SES signs every message with d=amazonses.com'),
      rule(
        'bounce',
        'amazonses.com',
        'SES developer guide: default MAIL FROM is a subdomain of amazonses.com',
      ),
    ],
  },
  {
    id: 'sendgrid',
    name: { en: 'Twilio SendGrid' },
    category: 'esp',
    rules: [
      rule('ptr', 'sendgrid.net', 'sending hosts are *.sendgrid.net'),
      rule('spf', 'sendgrid.net', 'SendGrid docs: "include:sendgrid.net"'),
      rule(
        'dkim',
        'sendgrid.info',
        'SendGrid docs: without domain authentication mail is signed d=sendgrid.info',
      ),
      rule(
        'bounce',
        'sendgrid.net',
        'SendGrid docs: without domain authentication the return-path is under sendgrid.net',
      ),
    ],
  },
  {
    id: 'mailchimp',
    name: { en: 'Mailchimp / Mandrill' },
    category: 'marketing',
    rules: [
      rule('ptr', 'mcsv.net', 'Mailchimp sending hosts are mail*.mcsv.net'),
      rule('ptr', 'rsgsv.net', 'Mailchimp sending hosts are mail*.rsgsv.net'),
      rule('ptr', 'mandrillapp.com', 'Mandrill sending hosts are mail*.mandrillapp.com'),
      rule('spf', 'servers.mcsv.net', 'Mailchimp help: "include:servers.mcsv.net"'),
      rule('spf', 'spf.mandrillapp.com', 'Mandrill docs: "include:spf.mandrillapp.com"'),
      rule('dkim', 'mcsv.net', 'Mailchimp signs with d=mcsv.net until a domain is authenticated'),
      rule('dkim', 'mandrillapp.com', 'Mandrill signs with d=mandrillapp.com by default'),
      rule('bounce', 'mcsv.net', 'Mailchimp return-path is bounce-mc.*@*.mcsv.net'),
      rule('bounce', 'mandrillapp.com', 'Mandrill return-path is bounce-md_*@*.mandrillapp.com'),
    ],
  },
  {
    id: 'mailgun',
    name: { en: 'Mailgun' },
    category: 'esp',
    rules: [
      rule('ptr', 'mailgun.net', 'sending hosts are *.mailgun.net'),
      rule('spf', 'mailgun.org', 'Mailgun docs: "include:mailgun.org"'),
    ],
  },
  {
    id: 'postmark',
    name: { en: 'Postmark' },
    category: 'esp',
    rules: [
      rule('ptr', 'mtasv.net', 'Postmark sending hosts are *.mtasv.net'),
      rule('spf', 'spf.mtasv.net', 'Postmark docs: "include:spf.mtasv.net"'),
      rule(
        'dkim',
        'pm.mtasv.net',
        'Postmark docs: without a DKIM record for the domain it signs d=pm.mtasv.net',
      ),
      rule('bounce', 'pm.mtasv.net', 'Postmark docs: default return-path pm_bounces@pm.mtasv.net'),
    ],
  },
  {
    id: 'sparkpost',
    name: { en: 'SparkPost (Bird)' },
    category: 'esp',
    rules: [
      rule('ptr', 'sparkpostmail.com', 'sending hosts are mta*.sparkpostmail.com'),
      rule('spf', 'sparkpostmail.com', 'SparkPost docs: "include:sparkpostmail.com"'),
      rule('bounce', 'sparkpostmail.com', 'SparkPost docs: default return-path is under sparkpostmail.com'),
    ],
  },
  // CRM / marketing automation
  {
    id: 'salesforce',
    name: { en: 'Salesforce' },
    category: 'crm',
    rules: [rule('spf', '_spf.salesforce.com', 'Salesforce help: "include:_spf.salesforce.com"')],
  },
  {
    id: 'salesforce-marketing-cloud',
    name: { en: 'Salesforce Marketing Cloud' },
    category: 'marketing',
    rules: [
      rule('ptr', 'exacttarget.com', 'Marketing Cloud (ExactTarget) sending hosts are *.exacttarget.com'),
      rule('spf', 'cust-spf.exacttarget.com', 'Marketing Cloud help: "include:cust-spf.exacttarget.com"'),
    ],
  },
  {
    id: 'pardot',
    name: { en: 'Salesforce Account Engagement (Pardot)' },
    category: 'marketing',
    rules: [rule('spf', 'aspmx.pardot.com', 'Pardot help: "include:aspmx.pardot.com"')],
  },
  {
    id: 'hubspot',
    name: { en: 'HubSpot' },
    category: 'crm',
    rules: [
      rule('ptr', 'hubspotemail.net', 'HubSpot sending hosts are *.hubspotemail.net'),
      rule(
        'bounce',
        'hubspotemail.net',
        'HubSpot shared IPs: the envelope from is a subdomain of hubspotemail.net (dmarc.wiki/hubspot)',
      ),
    ],
  },
  {
    id: 'marketo',
    name: { en: 'Adobe Marketo Engage' },
    category: 'marketing',
    rules: [
      rule('spf', 'mktomail.com', 'Marketo docs: "include:mktomail.com"'),
      rule('bounce', 'mktomail.com', 'Marketo docs: default return-path is under mktomail.com'),
    ],
  },
  {
    id: 'zendesk',
    name: { en: 'Zendesk' },
    category: 'helpdesk',
    rules: [
      rule('ptr', 'zdsys.com', 'Zendesk outbound hosts are out*.zdsys.com'),
      rule('spf', 'mail.zendesk.com', 'Zendesk help: "include:mail.zendesk.com"'),
    ],
  },
  // Japanese ESPs
  {
    id: 'benchmark-email',
    name: { en: 'Benchmark Email', ja: 'ベンチマークEメール' },
    category: 'marketing',
    rules: [
      rule('ptr', 'bmsend.com', 'Benchmark Email sending hosts are *.bmsend.com'),
      rule('spf', 'bmsend.com', 'SPF set-up guides for Benchmark Email: "include:bmsend.com"'),
    ],
  },
  {
    id: 'synergy-lead',
    name: { en: 'Synergy!LEAD (Synergy Marketing)', ja: 'Synergy!LEAD（シナジーマーケティング）' },
    category: 'marketing',
    rules: [
      rule('spf', 'crmstyle.com', 'Synergy!LEAD FAQ (SenderID/SPF): "v=spf1 include:crmstyle.com ~all"'),
      rule(
        'dkim',
        'crmstyle.com',
        'Synergy!LEAD FAQ: without an author signature Gmail shows "via crmstyle.com" (third-party DKIM d=crmstyle.com)',
      ),
    ],
  },
  {
    id: 'cuenote',
    name: { en: 'Cuenote (Yoyaku)', ja: 'Cuenote（ユミルリンク）' },
    category: 'esp',
    rules: [rule('ptr', 'cuenote.ne.jp', `${OWNED} (its support guides are on cuenote.ne.jp)`)],
  },
  {
    id: 'haihai-mail',
    name: { en: 'Haihai Mail', ja: '配配メール' },
    category: 'marketing',
    rules: [
      rule('spf', 'spf.haihaimail.jp', 'Haihai Mail support, SPF settings: "include:spf.haihaimail.jp"'),
    ],
  },
  {
    id: 'blastmail',
    name: { en: 'blastmail', ja: 'ブラストメール' },
    category: 'marketing',
    rules: [rule('ptr', 'blastmail.jp', OWNED)],
  },
  // Japanese ISPs
  {
    id: 'kddi-au',
    name: { en: 'KDDI / au one net' },
    category: 'isp',
    rules: [
      rule('ptr', 'dion.ne.jp', 'KDDI (DION / au one net) subscriber and relay hosts'),
      rule('ptr', 'au-net.ne.jp', 'KDDI au subscriber hosts are *.au-net.ne.jp'),
    ],
  },
  {
    id: 'ntt-docomo',
    name: { en: 'NTT Docomo', ja: 'NTTドコモ' },
    category: 'isp',
    rules: [rule('ptr', 'spmode.ne.jp', 'sp-mode (Docomo ISP) hosts are *.spmode.ne.jp')],
  },
  {
    id: 'softbank',
    name: { en: 'SoftBank', ja: 'ソフトバンク' },
    category: 'isp',
    rules: [rule('ptr', 'bbtec.net', 'SoftBank BB (Yahoo! BB) subscriber hosts are *.bbtec.net')],
  },
  {
    id: 'ocn',
    name: { en: 'OCN (NTT)' },
    category: 'isp',
    rules: [rule('ptr', 'ocn.ne.jp', OWNED)],
  },
  {
    id: 'biglobe',
    name: { en: 'BIGLOBE' },
    category: 'isp',
    rules: [
      rule('ptr', 'biglobe.ne.jp', OWNED),
      rule('ptr', 'mesh.ad.jp', 'BIGLOBE subscriber hosts are *.mesh.ad.jp'),
    ],
  },
  {
    id: 'nifty',
    name: { en: '@nifty' },
    category: 'isp',
    rules: [rule('ptr', 'nifty.com', OWNED)],
  },
  {
    id: 'so-net',
    name: { en: 'So-net' },
    category: 'isp',
    rules: [rule('ptr', 'so-net.ne.jp', OWNED)],
  },
  // Japanese hosting
  {
    id: 'sakura-internet',
    name: { en: 'Sakura Internet', ja: 'さくらインターネット' },
    category: 'hosting',
    rules: [rule('ptr', 'sakura.ne.jp', 'rental server hosts are www*.sakura.ne.jp')],
  },
  {
    id: 'xserver',
    name: { en: 'Xserver', ja: 'エックスサーバー' },
    category: 'hosting',
    rules: [
      rule('ptr', 'xserver.jp', 'server hosts are sv*.xserver.jp'),
      rule('spf', 'spf.sender.xserver.jp', 'Xserver manual: "include:spf.sender.xserver.jp"'),
    ],
  },
  {
    id: 'gmo-conoha',
    name: { en: 'GMO ConoHa' },
    category: 'hosting',
    rules: [rule('ptr', 'cnode.io', 'ConoHa VPS hosts are *.static.cnode.io')],
  },
  {
    id: 'cpi',
    name: { en: 'CPI (KDDI Web Communications)', ja: 'CPI（KDDIウェブコミュニケーションズ）' },
    category: 'hosting',
    rules: [rule('ptr', 'cpi.ad.jp', OWNED)],
  },
];
