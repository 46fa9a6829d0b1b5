import { describe, expect, it } from 'vitest';
import { knownSenders } from '../../../src/analysis/senders/catalogue.ts';
import { hasSuffix, matchSender } from '../../../src/analysis/senders/match.ts';

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const CATEGORIES = ['mailbox-provider', 'esp', 'crm', 'helpdesk', 'marketing', 'isp', 'hosting'];

describe('known-sender catalogue', () => {
  it('has unique kebab-case ids, names and a category', () => {
    const ids = knownSenders.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of knownSenders) {
      expect(s.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(s.name.en).not.toBe('');
      if (s.name.ja !== undefined) expect(s.name.ja).not.toBe(s.name.en);
      expect(CATEGORIES).toContain(s.category);
      expect(s.rules.length, s.id).toBeGreaterThan(0);
    }
  });

  it('has well-formed rules: lower-case domain names of two labels or more, with a source', () => {
    for (const s of knownSenders) {
      for (const r of s.rules) {
        const labels = r.suffix.split('.');
        expect(labels.length, `${s.id} ${r.suffix}`).toBeGreaterThanOrEqual(2);
        for (const label of labels) expect(label, `${s.id} ${r.suffix}`).toMatch(LABEL);
        expect(r.suffix.length).toBeLessThanOrEqual(253);
        expect(r.source.length, `${s.id} ${r.suffix} source`).toBeGreaterThan(10);
      }
    }
  });

  it('never gives one suffix of one kind to two entries, nor twice to one', () => {
    const seen = new Map<string, string>();
    for (const s of knownSenders) {
      for (const r of s.rules) {
        const key = `${r.kind} ${r.suffix}`;
        expect(seen.get(key), key).toBeUndefined();
        seen.set(key, s.id);
      }
    }
  });

  it('never nests one entry’s suffix under another entry’s suffix of the same kind', () => {
    const rules = knownSenders.flatMap((s) => s.rules.map((r) => ({ id: s.id, ...r })));
    for (const a of rules) {
      for (const b of rules) {
        if (a.id === b.id || a.kind !== b.kind) continue;
        expect(hasSuffix(a.suffix, b.suffix), `${a.id} ${a.suffix} under ${b.id} ${b.suffix}`).toBe(false);
      }
    }
  });

  it('covers the services the issue names', () => {
    const ids = knownSenders.map((s) => s.id);
    for (const id of [
      'google-workspace',
      'microsoft-365',
      'amazon-ses',
      'sendgrid',
      'mailchimp',
      'salesforce',
      'zendesk',
      'hubspot',
      'mailgun',
      'postmark',
      'sparkpost',
      'marketo',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it('matches each rule by its own suffix and by a name below it', () => {
    for (const s of knownSenders) {
      for (const r of s.rules) {
        const evidence =
          r.kind === 'ptr'
            ? { ptr: `host-1.${r.suffix}` }
            : r.kind === 'dkim'
              ? { dkimDomains: [r.suffix] }
              : { spfDomains: [`bounce.${r.suffix}`] };
        expect(matchSender(evidence)?.sender.id, `${s.id} ${r.kind} ${r.suffix}`).toBe(s.id);
      }
    }
  });
});

describe('matchSender', () => {
  it('matches PTR suffixes on label boundaries, case-insensitively, with a trailing dot', () => {
    expect(matchSender({ ptr: 'mail-sor-f41.google.com' })?.sender.id).toBe('google-workspace');
    expect(matchSender({ ptr: 'MAIL-SOR-F41.Google.COM.' })?.sender.id).toBe('google-workspace');
    expect(matchSender({ ptr: 'google.com' })?.sender.id).toBe('google-workspace');
  });

  it('does not match look-alike names', () => {
    for (const ptr of [
      'evil-google.com',
      'mail.evil-google.com',
      'google.com.evil.example',
      'notsendgrid.net',
      'xsakura.ne.jp',
      'amazonses.com.attacker.jp',
      'mcsv.network',
    ]) {
      expect(matchSender({ ptr }), ptr).toBeUndefined();
    }
    expect(matchSender({ dkimDomains: ['my-onmicrosoft.com'] })).toBeUndefined();
    expect(matchSender({ spfDomains: ['fakesendgrid.net'] })).toBeUndefined();
  });

  it('says which rule matched and which name matched it', () => {
    const m = matchSender({ spfDomains: ['Bounces.Pm.Mtasv.Net'] });
    expect(m?.sender.id).toBe('postmark');
    expect(m?.rule).toMatchObject({ kind: 'bounce', suffix: 'pm.mtasv.net' });
    expect(m?.matched).toBe('bounces.pm.mtasv.net');
  });

  it('compares evidence only with rules of its kind', () => {
    // mandrillapp.com is a PTR, DKIM and bounce rule; gappssmtp.com only a DKIM rule.
    expect(matchSender({ ptr: 'example.gappssmtp.com' })).toBeUndefined();
    expect(matchSender({ spfDomains: ['example.20230601.gappssmtp.com'] })).toBeUndefined();
    expect(matchSender({ dkimDomains: ['example.20230601.gappssmtp.com'] })?.sender.id).toBe(
      'google-workspace',
    );
  });

  it('weighs the PTR before DKIM and DKIM before SPF', () => {
    const evidence = {
      ptr: 'o1.ptr2.sendgrid.net',
      dkimDomains: ['amazonses.com'],
      spfDomains: ['mcsv.net'],
    };
    expect(matchSender(evidence)?.sender.id).toBe('sendgrid');
    expect(matchSender({ ...evidence, ptr: 'unknown.example' })?.sender.id).toBe('amazon-ses');
    expect(matchSender({ spfDomains: ['example.jp', 'mcsv.net'] })?.sender.id).toBe('mailchimp');
  });

  it('returns nothing without evidence', () => {
    expect(matchSender({})).toBeUndefined();
    expect(matchSender({ ptr: '', spfDomains: [], dkimDomains: [] })).toBeUndefined();
  });

  it('knows Japanese providers', () => {
    expect(matchSender({ ptr: 'sv1234.xserver.jp' })?.sender.id).toBe('xserver');
    expect(matchSender({ ptr: 'www1234.sakura.ne.jp' })?.sender.name.ja).toBe('さくらインターネット');
    expect(matchSender({ ptr: 'p1234-ipngn100.tokyo.ocn.ne.jp' })?.sender.category).toBe('isp');
    expect(matchSender({ dkimDomains: ['crmstyle.com'] })?.sender.id).toBe('synergy-lead');
  });
});
