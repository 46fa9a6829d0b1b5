/**
 * Gathers small parsed aggregate reports from inputs being ingested at the same time and stores
 * them together (Store.insertAggregateReports): one transaction per batch instead of per report.
 * A report's promise settles once its batch is committed, so a caller never counts a report as
 * stored before it is.
 */

import { recordCount } from '../store/aggregate-rows.ts';
import type { EngineKind } from '../store/engine.ts';
import { StoreInputError } from '../store/errors.ts';
import type {
  AggregateBatchItem,
  BatchOutcome,
  InsertOptions,
  InsertOutcome,
  Store,
} from '../store/types.ts';

/**
 * Reports per batch, by engine. Half of INGEST_CONCURRENCY_BATCHED, so the next batch fills
 * while one is written. Larger batches commit less often but keep more reports alive while they
 * wait, which the garbage collector copies and promotes: on SQLite, 64 (with 128 in flight) took
 * 9% less CPU on the ingest bench than 256 (with 512), and 32 more than 64. PostgreSQL writes
 * several batches at once over the network: 256 stayed faster there.
 */
export const BATCH_MAX_REPORTS: Readonly<Record<EngineKind, number>> = { sqlite: 64, postgres: 256 };
/**
 * Reports a batch waits for while another is being written, by engine. On PostgreSQL a batch
 * that ended let the next take what had arrived meanwhile: at the ingest bench's pace that was
 * 17 reports, and each of its 574 batches paid seven round trips and a commit. A batch now
 * goes when 64 wait (or BATCH_WAIT_MS has passed, or nothing else is being written). The 10,000
 * bench reports, 8 alternating runs each: 25,450 -> 26,980 records/s (faster in 6 of 8), CPU
 * server 1.94 -> 1.84 s and client 5.18 -> 4.95 s. SQLite's one writer takes what waits when
 * its batch ends (after one turn of the event loop, see #sendOrWait), and a batch goes at once
 * only when full.
 */
export const BATCH_MIN_REPORTS: Readonly<Record<EngineKind, number>> = {
  sqlite: BATCH_MAX_REPORTS.sqlite,
  postgres: 64,
};
/** Records per batch, whatever the number of reports. */
export const BATCH_MAX_RECORDS: Readonly<Record<EngineKind, number>> = { sqlite: 6_250, postgres: 25_000 };
/**
 * How long the first report of a batch waits for others. Inputs are read concurrently, so in
 * bulk a batch fills long before; a lone report (one mail arriving) waits only this long.
 */
export const BATCH_WAIT_MS = 20;
/**
 * Batches written at once: PostgreSQL's each on its own pooled connection, so that the server
 * works on one while the next is built and sent; one more than the threads making reports
 * (`readers`), from 2 to 4. Each connection is a server process of its own: on 2 cores (one
 * read thread), 2 at once instead of 4 took the server 13% less CPU (10,000 bench reports, 8
 * alternating runs each: 2.05 -> 1.79 s; 24,190 -> 25,170 records/s, faster in 7 of 8). Where
 * reports come faster, more batches in flight hide a distant server's round trips. SQLite has
 * one writer.
 */
export function batchesAtOnce(engine: EngineKind, readers: number): number {
  return engine === 'postgres' ? Math.min(4, Math.max(2, readers + 1)) : 1;
}

interface Waiting {
  item: AggregateBatchItem;
  settle: { resolve(outcome: InsertOutcome): void; reject(error: unknown): void };
}

export class AggregateBatcher {
  readonly #store: Store;
  /** Batches written at once (batchesAtOnce). */
  readonly #parallel: number;
  readonly #minReports: number;
  readonly #maxReports: number;
  readonly #maxRecords: number;
  #pending: Waiting[] = [];
  #pendingRecords = 0;
  #timer: NodeJS.Timeout | null = null;
  #soon: NodeJS.Immediate | null = null;
  /** The batches being written: the next is sent when one ends (group commit). */
  readonly #writing = new Set<Promise<void>>();

  readonly #insert: InsertOptions;

  /**
   * `readers`: the threads making the reports added (see batchesAtOnce). `inFlight`: the most
   * inputs the caller has under way at once, when it sets fewer than a batch's worth (--concurrency
   * 4): a batch goes once that many reports wait, since no more can come before it commits (each
   * waited BATCH_WAIT_MS: 2,000 reports took 12.6 s instead of 2.1 s).
   */
  constructor(
    store: Store,
    {
      insert = {},
      readers = 1,
      inFlight,
    }: { insert?: InsertOptions; readers?: number; inFlight?: number } = {},
  ) {
    this.#store = store;
    this.#insert = insert;
    this.#parallel = batchesAtOnce(store.engine, readers);
    this.#minReports = Math.min(
      BATCH_MIN_REPORTS[store.engine],
      Math.max(1, inFlight ?? Number.POSITIVE_INFINITY),
    );
    this.#maxReports = BATCH_MAX_REPORTS[store.engine];
    this.#maxRecords = BATCH_MAX_RECORDS[store.engine];
  }

  /** Stores the report with the next batch; rejects with its StoreInputError if refused. */
  add(item: AggregateBatchItem): Promise<InsertOutcome> {
    return new Promise<InsertOutcome>((resolve, reject) => {
      this.#pending.push({ item, settle: { resolve, reject } });
      this.#pendingRecords += recordCount(item.report.records);
      this.#sendOrWait();
    });
  }

  /**
   * With a connection free, sends what waits if it makes a batch worth a transaction, or soon
   * if a batch has just ended (`afterBatch`) and none other is being written, so the store would
   * wait for it; else it goes when more have come or BATCH_WAIT_MS has passed.
   */
  #sendOrWait(afterBatch = false): void {
    if (this.#writing.size >= this.#parallel || this.#pending.length === 0) return;
    if (this.#pending.length >= this.#minReports || this.#pendingRecords >= this.#maxRecords) this.#send();
    else if (afterBatch && this.#writing.size === 0) {
      // The store is idle. SQLite writes on this thread, so reports being read here too made
      // no progress while it wrote: what waits goes after one turn of the event loop, which
      // lets them reach the batch. Sent at once, the few that had arrived went alone: 20,000
      // mails of an mbox (read on this thread) went in 14,581 transactions of 1.4 reports each
      // instead of 478 of 42. PostgreSQL's writes leave this thread free: what waits goes now.
      if (this.#store.engine === 'sqlite') this.#soon ??= setImmediate(() => this.#send());
      else this.#send();
    } else this.#timer ??= setTimeout(() => this.#send(), BATCH_WAIT_MS);
  }

  /** Writes what is waiting and resolves when every batch so far is committed. */
  async flush(): Promise<void> {
    while (this.#writing.size > 0 || this.#pending.length > 0) {
      this.#send();
      await Promise.race(this.#writing);
    }
  }

  /** Starts writing the reports waiting, up to a batch's worth; the rest go when one ends. */
  #send(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#soon) clearImmediate(this.#soon);
    this.#soon = null;
    if (this.#writing.size >= this.#parallel || this.#pending.length === 0) return;
    let records = 0;
    let take = 0;
    while (take < this.#pending.length && take < this.#maxReports && records < this.#maxRecords) {
      records += recordCount(this.#pending[take]!.item.report.records);
      take++;
    }
    const batch = this.#pending.splice(0, take);
    this.#pendingRecords -= records;
    const writing: Promise<void> = this.#write(batch).finally(() => {
      this.#writing.delete(writing);
      this.#sendOrWait(true);
    });
    this.#writing.add(writing);
  }

  async #write(batch: Waiting[]): Promise<void> {
    let outcomes: BatchOutcome[];
    try {
      outcomes = await this.#store.insertAggregateReports(
        batch.map((w) => w.item),
        this.#insert,
      );
    } catch (error) {
      for (const w of batch) w.settle.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const outcome = outcomes[i]!;
      if (outcome instanceof StoreInputError) w.settle.reject(outcome);
      else w.settle.resolve(outcome);
    });
  }
}
