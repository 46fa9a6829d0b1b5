/**
 * One aggregate report being written in its own transaction: records buffered and written in
 * batches, the rollup updated from them, the raw bytes stored last.
 */
import type { CompiledQuery, ControlledTransaction, Kysely } from 'kysely';
import type { AggregateRecord, ExtensionNode, ReportWarning } from '../reports/types.ts';
import {
  addedUp,
  addPreparedToRollup,
  type PreparedRows,
  RecordRows,
  type ReportRow,
} from './aggregate-rows.ts';
import { copyColumnsOf, duplicateOutcome, keepCountedAsCopy, keepReportCopy } from './copies.ts';
import { countsOver, dropCountedOut, recountedOutcome, type StoredCopy, withdrawRecords } from './counted.ts';
import { asFewStatements, type EngineKind, ROWS_PER_STATEMENT } from './engine.ts';
import { quarantineFloorOf } from './ids.ts';
import { type PackedRaw, packRaw, rawColumns } from './raw.ts';
import { ROLLUP_MAX_PENDING_ROWS, type RollupAccumulator } from './rollup.ts';
import type { RollupReport } from './rollup-key.ts';
import type { Database } from './schema.ts';
import type { KyselyStore } from './store.ts';
import type { AggregateReportWriter, InsertOutcome } from './types.ts';

function isBatch(
  item: AggregateRecord | readonly AggregateRecord[] | PreparedRows,
): item is readonly AggregateRecord[] {
  return Array.isArray(item);
}

function isRows(item: AggregateRecord | PreparedRows): item is PreparedRows {
  return 'values' in item;
}

/**
 * The statements by which bytes once quarantined and now stored as a report (a parser fix, a
 * retry) leave the quarantine, their entry's id kept from being given again (ids.ts).
 */
export function quarantineRelease(
  db: Kysely<Database>,
  engine: EngineKind,
  sha256s: readonly string[],
): CompiledQuery[] {
  const floor = quarantineFloorOf(db, engine, sha256s);
  const release = db.deleteFrom('quarantine').where('raw_sha256', 'in', sha256s).compile();
  return floor === null ? [release] : [floor, release];
}

/** quarantineRelease's statements for one report's bytes, run. */
export async function releaseFromQuarantine(
  db: Kysely<Database>,
  engine: EngineKind,
  sha256: string,
): Promise<void> {
  for (const statement of quarantineRelease(db, engine, [sha256])) await db.executeQuery(statement);
}

export interface WriterPlan {
  /** The report's policy domain, day and alignment modes as stored, for the rollups. */
  rollupReport: RollupReport;
  raw: Uint8Array;
  sha256: string;
  rollup: boolean;
  /**
   * Another copy of stored report `stored`, written under its id in place of its records
   * (withdrawn already, counted.ts): at commit this copy takes the count over if it is the
   * fuller one, its row `row`; else everything is rolled back and its bytes kept as a copy.
   */
  contest?: { stored: StoredCopy; row: ReportRow };
}

/** One aggregate report being written, inside its own transaction. */
export class AggregateWriter implements AggregateReportWriter {
  readonly #store: KyselyStore;
  readonly #trx: ControlledTransaction<Database>;
  readonly #id: number;
  readonly #plan: WriterPlan;
  readonly #packing: Promise<PackedRaw>;
  readonly #rows: RecordRows;
  readonly #rollup: RollupAccumulator | undefined;
  #finished = false;
  #index = 0;
  #messages = 0;
  #inFlight: Promise<void> = Promise.resolve();

  constructor(store: KyselyStore, trx: ControlledTransaction<Database>, id: number, plan: WriterPlan) {
    this.#store = store;
    this.#trx = trx;
    this.#id = id;
    this.#plan = plan;
    this.#rows = new RecordRows(store);
    this.#rollup = plan.rollup ? store.rollupAccumulator() : undefined;
    // Compress while records are written; a report abandoned midway must not leave a rejection unobserved.
    this.#packing = packRaw(plan.raw, plan.sha256);
    this.#packing.catch(() => {});
  }

  /**
   * A contest's first step: the stored copy's records are withdrawn (counted.ts), through this
   * writer's rollup, whose statements must all run in order in one transaction on PostgreSQL.
   * On an error the caller rolls the transaction back.
   */
  async withdraw(): Promise<void> {
    const contest = this.#plan.contest;
    if (contest) await withdrawRecords(this.#store, this.#trx, [contest.stored], this.#rollup);
  }

  async add(item: AggregateRecord | readonly AggregateRecord[] | PreparedRows): Promise<void> {
    this.#assertOpen();
    try {
      if (isBatch(item)) {
        for (const record of item) await this.#add(record);
      } else if (isRows(item)) {
        await this.#addRows(item);
      } else {
        await this.#add(item);
      }
    } catch (error) {
      await this.#abandon();
      throw error;
    }
  }

  async #add(record: AggregateRecord): Promise<void> {
    const index = this.#index;
    this.#messages = this.#rows.addToTotal(this.#id, index, record, this.#messages);
    this.#rollup?.add(this.#plan.rollupReport, record);
    this.#index++;
    if (this.#rows.pending >= ROWS_PER_STATEMENT[this.#store.engine]) await this.#flush();
  }

  /** A batch of the report's records made into rows on a read thread (checked there too). */
  async #addRows(rows: PreparedRows): Promise<void> {
    if (rows.engine !== this.#store.engine) {
      throw new Error(`records prepared for ${rows.engine} given to a ${this.#store.engine} store`);
    }
    const first = this.#index;
    this.#messages = addedUp(this.#messages, rows.messages, first + rows.count - 1);
    this.#rows.addPrepared(this.#id, rows, first);
    if (this.#rollup) addPreparedToRollup(this.#rollup, rows);
    this.#index += rows.count;
    if (this.#rows.pending >= ROWS_PER_STATEMENT[this.#store.engine]) await this.#flush();
  }

  /**
   * Sends the pending rows and returns without waiting for the engine, so the next batch is
   * read and built while this one is written (PostgreSQL works in its own process). The
   * statements are built before waiting for the previous batch, the one batch kept in flight;
   * an error it had surfaces here.
   */
  async #flush(): Promise<void> {
    const batch = [...asFewStatements(this.#store.engine, this.#rows.take())];
    // A report with a great many distinct senders: its sums so far are written now (they add up),
    // apart from the rows: together they could pass PostgreSQL's 65,535 parameters.
    if (this.#rollup && this.#rollup.pending >= ROLLUP_MAX_PENDING_ROWS) batch.push(...this.#rollup.take());
    await this.#inFlight;
    const trx = this.#trx;
    this.#inFlight = (async () => {
      for (const statement of batch) await trx.executeQuery(statement);
    })();
    // Observed by the next flush or the commit; this only keeps Node from calling it unhandled.
    this.#inFlight.catch(() => {});
  }

  async commit(
    trailer: { extensions?: readonly ExtensionNode[]; warnings?: readonly ReportWarning[] } = {},
  ): Promise<InsertOutcome> {
    this.#assertOpen();
    try {
      await this.#flush();
      await this.#inFlight;
      const packed = await this.#packing;
      const s = this.#store;
      const trx = this.#trx;
      const contest = this.#plan.contest;
      const standing = { messages: this.#messages, records: this.#index, sha256: this.#plan.sha256 };
      if (contest && !countsOver(standing, contest.stored)) return await this.#keepAsCopy(contest, packed);
      // The counted copy's bytes become a copy before its row takes this one's.
      const moved = contest ? await keepCountedAsCopy(trx, 'report_copies', this.#id) : undefined;
      const closing = [
        trx
          .updateTable('reports')
          .set({
            ...contest?.row,
            record_count: this.#index,
            message_count: this.#messages,
            extensions: s.json(trailer.extensions ?? [], true),
            warnings: s.json(trailer.warnings ?? [], true),
            ...rawColumns(packed),
          })
          .where('id', '=', this.#id)
          .compile(),
        ...quarantineRelease(trx, s.engine, [this.#plan.sha256]),
      ];
      const statements = [...asFewStatements(s.engine, closing), ...(this.#rollup?.take() ?? [])];
      for (const statement of statements) await trx.executeQuery(statement);
      if (this.#rollup) {
        // PostgreSQL: the withdrawn copy's slice is among the slices, whose compaction drops
        // the keys it leaves at 0.
        if (contest && s.engine === 'sqlite') await dropCountedOut(trx, contest.stored.rollupReport);
        await s.rollupWritten(trx, this.#rollup.written);
      }
      await this.#trx.commit().execute();
      this.#finished = true;
      if (!contest) return { status: 'stored', id: this.#id, records: this.#index, messages: this.#messages };
      return recountedOutcome(this.#id, moved, standing, contest.stored);
    } catch (error) {
      await this.#abandon();
      throw error;
    }
  }

  /** The stored copy stays counted: this one's writing is rolled back and its bytes kept beside it. */
  async #keepAsCopy(contest: NonNullable<WriterPlan['contest']>, packed: PackedRaw): Promise<InsertOutcome> {
    await this.abort();
    const copy = await keepReportCopy(
      this.#store.db,
      'report_copies',
      { id: contest.stored.id, raw_sha256: contest.stored.sha256 },
      { ...copyColumnsOf(contest.row), ...rawColumns(packed) },
    );
    return duplicateOutcome(contest.stored.id, copy);
  }

  async abort(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    // Let the batch in flight end first (its error no longer matters): nothing of this report
    // may reach the connection after its rollback.
    await this.#inFlight.catch(() => {});
    await this.#trx.rollback().execute();
  }

  /** Rolls back after an error, keeping that error the one the caller sees. */
  async #abandon(): Promise<void> {
    try {
      await this.abort();
    } catch {
      // The connection failed too; the engine discards the uncommitted transaction.
    }
  }

  #assertOpen(): void {
    if (this.#finished) throw new Error('this report was already committed or abandoned');
  }
}
