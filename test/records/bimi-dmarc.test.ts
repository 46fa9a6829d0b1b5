import { describe, expect, it } from 'vitest';
import { dmarcBlockers, enforcingDmarcRecord } from '../../src/records/bimi/dmarc.ts';

describe('dmarcBlockers', () => {
  it('nothing blocks quarantine or reject applied to all mail', () => {
    expect(dmarcBlockers({ status: 'ok', p: 'reject' })).toEqual([]);
    expect(dmarcBlockers({ status: 'ok', p: 'quarantine', sp: 'reject', pct: 100, testing: false })).toEqual(
      [],
    );
  });

  it('names each blocking tag with the value it needs', () => {
    expect(dmarcBlockers({ status: 'ok', p: 'none' })).toEqual([
      { tag: 'p', value: 'none', required: 'quarantine or reject' },
    ]);
    expect(dmarcBlockers({ status: 'ok' })).toEqual([
      { tag: 'p', value: '(none)', required: 'quarantine or reject' },
    ]);
    expect(dmarcBlockers({ status: 'ok', p: 'reject', sp: 'none', pct: 50, testing: true })).toEqual([
      { tag: 'sp', value: 'none', required: 'quarantine or reject' },
      { tag: 'pct', value: '50', required: '100' },
      { tag: 't', value: 'y', required: 'n' },
    ]);
  });

  it('has nothing to say about a DMARC record that is not there (other findings cover it)', () => {
    expect(dmarcBlockers({ status: 'missing' })).toEqual([]);
    expect(dmarcBlockers({ status: 'dns-error' })).toEqual([]);
  });
});

describe('enforcingDmarcRecord', () => {
  it('raises p to quarantine, keeps reject, fixes sp, drops pct and t, keeps the rest in order', () => {
    expect(
      enforcingDmarcRecord({
        status: 'ok',
        p: 'none',
        sp: 'none',
        pct: 20,
        record: 'v=DMARC1; p=none; sp=none; pct=20; rua=mailto:d@example.com; adkim=s',
      }),
    ).toBe('v=DMARC1; p=quarantine; sp=quarantine; rua=mailto:d@example.com; adkim=s');
    expect(
      enforcingDmarcRecord({ status: 'ok', p: 'reject', testing: true, record: 'v=DMARC1;p=reject;t=y;' }),
    ).toBe('v=DMARC1; p=reject');
  });

  it('inserts p after v when the record has none, and writes a record from nothing', () => {
    expect(enforcingDmarcRecord({ status: 'ok', record: 'v=DMARC1; rua=mailto:d@example.com' })).toBe(
      'v=DMARC1; p=quarantine; rua=mailto:d@example.com',
    );
    expect(enforcingDmarcRecord({ status: 'ok', p: 'none' })).toBe('v=DMARC1; p=quarantine');
  });
});
