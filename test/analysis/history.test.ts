import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  latestCheck,
  normalisePolicy,
  policyHistory,
  STEP_WINDOW_DAYS,
  stepDirection,
} from '../../src/analysis/history.ts';
import type { Store } from '../../src/store/types.ts';
import { DAY, engines, engineTitle, freshStore, JAN_1 } from '../store/helpers.ts';
import { addReport, fail, rollout, storeCheck } from './history-fixture.ts';
import { esp } from './plan-fixture.ts';

const NONE = { p: 'none', sp: 'none', np: 'none', pct: null, testing: false, rua: true };
const QUARANTINE = { p: 'quarantine', sp: 'none', np: 'none', pct: null, testing: false, rua: true };

describe('normalisePolicy and stepDirection', () => {
  it('fills sp from p and np from sp, and treats pct=100 as absent', () => {
    expect(normalisePolicy({ p: 'reject', pct: 100, rua: null })).toEqual({
      p: 'reject',
      sp: 'reject',
      np: 'reject',
      pct: null,
      testing: false,
      rua: null,
    });
    expect(normalisePolicy({ p: 'Quarantine', sp: 'none', pct: 20, testing: 1, rua: false })).toMatchObject({
      p: 'quarantine',
      np: 'none',
      pct: 20,
      testing: true,
    });
    expect(normalisePolicy({ p: null, sp: 'reject', rua: false })).toMatchObject({
      p: null,
      sp: null,
      np: null,
    });
  });

  it('orders by p, then sp, np, t=y and pct', () => {
    const none = normalisePolicy({ p: 'none', rua: true });
    const q = normalisePolicy({ p: 'quarantine', rua: true });
    expect(stepDirection(none, q)).toBe('stricter');
    expect(stepDirection(q, none)).toBe('looser');
    expect(stepDirection(q, normalisePolicy({ p: 'quarantine', testing: true, rua: true }))).toBe('looser');
    expect(stepDirection(q, normalisePolicy({ p: 'quarantine', pct: 50, rua: true }))).toBe('looser');
    expect(stepDirection(q, normalisePolicy({ p: 'quarantine', rua: false }))).toBe('other');
    expect(stepDirection(normalisePolicy({ p: null, rua: false }), none)).toBe('stricter');
  });
});

for (const engine of engines) {
  describe.skipIf(engine.skip)(`policyHistory ${engineTitle(engine)}`, () => {
    const opened: Store[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });
    afterAll(() => engine.cleanup());

    it('stores what sumi check found, and reads the latest back', async () => {
      const store = await freshStore(engine, opened);
      await storeCheck(
        store,
        'v=DMARC1; p=quarantine; pct=25; rua=mailto:d@example.jp,mailto:x@rua.example',
        JAN_1,
      );
      await storeCheck(store, null, JAN_1 + 10);
      expect(await latestCheck(store, 'example.jp', JAN_1 + 5)).toMatchObject({
        status: 'ok',
        policyDomain: 'example.jp',
        record: 'v=DMARC1; p=quarantine; pct=25; rua=mailto:d@example.jp,mailto:x@rua.example',
        rua: ['mailto:d@example.jp', 'mailto:x@rua.example'],
        policy: { p: 'quarantine', sp: 'quarantine', np: 'quarantine', pct: 25, testing: false, rua: true },
      });
      expect(await latestCheck(store, 'example.jp')).toMatchObject({
        status: 'missing',
        record: null,
        rua: [],
        policy: { p: null, rua: false },
      });
      expect(await latestCheck(store, 'other.example')).toBeUndefined();
    });

    it('gives the policy per day from reports and checks, and each step with its effect', async () => {
      const store = await freshStore(engine, opened);
      await rollout(store);
      await storeCheck(store, 'v=DMARC1; p=none; rua=mailto:dmarc@example.jp', JAN_1 + 4 * DAY + 3600);
      // Outside the period: ignored.
      await storeCheck(store, 'v=DMARC1; p=reject', JAN_1 + 40 * DAY);
      const history = await policyHistory(store, 'example.jp', {
        since: JAN_1,
        until: JAN_1 + 29 * DAY,
      });
      expect(history.since).toBe('2025-01-01');
      expect(history.until).toBe('2025-01-30');
      expect(history.days).toEqual([
        { day: '2025-01-01', policy: NONE, source: 'reports', reports: 1, checks: 0, disagreeing: 0 },
        { day: '2025-01-02', policy: NONE, source: 'reports', reports: 1, checks: 0, disagreeing: 0 },
        // B still saw p=none: outvoted by A and C.
        { day: '2025-01-03', policy: QUARANTINE, source: 'reports', reports: 3, checks: 0, disagreeing: 1 },
        { day: '2025-01-05', policy: NONE, source: 'check', reports: 0, checks: 1, disagreeing: 0 },
        { day: '2025-01-06', policy: QUARANTINE, source: 'reports', reports: 1, checks: 0, disagreeing: 0 },
      ]);
      expect(STEP_WINDOW_DAYS).toBe(7);
      const effect = (s: (typeof history.steps)[number]) => [s.day, s.direction, s.before, s.after];
      expect(history.steps.map(effect)).toEqual([
        [
          '2025-01-03',
          'stricter',
          // 01-01 and 01-02: 10+4 + 10+2 messages, 4+2 failing, p=none acts on none.
          {
            from: '2025-01-01',
            to: '2025-01-02',
            days: 2,
            messages: 26,
            dmarcFail: 6,
            affected: 0,
            legitimateAffected: 0,
            unauthorisedAffected: 0,
            quarantined: 0,
            rejected: 0,
          },
          // 01-03 and 01-06: 10+3+5+1 + 10+5; failing 3+1 + 5, of which 3+5 From example.jp (p) and
          // 1 from sub.example.jp (sp=none); the receivers quarantined 3+1+5.
          {
            from: '2025-01-03',
            to: '2025-01-06',
            days: 2,
            messages: 34,
            dmarcFail: 9,
            affected: 8,
            legitimateAffected: 0,
            unauthorisedAffected: 8,
            quarantined: 9,
            rejected: 0,
          },
        ],
        [
          '2025-01-05',
          'looser',
          {
            from: '2025-01-01',
            to: '2025-01-03',
            days: 3,
            messages: 45,
            dmarcFail: 10,
            affected: 9,
            legitimateAffected: 0,
            unauthorisedAffected: 9,
            quarantined: 4,
            rejected: 0,
          },
          {
            from: '2025-01-06',
            to: '2025-01-06',
            days: 1,
            messages: 15,
            dmarcFail: 5,
            affected: 0,
            legitimateAffected: 0,
            unauthorisedAffected: 0,
            quarantined: 5,
            rejected: 0,
          },
        ],
        [
          '2025-01-06',
          'stricter',
          {
            from: '2025-01-01',
            to: '2025-01-03',
            days: 3,
            messages: 45,
            dmarcFail: 10,
            affected: 0,
            legitimateAffected: 0,
            unauthorisedAffected: 0,
            quarantined: 4,
            rejected: 0,
          },
          {
            from: '2025-01-06',
            to: '2025-01-06',
            days: 1,
            messages: 15,
            dmarcFail: 5,
            affected: 5,
            legitimateAffected: 0,
            unauthorisedAffected: 5,
            quarantined: 5,
            rejected: 0,
          },
        ],
      ]);
      expect(history.steps[0]).toMatchObject({ from: NONE, to: QUARANTINE });
      expect(JSON.parse(JSON.stringify(history))).toEqual(history);
      const daysOnly = await policyHistory(
        store,
        'example.jp',
        { since: JAN_1, until: JAN_1 + 29 * DAY },
        { steps: false },
      );
      expect(daysOnly).toEqual({ ...history, steps: [] });
    });

    it('splits the mail a step affects into legitimate and unauthorised', async () => {
      const store = await freshStore(engine, opened);
      await addReport(store, { org: 'A', id: 'n0', day: 0, p: 'none', records: [esp(10, false)] });
      await addReport(store, { org: 'A', id: 'r1', day: 1, p: 'reject', records: [esp(10, false), fail(3)] });
      const history = await policyHistory(store, 'example.jp', { since: JAN_1, until: JAN_1 + 9 * DAY });
      expect(history.steps).toHaveLength(1);
      expect(history.steps[0]).toMatchObject({
        day: '2025-01-02',
        direction: 'stricter',
        before: { messages: 10, dmarcFail: 10, affected: 0, legitimateAffected: 0, unauthorisedAffected: 0 },
        // SendGrid not set up for the domain (known service): its 10 are legitimate mail p=reject stops.
        after: {
          messages: 13,
          dmarcFail: 13,
          affected: 13,
          legitimateAffected: 10,
          unauthorisedAffected: 3,
          rejected: 0,
        },
      });
    });

    it('is empty for a domain without reports or checks', async () => {
      const store = await freshStore(engine, opened);
      await rollout(store);
      expect(await policyHistory(store, 'other.example', { since: JAN_1, until: JAN_1 })).toEqual({
        domain: 'other.example',
        since: '2025-01-01',
        until: '2025-01-01',
        days: [],
        steps: [],
      });
    });
  });
}
