/**
 * groupSenders works out senders that share a row's shape once and copies the result: with
 * reverse-DNS facts and ASN data, every copied sender must be what it would be worked out on
 * its own (its own name, PTR, network, and the PTR it was matched by).
 */
import { describe, expect, it } from 'vitest';
import type { IpFacts } from '../../src/analysis/ip-facts.ts';
import type { SourceRollupRow } from '../../src/analysis/reads.ts';
import { groupSenders } from '../../src/analysis/sources.ts';

const spoof = (ip: string, messages: number): SourceRollupRow => ({
  sourceIp: ip,
  headerFrom: 'example.jp',
  dkim: 'fail',
  spf: 'fail',
  adkim: 'r',
  aspf: 'r',
  dkimAuth: '',
  spfAuth: 'example.jp:mfrom:fail',
  reasons: '',
  messages,
});

const forwarded = (ip: string, messages: number): SourceRollupRow => ({
  ...spoof(ip, messages),
  dkim: 'pass',
  dkimAuth: 'example.jp:pass',
  spfAuth: 'example.jp:mfrom:softfail',
  reasons: 'forwarded',
});

const ptr = (name: string, confirmed = true, more: Partial<IpFacts> = {}): IpFacts => ({
  ptr: name,
  ptrConfirmed: confirmed,
  ptrOrgDomain: name.split('.').slice(-2).join('.'),
  ...more,
});

describe('groupSenders', () => {
  const rows = [
    spoof('192.0.2.1', 5),
    spoof('192.0.2.2', 3),
    spoof('192.0.2.3', 7),
    spoof('192.0.2.4', 2),
    spoof('192.0.2.5', 4),
    spoof('192.0.2.6', 6),
    spoof('192.0.2.7', 1),
    forwarded('198.51.100.1', 9),
    forwarded('198.51.100.2', 8),
    // Two rows: never copied.
    spoof('203.0.113.1', 2),
    forwarded('203.0.113.1', 2),
  ];
  const facts = new Map<string, IpFacts>([
    // No facts for 192.0.2.1; a name nobody confirmed; no name at all; ASN data only.
    ['192.0.2.2', ptr('host-2.dyn.example.com', false)],
    ['192.0.2.3', { ptr: null, ptrConfirmed: false, ptrOrgDomain: null }],
    [
      '192.0.2.4',
      { ptr: null, ptrConfirmed: false, ptrOrgDomain: null, asn: 64500, asOrg: 'Net', country: 'JP' },
    ],
    // Confirmed names matching a catalogue rule (google.com, twice; amazonses.com), and one matching none.
    ['192.0.2.5', ptr('mail-a1.google.com')],
    ['192.0.2.6', ptr('mail-b2.google.com', true, { asn: 15169, asOrg: 'Google', country: 'US' })],
    ['192.0.2.7', ptr('a1.smtp-out.amazonses.com')],
    ['198.51.100.2', ptr('fwd-2.mx.example.net')],
  ]);

  it('copies a shared shape into senders equal to each worked out alone', () => {
    const { senders, rows: evaluated } = groupSenders(rows, { facts });
    expect(senders).toHaveLength(10);
    expect(evaluated).toHaveLength(rows.length);
    for (const sender of senders) {
      const alone = groupSenders(
        rows.filter((r) => r.sourceIp === sender.ip),
        { facts },
      ).senders;
      expect(alone).toEqual([sender]);
    }
  });

  it('keeps each copied sender its own name, PTR, network and matched name', () => {
    const { senders } = groupSenders(rows, { facts });
    const by = new Map(senders.map((s) => [s.ip, s]));
    expect(by.get('192.0.2.2')).toMatchObject({
      name: 'host-2.dyn.example.com',
      ptrConfirmed: false,
      knownSender: null,
    });
    expect(by.get('192.0.2.4')).toMatchObject({ name: '192.0.2.4', asn: 64500, country: 'JP' });
    expect(by.get('192.0.2.5')?.knownSender).toMatchObject({
      matchedBy: 'ptr',
      matched: 'mail-a1.google.com',
    });
    expect(by.get('192.0.2.6')?.knownSender).toMatchObject({
      matchedBy: 'ptr',
      matched: 'mail-b2.google.com',
    });
    expect(by.get('192.0.2.6')).toMatchObject({ asn: 15169, asOrg: 'Google', country: 'US', messages: 6 });
    expect(by.get('192.0.2.7')?.knownSender).toMatchObject({
      matchedBy: 'ptr',
      matched: 'a1.smtp-out.amazonses.com',
    });
    expect(by.get('198.51.100.2')).toMatchObject({ name: 'fwd-2.mx.example.net', class: 'forwarder' });
  });
});
