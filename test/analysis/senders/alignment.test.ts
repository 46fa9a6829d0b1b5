import { describe, expect, it } from 'vitest';
import { isAligned } from '../../../src/analysis/senders/alignment.ts';
import { pslOrgDomain } from '../../../src/records/org-domain.ts';

describe('isAligned (RFC 9989 identifier alignment)', () => {
  it('relaxed: same organisational domain aligns', () => {
    expect(isAligned('mail.example.co.jp', 'example.co.jp', 'r', pslOrgDomain)).toBe(true);
    expect(isAligned('example.co.jp', 'news.example.co.jp', 'r', pslOrgDomain)).toBe(true);
    expect(isAligned('a.example.com', 'b.example.com', 'r', pslOrgDomain)).toBe(true);
  });

  it('relaxed: different organisational domains do not align', () => {
    expect(isAligned('example.jp', 'example.co.jp', 'r', pslOrgDomain)).toBe(false);
    expect(isAligned('other.co.jp', 'example.co.jp', 'r', pslOrgDomain)).toBe(false);
    expect(isAligned('evil-example.com', 'example.com', 'r', pslOrgDomain)).toBe(false);
    // A bare public suffix has no organisational domain: it aligns with nothing but itself.
    expect(isAligned('co.jp', 'example.co.jp', 'r', pslOrgDomain)).toBe(false);
  });

  it('strict: only the exact name aligns, ignoring case and a trailing dot', () => {
    expect(isAligned('Example.CO.jp.', 'example.co.jp', 's', pslOrgDomain)).toBe(true);
    expect(isAligned('mail.example.co.jp', 'example.co.jp', 's', pslOrgDomain)).toBe(false);
    expect(isAligned('example.co.jp', 'news.example.co.jp', 's', pslOrgDomain)).toBe(false);
  });

  it('uses the organisational domain function it is given (e.g. the DMARCbis tree walk)', () => {
    const treeWalk = (name: string) =>
      name.endsWith('dept.example.com') ? 'dept.example.com' : 'example.com';
    expect(isAligned('a.dept.example.com', 'dept.example.com', 'r', treeWalk)).toBe(true);
    expect(isAligned('example.com', 'dept.example.com', 'r', treeWalk)).toBe(false);
  });

  it('never aligns empty names', () => {
    expect(isAligned('', 'example.com', 'r', pslOrgDomain)).toBe(false);
    expect(isAligned('example.com', '', 's', pslOrgDomain)).toBe(false);
  });
});
