/**
 * Selectors tried when none are given. DKIM selectors cannot be listed from DNS, so this is
 * a guess list: the fixed selectors of the mail services and software most domains use.
 * Services that generate per-customer random selectors (Amazon SES, SparkPost, Postmark,
 * HubSpot) cannot be guessed and are deliberately absent; each entry costs one TXT query.
 */
export const COMMON_DKIM_SELECTORS: readonly string[] = [
  // Google Workspace
  'google',
  // Microsoft 365 (CNAMEs to <selector>-<domain>._domainkey.<tenant>.onmicrosoft.com)
  'selector1',
  'selector2',
  // Mailchimp / Mandrill
  'k1',
  'k2',
  'k3',
  'mandrill',
  // SendGrid and many others
  's1',
  's2',
  // cPanel, Plesk, rspamd and most hosting control panels; OpenDKIM examples
  'default',
  'dkim',
  'mail',
  'smtp',
  'mx',
  'key1',
  'key2',
  // Yahoo-era and year-named RSA keys
  's1024',
  's2048',
  // Apple iCloud custom domains
  'sig1',
  // Fastmail
  'fm1',
  'fm2',
  'fm3',
  // Proton Mail
  'protonmail',
  'protonmail2',
  'protonmail3',
  // Zoho Mail
  'zoho',
  'zmail',
  // Mailjet, Zendesk
  'mailjet',
  'zendesk1',
  'zendesk2',
  // Everlytic, MXroute
  'everlytickey1',
  'everlytickey2',
  'mxvault',
];
