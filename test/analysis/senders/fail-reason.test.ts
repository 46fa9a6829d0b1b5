import { describe, expect, it } from 'vitest';
import { failReason, type ReasonRow } from '../../../src/analysis/senders/fail-reason.ts';
import { describeFailReason } from '../../../src/analysis/senders/words.ts';
import { analysisText } from '../../../src/i18n/analysis.ts';
import { pslOrgDomain } from '../../../src/records/org-domain.ts';

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

function row(
  over: Partial<ReasonRow> & {
    dkim?: ReasonRow['authResults']['dkim'];
    spf?: ReasonRow['authResults']['spf'];
  },
): ReasonRow {
  const { dkim = [], spf = [], ...rest } = over;
  return { headerFrom: 'example.co.jp', authResults: { dkim, spf }, ...rest };
}

const reason = (r: ReasonRow) => failReason(r, pslOrgDomain);

describe('failReason', () => {
  it('aligned-pass through DKIM, SPF or both', () => {
    const dkim = [{ domain: 'example.co.jp', selector: 's1', result: 'pass' }];
    const spf = [{ domain: 'mail.example.co.jp', scope: 'mfrom', result: 'pass' }];
    expect(reason(row({ dkim }))).toMatchObject({
      code: 'aligned-pass',
      dmarc: 'pass',
      args: { via: 'dkim' },
    });
    expect(reason(row({ spf }))).toMatchObject({
      code: 'aligned-pass',
      args: { via: 'spf' },
      spfAligned: true,
    });
    expect(reason(row({ dkim, spf })).args).toEqual({ domain: 'example.co.jp', via: 'both' });
  });

  it('strict aspf / adkim: a subdomain no longer aligns', () => {
    const spf = [{ domain: 'mail.example.co.jp', scope: 'mfrom', result: 'pass' }];
    const dkim = [{ domain: 'mail.example.co.jp', selector: 's1', result: 'pass' }];
    expect(reason(row({ spf, aspf: 's' })).dmarc).toBe('fail');
    expect(reason(row({ dkim, adkim: 's' })).dmarc).toBe('fail');
    expect(reason(row({ dkim, adkim: 's', aspf: 's', spf })).code).toBe('signed-by-esp-domain');
  });

  it('falls back on policy_evaluated where the reporter lists no auth results', () => {
    const r = reason(row({ policyEvaluated: { dkim: 'pass', spf: 'fail' } }));
    expect(r).toMatchObject({ code: 'aligned-pass', dkimAligned: true, spfAligned: false });
  });

  it('judges SPF alignment on the return-path, not on HELO', () => {
    const spf = [{ domain: 'example.co.jp', scope: 'helo', result: 'pass' }];
    expect(reason(row({ spf })).code).toBe('spoofing');
  });

  it('not-signed: a known sender (by PTR) or an authorised one that did not sign', () => {
    const spf = [{ domain: 'example.co.jp', scope: 'mfrom', result: 'softfail' }];
    expect(reason(row({ spf, ptr: 'sv1234.xserver.jp' }))).toMatchObject({
      code: 'not-signed',
      dmarc: 'fail',
      args: { sender: 'xserver', domain: 'example.co.jp' },
    });
    expect(reason(row({ spf, authorised: true })).code).toBe('not-signed');
  });

  it('signed-by-esp-domain: DKIM passes for the ESP’s own domain', () => {
    const r = reason(
      row({
        dkim: [{ domain: 'SendGrid.info', selector: 's1', result: 'pass' }],
        spf: [{ domain: 'em123.sendgrid.net', scope: 'mfrom', result: 'pass' }],
      }),
    );
    expect(r).toMatchObject({
      code: 'signed-by-esp-domain',
      dmarc: 'fail',
      args: { sender: 'sendgrid', dkimDomain: 'sendgrid.info' },
    });
  });

  it('signed-by-esp-domain without a sender when the signing domain is not catalogued', () => {
    const r = reason(row({ dkim: [{ domain: 'crm-vendor.example', selector: 'k', result: 'pass' }] }));
    expect(r.code).toBe('signed-by-esp-domain');
    expect(r.args.sender).toBeUndefined();
  });

  it('spf-esp-bounce-not-aligned: SPF passes for the ESP’s bounce domain only', () => {
    const r = reason(
      row({
        dkim: [],
        spf: [{ domain: 'pm.mtasv.net', scope: 'mfrom', result: 'pass' }],
      }),
    );
    expect(r).toMatchObject({
      code: 'spf-esp-bounce-not-aligned',
      args: { sender: 'postmark', spfDomain: 'pm.mtasv.net' },
    });
  });

  it('forwarded: SPF fails for the From domain while aligned DKIM still passes', () => {
    const r = reason(
      row({
        dkim: [{ domain: 'example.co.jp', selector: 's1', result: 'pass' }],
        spf: [{ domain: 'example.co.jp', scope: 'mfrom', result: 'fail' }],
      }),
    );
    expect(r).toMatchObject({ code: 'forwarded', dmarc: 'pass', dkimAligned: true, spfAligned: false });
  });

  it('forwarded: the reporter’s override reason, even when DMARC fails', () => {
    for (const type of ['forwarded', 'trusted_forwarder']) {
      const r = reason(
        row({
          spf: [{ domain: 'example.co.jp', scope: 'mfrom', result: 'fail' }],
          policyEvaluated: { dkim: 'fail', spf: 'fail', reasons: [{ type, comment: null }] },
        }),
      );
      expect(r).toMatchObject({ code: 'forwarded', dmarc: 'fail' });
    }
  });

  it('mailing-list: override mailing_list, an ARC comment, or the From domain’s signature broken', () => {
    const spf = [{ domain: 'lists.example.org', scope: 'mfrom', result: 'pass' }];
    expect(reason(row({ spf, policyEvaluated: { reasons: [{ type: 'mailing_list' }] } })).code).toBe(
      'mailing-list',
    );
    expect(
      reason(
        row({
          policyEvaluated: { reasons: [{ type: 'local_policy', comment: 'arc=pass as.1.google.com' }] },
        }),
      ).code,
    ).toBe('mailing-list');
    const broken = reason(row({ dkim: [{ domain: 'example.co.jp', selector: 's1', result: 'fail' }], spf }));
    expect(broken).toMatchObject({ code: 'mailing-list', args: { dkimDomain: 'example.co.jp' } });
  });

  it('a broken From-domain signature is a list only when an unknown relay authenticated itself', () => {
    const broken = [{ domain: 'example.co.jp', selector: 's1', result: 'fail' }];
    // Next to a known ESP's bounce domain: the ESP's DKIM set-up, not a list.
    expect(
      reason(row({ dkim: broken, spf: [{ domain: 'em1.sendgrid.net', scope: 'mfrom', result: 'pass' }] })),
    ).toMatchObject({ code: 'spf-esp-bounce-not-aligned', args: { sender: 'sendgrid' } });
    // A list re-signing with its own domain.
    expect(
      reason(row({ dkim: [...broken, { domain: 'lists.example.org', selector: 'l', result: 'pass' }] })).code,
    ).toBe('mailing-list');
    // Nothing else authenticated.
    expect(reason(row({ dkim: broken })).code).toBe('spoofing');
  });

  it('forwarded needs SPF to reject the forwarder, not a missing SPF record', () => {
    const dkim = [{ domain: 'example.co.jp', selector: 's1', result: 'pass' }];
    for (const result of ['fail', 'softfail', 'neutral']) {
      expect(reason(row({ dkim, spf: [{ domain: 'example.co.jp', scope: 'mfrom', result }] })).code).toBe(
        'forwarded',
      );
    }
    expect(
      reason(row({ dkim, spf: [{ domain: 'example.co.jp', scope: 'mfrom', result: 'none' }] })).code,
    ).toBe('aligned-pass');
  });

  it('names the ESP from its bounce domain when it signs with an uncatalogued domain', () => {
    const r = reason(
      row({
        dkim: [{ domain: 'vendor-sign.example', result: 'pass' }],
        spf: [{ domain: 'bounce.mktomail.com', scope: 'mfrom', result: 'pass' }],
      }),
    );
    expect(r).toMatchObject({
      code: 'signed-by-esp-domain',
      args: { sender: 'marketo', dkimDomain: 'vendor-sign.example' },
    });
  });

  it('spoofing: nothing authenticates and the sender is unknown', () => {
    expect(reason(row({ ptr: 'host.unknown.example' })).code).toBe('spoofing');
    expect(reason(row({ spf: [{ domain: 'example.co.jp', scope: 'mfrom', result: 'fail' }] }))).toMatchObject(
      { code: 'spoofing', dmarc: 'fail', dkimAligned: false, spfAligned: false },
    );
    // An unrelated signature that fails does not make the sender known.
    expect(reason(row({ dkim: [{ domain: 'other.example', result: 'fail' }] })).code).toBe('spoofing');
  });

  it('spoofing from an ISP address range names the network, not a sender', () => {
    const r = reason(row({ ptr: 'softbank126000000001.bbtec.net' }));
    expect(r).toMatchObject({ code: 'spoofing', args: { network: 'softbank' } });
    expect(r.args.sender).toBeUndefined();
    expect(reason(row({ ptr: 'softbank126000000001.bbtec.net', authorised: true })).code).toBe('not-signed');
  });

  it('does not treat a look-alike PTR as a known sender', () => {
    expect(reason(row({ ptr: 'mail.evil-google.com' })).code).toBe('spoofing');
  });
});

describe('reason words', () => {
  const codes = [
    'not-signed',
    'signed-by-esp-domain',
    'spf-esp-bounce-not-aligned',
    'forwarded',
    'mailing-list',
    'spoofing',
  ] as const;

  it('has every text in English and Japanese, placeholders filled', () => {
    for (const [key, text] of Object.entries(analysisText)) {
      expect(text.en, key).not.toBe('');
      if (!key.startsWith('category.crm')) expect(text.ja, key).toMatch(JAPANESE);
    }
    for (const code of codes) {
      for (const lang of ['en', 'ja'] as const) {
        const words = describeFailReason(
          {
            code,
            args: {
              domain: 'example.co.jp',
              sender: 'sendgrid',
              dkimDomain: 'sendgrid.info',
              spfDomain: 'sendgrid.net',
            },
            dmarc: 'fail',
            dkimAligned: false,
            spfAligned: false,
          },
          lang,
        );
        expect(words.reason, `${code} ${lang}`).not.toMatch(/\{\w+\}/);
        expect(words.fix, `${code} ${lang}`).toBeDefined();
        expect(words.fix, `${code} ${lang}`).not.toMatch(/\{\w+\}/);
      }
    }
  });

  it('names the sender in the reader’s language, or “this sender” when unknown', () => {
    const sakura = describeFailReason(
      {
        code: 'not-signed',
        args: { domain: 'example.jp', sender: 'sakura-internet' },
        dmarc: 'fail',
        dkimAligned: false,
        spfAligned: false,
      },
      'ja',
    );
    expect(sakura.reason).toContain('さくらインターネット');
    const unknown = describeFailReason(
      {
        code: 'not-signed',
        args: { domain: 'example.jp' },
        dmarc: 'fail',
        dkimAligned: false,
        spfAligned: false,
      },
      'en',
    );
    expect(unknown.reason).toContain('this sender');
  });

  it('gives the concrete fix with the domains', () => {
    const r = failReason(
      { headerFrom: 'example.jp', authResults: { dkim: [{ domain: 'mcsv.net', result: 'pass' }], spf: [] } },
      pslOrgDomain,
    );
    const words = describeFailReason(r, 'en');
    expect(words.reason).toContain('Mailchimp');
    expect(words.fix).toContain('d=example.jp');
    expect(words.fix).toContain('d=mcsv.net');
    expect(describeFailReason({ ...r, code: 'aligned-pass' }, 'en').fix).toBeUndefined();
  });
});
