import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AggregateBatcher, BATCH_MIN_REPORTS, BATCH_WAIT_MS, batchesAtOnce } from '../../src/ingest/batch.ts';
import type { EngineKind } from '../../src/store/engine.ts';
import type { AggregateBatchItem, InsertOutcome, Store } from '../../src/store/types.ts';

/** A store whose batches stay open until the test ends them, recording each batch's size. */
function heldStore(engine: EngineKind) {
  const batches: { size: number; end: () => void }[] = [];
  const store = {
    engine,
    insertAggregateReports(items: readonly AggregateBatchItem[]): Promise<InsertOutcome[]> {
      return new Promise((resolve) => {
        batches.push({
          size: items.length,
          end: () => resolve(items.map((_, i) => ({ status: 'stored', id: i + 1, records: 1, messages: 1 }))),
        });
      });
    },
  } as unknown as Store;
  return { store, batches };
}

/** A report of one record, as far as the batcher looks at it. */
const item = { report: { records: [{}] } } as unknown as AggregateBatchItem;

/** Lets the batcher's promise callbacks run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('AggregateBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('PostgreSQL: a freed connection waits for a worthwhile batch while others are written', async () => {
    const { store, batches } = heldStore('postgres');
    const readers = 3;
    const batcher = new AggregateBatcher(store, { readers });
    const atOnce = batchesAtOnce('postgres', readers);
    expect(atOnce).toBe(4);
    const min = BATCH_MIN_REPORTS.postgres;
    // Every connection busy with a batch of `min`.
    for (let i = 0; i < atOnce * min; i++) void batcher.add(item);
    expect(batches.map((b) => b.size)).toEqual(Array(atOnce).fill(min));

    // A few arrive; one batch ends: they wait rather than go as a batch of 3.
    for (let i = 0; i < 3; i++) void batcher.add(item);
    batches[0]!.end();
    await settle();
    expect(batches).toHaveLength(atOnce);
    // ...until BATCH_WAIT_MS has passed.
    await vi.advanceTimersByTimeAsync(BATCH_WAIT_MS);
    expect(batches.map((b) => b.size).at(-1)).toBe(3);

    // With a connection free, a batch goes as soon as `min` wait.
    batches[1]!.end();
    await settle();
    for (let i = 0; i < min - 1; i++) void batcher.add(item);
    expect(batches).toHaveLength(atOnce + 1);
    void batcher.add(item);
    expect(batches.map((b) => b.size).at(-1)).toBe(min);

    // When nothing else is being written, what waits goes at once: the store would be idle.
    for (const batch of batches.slice(2)) batch.end();
    void batcher.add(item);
    await settle();
    expect(batches.map((b) => b.size).at(-1)).toBe(1);
    batches.at(-1)!.end();
    await batcher.flush();
  });

  it('SQLite: its one writer takes what waits as soon as its batch ends', async () => {
    const { store, batches } = heldStore('sqlite');
    const batcher = new AggregateBatcher(store);
    for (let i = 0; i < BATCH_MIN_REPORTS.sqlite; i++) void batcher.add(item);
    expect(batches.map((b) => b.size)).toEqual([BATCH_MIN_REPORTS.sqlite]);
    for (let i = 0; i < 3; i++) void batcher.add(item);
    batches[0]!.end();
    await settle();
    expect(batches.map((b) => b.size)).toEqual([BATCH_MIN_REPORTS.sqlite, 3]);
    batches[1]!.end();
    await batcher.flush();
  });

  it('writes one batch more at once than there are threads making reports, 2 to 4, on PostgreSQL', () => {
    expect([0, 1, 2, 3, 7].map((readers) => batchesAtOnce('postgres', readers))).toEqual([2, 2, 3, 4, 4]);
    expect(batchesAtOnce('sqlite', 7)).toBe(1);
  });

  it('a lone report waits BATCH_WAIT_MS for others, then goes alone', async () => {
    for (const engine of ['sqlite', 'postgres'] as const) {
      const { store, batches } = heldStore(engine);
      const batcher = new AggregateBatcher(store);
      const stored = batcher.add(item);
      await vi.advanceTimersByTimeAsync(BATCH_WAIT_MS - 1);
      expect(batches).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(batches.map((b) => b.size)).toEqual([1]);
      batches[0]!.end();
      await expect(stored).resolves.toMatchObject({ status: 'stored' });
    }
  });

  it('sends a batch at once when as many reports wait as the caller has inputs under way (--concurrency)', async () => {
    for (const engine of ['sqlite', 'postgres'] as const) {
      const { store, batches } = heldStore(engine);
      const batcher = new AggregateBatcher(store, { inFlight: 3 });
      const stored = [batcher.add(item), batcher.add(item)];
      await settle();
      expect(batches).toHaveLength(0);
      stored.push(batcher.add(item));
      await settle();
      // No wait of BATCH_WAIT_MS: no fourth report can come before these commit.
      expect(batches.map((b) => b.size)).toEqual([3]);
      batches[0]!.end();
      for (const s of stored) await expect(s).resolves.toMatchObject({ status: 'stored' });
    }
  });
});
