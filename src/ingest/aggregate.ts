/**
 * Streams one aggregate report from the parser into the store: the parser's records go through
 * a small bounded channel to `insertAggregateReport`, which writes them inside the report's one
 * transaction. Memory holds a few batches of records, never the report.
 */
import { type AggregateParseOptions, parseAggregateReport } from '../reports/aggregate.ts';
import type { AggregateRecord, AggregateReport, AggregateReportHeader } from '../reports/types.ts';
import type { XmlInput } from '../reports/xml-input.ts';
import type { PreparedRows } from '../store/aggregate-rows.ts';
import type { AggregateReportInput, InsertOutcome, ReportSource, Store } from '../store/types.ts';

/** Records handed to the store at once. */
export const RECORD_BATCH = 500;
/** Batches the parser may run ahead of the store before it waits. */
const MAX_QUEUED_BATCHES = 4;

/** The store stopped reading (a duplicate, or its own error): the parse is abandoned. */
class ConsumerGone extends Error {}

/** Records as the store takes them: a batch of objects, or of rows made on a read thread. */
type RecordBatch = readonly AggregateRecord[] | PreparedRows;

/** A one-producer, one-consumer queue of record batches with backpressure both ways. */
class RecordChannel implements AsyncIterable<RecordBatch> {
  #batch: AggregateRecord[] = [];
  #queue: RecordBatch[] = [];
  #ended = false;
  #error: unknown = null;
  #gone = false;
  #wakeConsumer: (() => void) | null = null;
  #wakeProducer: (() => void) | null = null;

  push(record: AggregateRecord): Promise<void> | undefined {
    if (this.#gone) throw new ConsumerGone();
    this.#batch.push(record);
    if (this.#batch.length < RECORD_BATCH) return undefined;
    this.#flush();
    return this.#backpressure();
  }

  /** A batch already made into rows. */
  pushRows(rows: PreparedRows): Promise<void> | undefined {
    if (this.#gone) throw new ConsumerGone();
    this.#flush();
    this.#queue.push(rows);
    this.#wake();
    return this.#backpressure();
  }

  #backpressure(): Promise<void> | undefined {
    if (this.#queue.length < MAX_QUEUED_BATCHES) return undefined;
    return new Promise<void>((resolve) => {
      this.#wakeProducer = resolve;
    }).then(() => {
      if (this.#gone) throw new ConsumerGone();
    });
  }

  end(): void {
    this.#flush();
    this.#ended = true;
    this.#wake();
  }

  fail(error: unknown): void {
    this.#error = error;
    this.#ended = true;
    this.#wake();
  }

  #flush(): void {
    if (this.#batch.length === 0) return;
    this.#queue.push(this.#batch);
    this.#batch = [];
    this.#wake();
  }

  #wake(): void {
    const wake = this.#wakeConsumer;
    this.#wakeConsumer = null;
    wake?.();
  }

  #release(): void {
    const wake = this.#wakeProducer;
    this.#wakeProducer = null;
    wake?.();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    return {
      next: async () => {
        while (true) {
          if (this.#error !== null) throw this.#error;
          const batch = this.#queue.shift();
          if (batch) {
            this.#release();
            return { done: false, value: batch };
          }
          if (this.#ended) return { done: true, value: undefined };
          await new Promise<void>((resolve) => {
            this.#wakeConsumer = resolve;
          });
        }
      },
      return: async () => {
        this.#gone = true;
        this.#queue.length = 0;
        this.#release();
        return { done: true, value: undefined };
      },
    };
  }
}

/** What a parse is given: it hands records one by one (here) or a batch made into rows (on a read thread). */
export type AggregateParseHandlers = AggregateParseOptions & {
  onRows: (rows: PreparedRows) => void | Promise<void>;
};

/** parseAggregateReport, or the same done elsewhere (a read thread: ReadPool.parseAggregate). */
export type AggregateParser = (xml: XmlInput, handlers: AggregateParseHandlers) => Promise<AggregateReport>;

export interface StoredAggregate {
  outcome: InsertOutcome;
  /** The parsed report (without records) when it was parsed to the end. */
  report: AggregateReport | null;
}

/**
 * Parses `bytes` as an aggregate report and stores it in one transaction. Rejects with the
 * parser's ReportError (nothing stored), or the store's error.
 */
export async function storeAggregateReport(
  store: Store,
  bytes: Buffer,
  source: ReportSource,
  /** The XML to parse, when it is not `bytes` itself (a stream decompressing `bytes`). */
  xml: XmlInput = bytes,
  parse: AggregateParser = parseAggregateReport,
): Promise<StoredAggregate> {
  const channel = new RecordChannel();
  let onHeader!: (header: AggregateReportHeader) => void;
  const header = new Promise<AggregateReportHeader>((resolve) => {
    onHeader = resolve;
  });
  let parsed: AggregateReport | null = null;
  const parsing = parse(xml, {
    onHeader,
    onRecord: (record) => channel.push(record),
    onRows: (rows) => channel.pushRows(rows),
  }).then(
    (report) => {
      parsed = report;
      channel.end();
    },
    (error: unknown) => {
      channel.fail(error);
      throw error;
    },
  );
  // The header comes before the parse resolves; a parse that fails first rejects here.
  const first = await Promise.race([header, parsing.then(() => header)]).catch(async (error: unknown) => {
    await parsing.catch(() => {});
    throw error;
  });
  const input: AggregateReportInput = {
    ...first,
    records: channel,
    // Read by the store after the last record, when the parse has finished.
    get extensions() {
      return parsed?.extensions ?? [];
    },
    get warnings() {
      return parsed?.warnings ?? [];
    },
  };
  let outcome: InsertOutcome;
  try {
    outcome = await store.insertAggregateReport(input, bytes, source);
  } catch (error) {
    await parsing.catch(() => {});
    throw error;
  }
  try {
    await parsing;
  } catch (error) {
    // A duplicate is known from the header alone: the rest of the parse was abandoned.
    if (!(error instanceof ConsumerGone)) throw error;
  }
  return { outcome, report: parsed };
}
