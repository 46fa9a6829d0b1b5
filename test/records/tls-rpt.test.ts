import { describe, expect, it } from 'vitest';
import {
  buildTlsRpt,
  looksLikeTlsRptRecord,
  MAX_TLS_RPT_RECORD_LENGTH,
  parseTlsRptRecord,
  ruaProblem,
} from '../../src/records/tls-rpt/index.ts';

const codes = (text: string) => parseTlsRptRecord(text).findings.map((f) => f.code);

describe('TLS-RPT record (RFC 8460 s3)', () => {
  it('parses rua lists of mailto: and https: URIs', () => {
    const result = parseTlsRptRecord(
      'v=TLSRPTv1; rua=mailto:tls@example.jp, https://reports.example.jp/tlsrpt',
    );
    expect(result.valid).toBe(true);
    expect(result.findings).toEqual([]);
    expect(result.record).toEqual({
      version: 'TLSRPTv1',
      rua: ['mailto:tls@example.jp', 'https://reports.example.jp/tlsrpt'],
      extensions: {},
    });
    expect(parseTlsRptRecord('v=TLSRPTv1;rua=mailto:a@example.jp;').valid).toBe(true);
  });

  it('reports each problem with its code', () => {
    expect(codes('v=TLSRPTv1')).toEqual(['tls-rpt-syntax-error']);
    expect(codes('v=TLSRPTv1 rua=mailto:a@example.jp')).toEqual(['tls-rpt-syntax-error']);
    expect(codes('v=tlsrptv1; rua=mailto:a@example.jp')).toEqual(['tls-rpt-syntax-error']);
    expect(codes('v=TLSRPTv1; ext=1')).toEqual(['tls-rpt-rua-missing', 'tls-rpt-unknown-tag']);
    expect(codes('v=TLSRPTv1; rua=mailto:a@example.jp; rua=mailto:b@example.jp')).toEqual([
      'tls-rpt-duplicate-tag',
    ]);
    expect(codes('v=TLSRPTv1; rua=http://reports.example.jp/')).toEqual(['tls-rpt-rua-invalid']);
    expect(codes('v=TLSRPTv1; rua=tls@example.jp')).toEqual(['tls-rpt-rua-invalid']);
    expect(codes('v=TLSRPTv1; rua=mailto:a@example.jp, ,https://x.example.jp/')).toEqual([
      'tls-rpt-syntax-error',
    ]);
  });

  it('explains why a rua URI is unusable', () => {
    expect(ruaProblem('mailto:tls@example.jp')).toBeUndefined();
    expect(ruaProblem('MAILTO:tls@example.jp')).toBeUndefined();
    expect(ruaProblem('https://example.jp/r')).toBeUndefined();
    expect(ruaProblem('mailto:tls')).toBe('mailto');
    expect(ruaProblem('mailto:tls@localhost')).toBe('mailto');
    expect(ruaProblem('https://localhost/')).toBe('https');
    expect(ruaProblem('https://user:pw@example.jp/')).toBe('https');
    expect(ruaProblem('http://example.jp/')).toBe('http');
    expect(ruaProblem('ftp://example.jp/')).toBe('scheme');
    expect(ruaProblem('tls@example.jp')).toBe('scheme');
  });

  it(`refuses records longer than MAX_TLS_RPT_RECORD_LENGTH (${MAX_TLS_RPT_RECORD_LENGTH})`, () => {
    const long = `v=TLSRPTv1; rua=mailto:a@example.jp; x=${'a'.repeat(MAX_TLS_RPT_RECORD_LENGTH)}`;
    expect(parseTlsRptRecord(long).findings.map((f) => f.args?.problem)).toEqual(['too-long']);
  });

  it('tells TLS-RPT records from others', () => {
    expect(looksLikeTlsRptRecord('v=TLSRPTv1; rua=mailto:a@example.jp')).toBe(true);
    expect(looksLikeTlsRptRecord('v=tlsrptv1;')).toBe(true);
    expect(looksLikeTlsRptRecord('v=spf1 -all')).toBe(false);
  });
});

describe('sumi record tlsrpt', () => {
  it('writes a record the linter accepts, adding mailto: to bare addresses', () => {
    const built = buildTlsRpt('example.jp', { rua: ['tls@example.jp', 'https://reports.example.jp/tlsrpt'] });
    expect(built.record).toEqual({
      name: '_smtp._tls.example.jp',
      type: 'TXT',
      value: 'v=TLSRPTv1; rua=mailto:tls@example.jp,https://reports.example.jp/tlsrpt',
    });
    expect(built.findings).toEqual([]);
  });

  it('reports bad input through the linter', () => {
    expect(buildTlsRpt('example.jp', { rua: ['http://x.example.jp/'] }).findings.map((f) => f.code)).toEqual([
      'tls-rpt-rua-invalid',
    ]);
    expect(buildTlsRpt('example.jp', { rua: [] }).findings.map((f) => f.code)).toEqual([
      'tls-rpt-syntax-error',
    ]);
  });
});
