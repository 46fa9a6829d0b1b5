/**
 * Gathers small parsed aggregate reports from inputs being ingested at the same time and stores
 * them together (Store.insertAggregateReports): one transaction per batch instead of per report.
 * A report's promise settles once its batch is committed, so a caller never counts a report as
 * stored before it is.
 */

import { StoreInputError } from '../store/errors.ts';
import type { AggregateBatchItem, BatchOutcome, InsertOutcome, Store } from '../store/types.ts';

/**
 * Reports per batch: beyond this a batch saves little more and holds more in memory. Half of
 * INGEST_CONCURRENCY_BATCHED, so the next batch fills while one is written.
 */
export const BATCH_MAX_REPORTS = 256;
/** Records per batch, whatever the number of reports. */
export const BATCH_MAX_RECORDS = 25_000;
/**
 * How long the first report of a batch waits for others. Inputs are read concurrently, so in
 * bulk a batch fills long before; a lone report (one mail arriving) waits only this long.
 */
export const BATCH_WAIT_MS = 20;
/**
 * Reports whose XML is at most this size go through a batch; larger ones are streamed into their
 * own transaction (see storeAggregateReport), never whole in memory.
 */
export const BATCHED_MAX_XML_BYTES = 512 * 1024;

interface Waiting {
  item: AggregateBatchItem;
  settle: { resolve(outcome: InsertOutcome): void; reject(error: unknown): void };
}

export class AggregateBatcher {
  readonly #store: Store;
  #pending: Waiting[] = [];
  #pendingRecords = 0;
  #timer: NodeJS.Timeout | null = null;
  /** The batch being written; batches are written one after another. */
  #writing: Promise<void> = Promise.resolve();

  constructor(store: Store) {
    this.#store = store;
  }

  /** Stores the report with the next batch; rejects with its StoreInputError if refused. */
  add(item: AggregateBatchItem): Promise<InsertOutcome> {
    return new Promise<InsertOutcome>((resolve, reject) => {
      this.#pending.push({ item, settle: { resolve, reject } });
      this.#pendingRecords += item.report.records.length;
      if (this.#pending.length >= BATCH_MAX_REPORTS || this.#pendingRecords >= BATCH_MAX_RECORDS)
        this.#send();
      else this.#timer ??= setTimeout(() => this.#send(), BATCH_WAIT_MS);
    });
  }

  /** Writes what is waiting and resolves when every batch so far is committed. */
  async flush(): Promise<void> {
    this.#send();
    await this.#writing;
  }

  #send(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingRecords = 0;
    this.#writing = this.#writing.then(() => this.#write(batch));
  }

  async #write(batch: Waiting[]): Promise<void> {
    let outcomes: BatchOutcome[];
    try {
      outcomes = await this.#store.insertAggregateReports(batch.map((w) => w.item));
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
