import { describe, expect, it } from 'vitest';
import {
  buildMtaSts,
  coveringPattern,
  DEFAULT_MTA_STS_MAX_AGE,
  lintPolicyContentType,
  MAX_MTA_STS_POLICY_BYTES,
  MAX_MTA_STS_RECORD_LENGTH,
  MAX_POLICY_LINE_FINDINGS,
  MTA_STS_MAX_AGE_LIMIT,
  mxPatternMatches,
  mxPatternProblem,
  parseMtaStsPolicy,
  parseMtaStsRecord,
  policyId,
} from '../../src/records/mta-sts/index.ts';

const recordCodes = (text: string) => parseMtaStsRecord(text).findings.map((f) => f.code);
const problems = (text: string) => parseMtaStsRecord(text).findings.map((f) => f.args?.problem);
const policyCodes = (text: string) => parseMtaStsPolicy(text).findings.map((f) => f.code);

describe('MTA-STS record (RFC 8461 s3.1)', () => {
  it('parses the id and keeps extensions', () => {
    const result = parseMtaStsRecord('v=STSv1; id=20240601T0000Z1; ext=a.b');
    expect(result.valid).toBe(true);
    expect(result.record).toEqual({ version: 'STSv1', id: '20240601T0000Z1', extensions: { ext: 'a.b' } });
    expect(result.findings.map((f) => f.code)).toEqual(['mta-sts-unknown-tag']);
    expect(parseMtaStsRecord('v=STSv1;id=1;').valid).toBe(true);
    expect(parseMtaStsRecord('v=STSv1 ; id=abc ').valid).toBe(true);
  });

  it('requires a valid id of 1-32 letters and digits', () => {
    expect(recordCodes('v=STSv1;')).toEqual(['mta-sts-syntax-error']);
    expect(recordCodes('v=STSv1; ID=abc')).toEqual(['mta-sts-id-missing', 'mta-sts-unknown-tag']);
    expect(recordCodes('v=STSv1; id=2024-06-01')).toEqual(['mta-sts-id-invalid']);
    expect(recordCodes(`v=STSv1; id=${'a'.repeat(33)}`)).toEqual(['mta-sts-id-invalid']);
    expect(recordCodes(`v=STSv1; id=${'a'.repeat(32)}`)).toEqual([]);
    expect(recordCodes('v=STSv1; id=1; id=2')).toEqual(['mta-sts-duplicate-tag']);
  });

  it('names each syntax problem', () => {
    expect(problems(' v=STSv1; id=1')).toEqual(['leading-space']);
    expect(problems('v=stsv1; id=1')).toEqual(['bad-version']);
    expect(problems('v=STSv1 id=1')).toEqual(['missing-semicolon']);
    expect(problems('v=STSv1; id')).toEqual(['no-equals']);
    expect(problems('v=STSv1; id = 1')).toEqual(['space-around-equals']);
    expect(problems('v=STSv1; -x=1; id=1')).toEqual(['bad-field-name']);
    expect(problems('v=STSv1; id=1; x=a b')).toEqual(['bad-value']);
    expect(problems('v=STSv1; id=1; x=')).toEqual(['bad-value']);
    expect(problems('v=STSv1')).toEqual(['no-fields']);
  });

  it(`refuses records longer than MAX_MTA_STS_RECORD_LENGTH (${MAX_MTA_STS_RECORD_LENGTH})`, () => {
    const long = `v=STSv1; id=1; x=${'a'.repeat(MAX_MTA_STS_RECORD_LENGTH)}`;
    expect(problems(long)).toEqual(['too-long']);
    expect(parseMtaStsRecord(long).valid).toBe(false);
  });
});

const good =
  'version: STSv1\r\nmode: enforce\r\nmx: mail.example.jp\r\nmx: *.mx.example.jp\r\nmax_age: 1209600\r\n';

describe('MTA-STS policy (RFC 8461 s3.2)', () => {
  it('parses CRLF and LF policies alike', () => {
    const crlf = parseMtaStsPolicy(good);
    expect(crlf.valid).toBe(true);
    expect(crlf.findings).toEqual([]);
    expect(crlf.policy).toEqual({
      version: 'STSv1',
      mode: 'enforce',
      maxAge: 1209600,
      mx: ['mail.example.jp', '*.mx.example.jp'],
      extensions: {},
      lineEnding: 'crlf',
    });
    const lf = parseMtaStsPolicy(good.replace(/\r\n/g, '\n'));
    expect(lf.valid).toBe(true);
    expect(lf.policy?.lineEnding).toBe('lf');
    expect(parseMtaStsPolicy(good.replace('\r\nmode', '\nmode')).policy?.lineEnding).toBe('mixed');
    expect(parseMtaStsPolicy('version: STSv1\nmode: none\nmax_age: 86400').valid).toBe(true);
  });

  it('reports line syntax problems with the line number', () => {
    const result = parseMtaStsPolicy(
      'version: STSv1\n mode: enforce\nmx mail.example.jp\nmax_age : 5\n#x: 1\nfoo:\n',
    );
    expect(result.valid).toBe(false);
    expect(
      result.findings
        .filter((f) => f.code === 'mta-sts-policy-invalid')
        .map((f) => [f.args?.problem, f.args?.line]),
    ).toEqual([
      ['leading-space', 2],
      ['no-colon', 3],
      ['space-before-colon', 4],
      ['bad-key', 5],
      ['empty-value', 6],
    ]);
    expect(parseMtaStsPolicy('version: STSv1\nmode: en\x01force\n').findings[0]!.args?.problem).toBe(
      'control-char',
    );
  });

  it('recognises files that are not policies', () => {
    const problem = (body: string | Buffer) => parseMtaStsPolicy(body).findings.map((f) => f.args?.problem);
    expect(problem('')).toEqual(['empty']);
    expect(problem('\ufeffversion: STSv1\n')).toEqual(['bom']);
    expect(problem('<!DOCTYPE html><html>Not found</html>')).toEqual(['html']);
    expect(problem(Buffer.from([0x76, 0xff, 0xfe, 0x0a]))).toEqual(['invalid-utf8']);
  });

  it('checks each field', () => {
    expect(policyCodes('mode: enforce\nmx: a.example.jp\n')).toEqual([
      'mta-sts-policy-field-missing',
      'mta-sts-policy-field-missing',
    ]);
    expect(policyCodes(good.replace('STSv1', 'STSv2'))).toEqual(['mta-sts-policy-version-invalid']);
    expect(policyCodes(good.replace('enforce', 'Enforce'))).toEqual(['mta-sts-policy-mode-invalid']);
    expect(policyCodes(good.replace('1209600', String(MTA_STS_MAX_AGE_LIMIT + 1)))).toEqual([
      'mta-sts-policy-max-age-invalid',
    ]);
    expect(policyCodes(good.replace('1209600', '-1'))).toEqual(['mta-sts-policy-max-age-invalid']);
    expect(policyCodes(good.replace('1209600', String(MTA_STS_MAX_AGE_LIMIT)))).toEqual([]);
    expect(policyCodes(good.replace('mail.example.jp', 'mail.*.example.jp'))).toEqual([
      'mta-sts-policy-mx-invalid',
    ]);
    expect(policyCodes('version: STSv1\nmode: testing\nmax_age: 604800\n')).toEqual([
      'mta-sts-policy-mx-missing',
      'mta-sts-mode-testing',
    ]);
    expect(policyCodes(`${good}Mode: testing\n`)).toEqual(['mta-sts-policy-unknown-key']);
    const dup = parseMtaStsPolicy(`${good}mode: testing\n`).findings;
    expect(dup.map((f) => [f.code, f.args?.used])).toEqual([['mta-sts-policy-duplicate-key', 'enforce']]);
    expect(parseMtaStsPolicy(`${good}mode: testing\n`).policy?.mode).toBe('enforce');
  });

  it('warns about short max_age: under a week in enforce, under a day in testing, never in none', () => {
    expect(policyCodes(good.replace('1209600', '86400'))).toEqual(['mta-sts-policy-max-age-short']);
    expect(policyCodes(good.replace('1209600', '604800'))).toEqual([]);
    const testing = good.replace('enforce', 'testing');
    expect(policyCodes(testing.replace('1209600', '86400'))).toEqual(['mta-sts-mode-testing']);
    expect(policyCodes(testing.replace('1209600', '3600'))).toEqual([
      'mta-sts-policy-max-age-short',
      'mta-sts-mode-testing',
    ]);
    expect(policyCodes('version: STSv1\nmode: none\nmax_age: 60\n')).toEqual(['mta-sts-mode-none']);
  });

  it(`caps the body at MAX_MTA_STS_POLICY_BYTES (${MAX_MTA_STS_POLICY_BYTES}) and the line findings at ${MAX_POLICY_LINE_FINDINGS}`, () => {
    const big = good + '#'.repeat(MAX_MTA_STS_POLICY_BYTES);
    expect(policyCodes(big)).toEqual(['mta-sts-policy-too-large']);
    const junk = `${good}${'junk\n'.repeat(MAX_POLICY_LINE_FINDINGS + 5)}`;
    const findings = parseMtaStsPolicy(junk).findings;
    expect(findings).toHaveLength(MAX_POLICY_LINE_FINDINGS + 1);
    expect(findings.at(-1)!.args).toMatchObject({ problem: 'more-lines', count: 5 });
  });
});

describe('mx patterns (RFC 8461 s4.1)', () => {
  it('validates patterns', () => {
    expect(mxPatternProblem('mail.example.jp')).toBeUndefined();
    expect(mxPatternProblem('*.example.jp')).toBeUndefined();
    expect(mxPatternProblem('xn--r8jz45g.example.jp')).toBeUndefined();
    expect(mxPatternProblem('mail.example.jp.')).toBe('trailing-dot');
    expect(mxPatternProblem('*mail.example.jp')).toBe('wildcard');
    expect(mxPatternProblem('mail.*.example.jp')).toBe('wildcard');
    expect(mxPatternProblem('**.example.jp')).toBe('wildcard');
    expect(mxPatternProblem('localhost')).toBe('syntax');
    expect(mxPatternProblem('192.0.2.1')).toBe('syntax');
    expect(mxPatternProblem('mail_1.example.jp')).toBe('syntax');
  });

  it('matches anchored at both ends, the wildcard covering exactly one label', () => {
    expect(mxPatternMatches('mail.example.jp', 'mail.example.jp')).toBe(true);
    expect(mxPatternMatches('mail.example.jp', 'MAIL.Example.JP.')).toBe(true);
    // checkdmarc's unanchored regex bug: these must not match.
    expect(mxPatternMatches('example.com', 'mail.example.com.evil')).toBe(false);
    expect(mxPatternMatches('example.com', 'badexample.com')).toBe(false);
    expect(mxPatternMatches('mail.example.com', 'mail.example.com.evil')).toBe(false);
    expect(mxPatternMatches('*.example.jp', 'mx1.example.jp')).toBe(true);
    expect(mxPatternMatches('*.example.jp', 'example.jp')).toBe(false);
    expect(mxPatternMatches('*.example.jp', 'a.b.example.jp')).toBe(false);
    expect(mxPatternMatches('*.example.jp', 'mx1.badexample.jp')).toBe(false);
    expect(coveringPattern(['a.example.jp', '*.example.jp'], 'b.example.jp')).toBe('*.example.jp');
    expect(coveringPattern(['a.example.jp'], 'b.example.jp')).toBeUndefined();
  });
});

describe('policy Content-Type', () => {
  const lint = (ct: string | undefined) => lintPolicyContentType(ct).map((f) => f.code);
  it('wants text/plain in UTF-8 or ASCII', () => {
    expect(lint('text/plain')).toEqual([]);
    expect(lint('Text/Plain; charset="UTF-8"')).toEqual([]);
    expect(lint('text/plain; charset=us-ascii; format=flowed')).toEqual([]);
    expect(lint('text/html; charset=utf-8')).toEqual(['mta-sts-policy-content-type']);
    expect(lint('application/octet-stream')).toEqual(['mta-sts-policy-content-type']);
    expect(lint('text/plain; charset=shift_jis')).toEqual(['mta-sts-policy-charset']);
    expect(lint(undefined)).toEqual(['mta-sts-policy-content-type-missing']);
    expect(lint(' ')).toEqual(['mta-sts-policy-content-type-missing']);
  });
});

describe('sumi record mta-sts', () => {
  it('writes the record and a CRLF policy that pass the linters', () => {
    const built = buildMtaSts('example.jp', {
      mode: 'enforce',
      mx: ['mail.example.jp', '*.mx.example.jp'],
      maxAge: 1209600,
      now: new Date('2024-06-01T09:30:15Z'),
    });
    expect(built.record).toEqual({
      name: '_mta-sts.example.jp',
      type: 'TXT',
      value: 'v=STSv1; id=20240601093015',
    });
    expect(built.policy.url).toBe('https://mta-sts.example.jp/.well-known/mta-sts.txt');
    expect(built.policy.contentType).toBe('text/plain; charset=utf-8');
    expect(built.policy.text).toBe(
      'version: STSv1\r\nmode: enforce\r\nmx: mail.example.jp\r\nmx: *.mx.example.jp\r\nmax_age: 1209600\r\n',
    );
    expect(built.findings).toEqual([]);
    expect(parseMtaStsPolicy(built.policy.text).valid).toBe(true);
  });

  it('defaults max_age to a week, takes a given id and reports bad input through the linters', () => {
    const built = buildMtaSts('example.jp', { mode: 'testing', mx: ['mail.example.jp'], id: 'v2' });
    expect(built.record.value).toBe('v=STSv1; id=v2');
    expect(built.policy.text).toContain(`max_age: ${DEFAULT_MTA_STS_MAX_AGE}\r\n`);
    expect(built.findings.map((f) => f.code)).toEqual(['mta-sts-mode-testing']);
    const bad = buildMtaSts('example.jp', { mode: 'enforce', mx: [], maxAge: 60, id: 'not-valid' });
    expect(bad.findings.map((f) => f.code)).toEqual([
      'mta-sts-id-invalid',
      'mta-sts-policy-mx-missing',
      'mta-sts-policy-max-age-short',
    ]);
    expect(policyId(new Date('2025-01-02T03:04:05.678Z'))).toBe('20250102030405');
  });
});
