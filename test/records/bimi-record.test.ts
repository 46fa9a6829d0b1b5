import { describe, expect, it } from 'vitest';
import {
  buildBimiRecord,
  classifyBimiTxt,
  MAX_BIMI_RECORD_LENGTH,
  parseBimiRecord,
  urlProblem,
} from '../../src/records/bimi/record.ts';

const LOGO = 'https://example.com/bimi/logo.svg';
const VMC = 'https://example.com/bimi/vmc.pem';
const codes = (text: string) => parseBimiRecord(text).findings.map((f) => f.code);

describe('classifyBimiTxt', () => {
  it('tells BIMI records, wrong-version BIMI records, SPF and other TXT apart', () => {
    expect(classifyBimiTxt(`v=BIMI1; l=${LOGO}`)).toBe('bimi');
    expect(classifyBimiTxt('v = BIMI1 ;l=')).toBe('bimi');
    expect(classifyBimiTxt('v=BIMI1')).toBe('bimi');
    expect(classifyBimiTxt('v=bimi1; l=')).toBe('bimi-bad-version');
    expect(classifyBimiTxt('v=BIMI2; l=')).toBe('bimi-bad-version');
    expect(classifyBimiTxt('v=BIMI10; l=')).toBe('bimi-bad-version');
    expect(classifyBimiTxt('v=spf1 -all')).toBe('spf');
    expect(classifyBimiTxt('google-site-verification=abc')).toBe('unrelated');
    expect(classifyBimiTxt(`l=${LOGO}; v=BIMI1`)).toBe('unrelated');
  });
});

describe('parseBimiRecord', () => {
  it('makes every tag explicit, with defaults flagged', () => {
    const lint = parseBimiRecord(`v=BIMI1; l=${LOGO}; a=${VMC}`);
    expect(lint.valid).toBe(true);
    expect(lint.findings).toEqual([]);
    expect(lint.record).toEqual({
      tags: {
        v: { value: 'BIMI1', explicit: true },
        l: { value: [LOGO], explicit: true },
        a: { value: VMC, explicit: true },
        avp: { value: 'brand', explicit: false },
        lps: { value: null, explicit: false },
      },
      declined: false,
      unknownTags: [],
    });
    expect(JSON.parse(JSON.stringify(lint.record)).tags.lps).toEqual({ value: null, explicit: false });
  });

  it('accepts whitespace around tags and a trailing semicolon (RFC 6376 tag-list)', () => {
    expect(codes(`v=BIMI1 ;  l = ${LOGO} ; avp=personal; lps=news, billing-;`)).toEqual([]);
    const lint = parseBimiRecord(`v=BIMI1; l=${LOGO}; avp=personal; lps=news, billing-`);
    expect(lint.record?.tags.avp).toEqual({ value: 'personal', explicit: true });
    expect(lint.record?.tags.lps).toEqual({ value: ['news', 'billing-'], explicit: true });
    expect(parseBimiRecord(`v=BIMI1; l=${LOGO}; lps=`).record?.tags.lps.value).toEqual([]);
  });

  it('bimi-declined: empty l= and a= (and a= absent)', () => {
    for (const text of ['v=BIMI1; l=; a=;', 'v=BIMI1; l=', 'v=BIMI1; l=; a=; lps=brand-indicators-']) {
      const lint = parseBimiRecord(text);
      expect(lint.record?.declined, text).toBe(true);
      expect(codes(text), text).toEqual(['bimi-declined']);
    }
    expect(codes(`v=BIMI1; l=${LOGO}; a=`)).toEqual([]);
  });

  it('bimi-syntax-error with the position marked', () => {
    const lint = parseBimiRecord(`v=BIMI1;; l=${LOGO}`);
    expect(lint.findings[0]).toMatchObject({
      code: 'bimi-syntax-error',
      args: { position: 8, reason: 'empty-tag', marked: `v=BIMI1;➞; l=${LOGO}` },
    });
    expect(parseBimiRecord(`v=BIMI1; l ${LOGO}`).findings[0]?.args?.reason).toBe('missing-equals');
    expect(parseBimiRecord(`v=BIMI1; 1x=2; l=${LOGO}`).findings[0]?.args?.reason).toBe('bad-tag-name');
    const bad = parseBimiRecord('v=BIMI1; l=https://example.com/lögo.svg');
    expect(bad.findings[0]).toMatchObject({
      code: 'bimi-syntax-error',
      args: { reason: 'bad-character', position: 32 },
    });
    expect(parseBimiRecord(`l=${LOGO}; v=BIMI1`).findings[0]?.args?.reason).toBe('version-not-first');
    expect(codes(`v=BIMI1; l=${LOGO}`)).not.toContain('bimi-syntax-error');
  });

  it('bimi-invalid-version: an error, a warning when only the case differs', () => {
    const wrong = parseBimiRecord(`v=BIMI2; l=${LOGO}`).findings[0];
    expect(wrong).toMatchObject({
      code: 'bimi-invalid-version',
      severity: 'error',
      args: { value: 'BIMI2' },
    });
    const lower = parseBimiRecord(`v=bimi1; l=${LOGO}`).findings[0];
    expect(lower).toMatchObject({
      code: 'bimi-invalid-version',
      severity: 'warning',
      args: { caseOnly: true },
    });
    expect(codes(`v=BIMI1; l=${LOGO}`)).not.toContain('bimi-invalid-version');
  });

  it('bimi-unknown-tag is info (the draft says ignore), kept in unknownTags', () => {
    const lint = parseBimiRecord(`v=BIMI1; l=${LOGO}; x=1; L=${LOGO}`);
    expect(lint.valid).toBe(true);
    expect(lint.findings.map((f) => [f.code, f.severity, f.args?.tag])).toEqual([
      ['bimi-unknown-tag', 'info', 'x'],
      ['bimi-unknown-tag', 'info', 'L'],
    ]);
    expect(lint.record?.unknownTags).toEqual([
      { name: 'x', value: '1' },
      { name: 'L', value: LOGO },
    ]);
    expect(codes(`v=BIMI1; l=${LOGO}`)).not.toContain('bimi-unknown-tag');
  });

  it('bimi-duplicate-tag', () => {
    expect(codes(`v=BIMI1; l=${LOGO}; l=${LOGO}`)).toEqual(['bimi-duplicate-tag']);
    expect(codes(`v=BIMI1; l=${LOGO}; a=${VMC}`)).not.toContain('bimi-duplicate-tag');
  });

  it('bimi-invalid-avp is a warning and falls back to brand', () => {
    const lint = parseBimiRecord(`v=BIMI1; l=${LOGO}; avp=Brand`);
    expect(lint.findings).toMatchObject([
      { code: 'bimi-invalid-avp', severity: 'warning', args: { value: 'Brand' } },
    ]);
    expect(lint.record?.tags.avp).toEqual({ value: 'brand', explicit: true });
    expect(codes(`v=BIMI1; l=${LOGO}; avp=brand`)).toEqual([]);
  });

  it('bimi-invalid-lps', () => {
    expect(parseBimiRecord(`v=BIMI1; l=${LOGO}; lps=news,bad_prefix`).findings).toMatchObject([
      { code: 'bimi-invalid-lps', args: { prefix: 'bad_prefix' } },
    ]);
    expect(codes(`v=BIMI1; l=${LOGO}; lps=${'a'.repeat(64)}`)).toEqual(['bimi-invalid-lps']);
    expect(codes(`v=BIMI1; l=${LOGO}; lps=${'a'.repeat(63)}`)).toEqual([]);
  });

  it('bimi-location-missing', () => {
    expect(codes(`v=BIMI1; a=${VMC}`)).toEqual(['bimi-location-missing']);
    expect(codes('v=BIMI1')).toEqual(['bimi-location-missing']);
    expect(codes('v=BIMI1; l=')).not.toContain('bimi-location-missing');
  });

  it('bimi-invalid-url says why', () => {
    const reason = (text: string) => parseBimiRecord(text).findings.map((f) => f.args?.reason);
    expect(reason('v=BIMI1; l=http://example.com/logo.svg')).toEqual(['not-https']);
    expect(reason('v=BIMI1; l=https://example.com/logo.png')).toEqual(['not-svg']);
    expect(reason('v=BIMI1; l=https://192.0.2.1/logo.svg')).toEqual(['ip-address']);
    expect(reason('v=BIMI1; l=https://logos/logo.svg')).toEqual(['not-fqdn']);
    expect(reason('v=BIMI1; l=https://user:pw@example.com/logo.svg')).toEqual(['credentials']);
    expect(reason('v=BIMI1; l=logo.svg')).toEqual(['malformed']);
    expect(reason(`v=BIMI1; l=${LOGO},${LOGO}`)).toEqual(['multiple']);
    expect(reason(`v=BIMI1; l=${LOGO}; a=http://example.com/vmc.pem`)).toEqual(['not-https']);
    expect(reason(`v=BIMI1; l=${LOGO}; a=${VMC},${VMC}`)).toEqual(['multiple']);
    expect(parseBimiRecord('v=BIMI1; l=http://example.com/logo.svg').findings[0]?.args?.tag).toBe('l');
    expect(codes(`v=BIMI1; l=https://example.com/logo.svgz; a=${VMC}`)).toEqual([]);
    expect(urlProblem('https://example.com/a%20b.svg', 'l')).toBeUndefined();
    expect(urlProblem('https://example.com/a b.svg', 'l')).toBe('malformed');
    // a= may name any file type (a PEM); only l= must be an image the draft allows.
    expect(urlProblem('https://example.com/vmc.png', 'a')).toBeUndefined();
  });

  it('bimi-evidence-self: a=self means no evidence', () => {
    const lint = parseBimiRecord(`v=BIMI1; l=${LOGO}; a=self`);
    expect(lint.findings.map((f) => f.code)).toEqual(['bimi-evidence-self']);
    expect(lint.record?.tags.a).toEqual({ value: '', explicit: true });
    expect(codes(`v=BIMI1; l=${LOGO}; a=${VMC}`)).not.toContain('bimi-evidence-self');
  });

  it(`bimi-record-too-long past MAX_BIMI_RECORD_LENGTH (${MAX_BIMI_RECORD_LENGTH})`, () => {
    const base = `v=BIMI1; l=https://example.com/`;
    const at = (n: number) => `${base}${'a'.repeat(n - base.length - 4)}.svg`;
    expect(at(MAX_BIMI_RECORD_LENGTH)).toHaveLength(MAX_BIMI_RECORD_LENGTH);
    expect(codes(at(MAX_BIMI_RECORD_LENGTH))).toEqual([]);
    const long = parseBimiRecord(at(MAX_BIMI_RECORD_LENGTH + 1));
    expect(long.findings.map((f) => f.code)).toEqual(['bimi-record-too-long']);
    expect(long.record).toBeUndefined();
    expect(long.findings[0]?.record?.length).toBeLessThan(100);
  });

  it('keeps `where` on every finding', () => {
    const lint = parseBimiRecord('v=BIMI2', 'default._bimi.example.com');
    expect(
      lint.findings.every((f) => f.where === 'default._bimi.example.com' && f.record === 'v=BIMI2'),
    ).toBe(true);
  });
});

describe('buildBimiRecord', () => {
  it('writes the record and its name, checked by the linter', () => {
    expect(buildBimiRecord({ domain: 'Example.COM.', logoUrl: LOGO, certificateUrl: VMC })).toEqual({
      name: 'default._bimi.example.com',
      type: 'TXT',
      value: `v=BIMI1; l=${LOGO}; a=${VMC}`,
      findings: [],
      valid: true,
    });
    const personal = buildBimiRecord({
      domain: 'example.com',
      selector: 'News',
      logoUrl: LOGO,
      avp: 'personal',
      lps: ['news'],
    });
    expect(personal.name).toBe('news._bimi.example.com');
    expect(personal.value).toBe(`v=BIMI1; l=${LOGO}; avp=personal; lps=news`);
    expect(personal.valid).toBe(true);
  });

  it('writes a declination record for an empty logo URL', () => {
    const declined = buildBimiRecord({ domain: 'example.com', logoUrl: '' });
    expect(declined.value).toBe('v=BIMI1; l=; a=;');
    expect(declined.valid).toBe(true);
  });

  it('reports bad options with the same codes (bimi-invalid-url, bimi-invalid-selector)', () => {
    const bad = buildBimiRecord({ domain: 'example.com', logoUrl: 'http://example.com/logo.png' });
    expect(bad.valid).toBe(false);
    expect(bad.findings.map((f) => f.code)).toEqual(['bimi-invalid-url']);
    const selector = buildBimiRecord({ domain: 'example.com', selector: 'bad_selector!', logoUrl: LOGO });
    expect(selector.findings.map((f) => f.code)).toEqual(['bimi-invalid-selector']);
    expect(buildBimiRecord({ domain: 'example.com', selector: 'brand.2025', logoUrl: LOGO }).valid).toBe(
      true,
    );
  });

  it('every record it writes parses back to the same meaning', () => {
    const built = buildBimiRecord({
      domain: 'example.com',
      logoUrl: LOGO,
      certificateUrl: VMC,
      avp: 'brand',
    });
    const back = parseBimiRecord(built.value).record;
    expect(back?.tags.l.value).toEqual([LOGO]);
    expect(back?.tags.a.value).toBe(VMC);
    expect(back?.tags.avp).toEqual({ value: 'brand', explicit: true });
  });
});
