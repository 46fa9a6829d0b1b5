import { afterEach, describe, expect, it, vi } from 'vitest';
import { foldingAbandonedRollup } from '../../src/cli/serve.ts';

describe('sumi serve: the periodic fold of abandoned rollup sums', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('tells a failed fold once until a fold succeeds, and keeps trying', async () => {
    vi.useFakeTimers();
    const outcomes: (number | Error)[] = [
      new Error('database is locked'),
      new Error('database is locked'),
      3,
      new Error('database is locked'),
      new Error('disk I/O error'),
    ];
    let folds = 0;
    const store = {
      foldAbandonedRollup: async () => {
        const outcome = outcomes[folds++]!;
        if (outcome instanceof Error) throw outcome;
        return outcome;
      },
    };
    const told: string[] = [];
    const timer = foldingAbandonedRollup(store, 1_000, (error) => told.push(error.message));
    try {
      for (let tick = 0; tick < outcomes.length; tick++) await vi.advanceTimersByTimeAsync(1_000);
    } finally {
      clearInterval(timer);
    }
    expect(folds).toBe(5);
    expect(told).toEqual(['database is locked', 'database is locked', 'disk I/O error']);
  });
});
