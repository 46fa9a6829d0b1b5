/**
 * ARF feedback that is not a DMARC failure report (Feedback-Type abuse, fraud, virus, other,
 * not-spam without Auth-Failure: isDmarcFailureFeedback), which versions before it was told apart
 * stored in failure_reports, where lists and `sumi failures` counted a spam complaint as spoofing
 * of the domain. Each such report goes to the quarantine as an ingest of its mail puts it there
 * now (its raw bytes, the source it came from, the reason failure-other-feedback with its type:
 * quarantineReason, as ingest writes it), seen when it was ingested; its rows leave
 * failure_reports and failure_report_domains. Nothing is lost: `sumi quarantine raw` gives the
 * mail back.
 */
import type { Migration } from 'kysely';
import { ReportError } from '../../reports/errors.ts';
import { isDmarcFailureFeedback } from '../../reports/failure.ts';
import type { EngineKind } from '../engine.ts';
import { quarantineReason } from '../quarantine-reason.ts';
import { decodeText, encodeText } from '../text.ts';
import type { AnyDb } from './builders.ts';

/** Reports read per step: each row holds its mail's bytes. */
const PAGE = 100;

export function otherFeedbackQuarantined(kind: EngineKind): Migration {
  return {
    async up(db: AnyDb) {
      let after = 0;
      for (;;) {
        // Every report of a stated type without Auth-Failure: isDmarcFailureFeedback decides.
        const page = await db
          .selectFrom('failure_reports')
          .select([
            'id',
            'feedback_type',
            'raw_sha256',
            'raw_size',
            'raw_encoding',
            'raw',
            'source',
            'ingested_at',
          ])
          .where('feedback_type', 'is not', null)
          .where('auth_failure', 'is', null)
          .where('id', '>', after)
          .orderBy('id')
          .limit(PAGE)
          .execute();
        for (const row of page) {
          const feedbackType = decodeText(kind, row.feedback_type);
          if (isDmarcFailureFeedback({ feedbackType, authFailure: null })) continue;
          await quarantine(db, kind, row, feedbackType);
        }
        const last = page.at(-1);
        if (!last || page.length < PAGE) break;
        after = Number(last.id);
      }
    },
  };
}

/** Moves failure report `row` to the quarantine, as an ingest of its mail now fails. */
async function quarantine(
  db: AnyDb,
  kind: EngineKind,
  row: {
    id: number | string;
    raw_sha256: string;
    raw_size: number | string;
    raw_encoding: string;
    raw: Uint8Array;
    source: string;
    ingested_at: number | string;
  },
  feedbackType: string,
) {
  const source = decodeText(kind, row.source);
  const error = new ReportError(
    'failure-other-feedback',
    { feedbackType: feedbackType.slice(0, 60) },
    { provenance: source },
  );
  const reason = quarantineReason([{ source, error }]);
  const seenAt = Number(row.ingested_at);
  const why = {
    error_code: encodeText(kind, reason.code),
    error_message: encodeText(kind, reason.message),
    error_details: encodeText(kind, JSON.stringify(reason.details)),
  };
  // The same bytes quarantined already (a retry that failed before they were stored): one entry.
  const entry:
    | { id: number | string; first_seen_at: number | string; last_seen_at: number | string }
    | undefined = await db
    .selectFrom('quarantine')
    .select(['id', 'first_seen_at', 'last_seen_at'])
    .where('raw_sha256', '=', row.raw_sha256)
    .executeTakeFirst();
  let id: number;
  if (entry) {
    id = Number(entry.id);
    await db
      .updateTable('quarantine')
      .set((eb) => ({
        // The entry says the latest failure of its bytes, and where they came from then.
        ...(seenAt >= Number(entry.last_seen_at) ? { ...why, source: row.source } : {}),
        first_seen_at: Math.min(Number(entry.first_seen_at), seenAt),
        last_seen_at: Math.max(Number(entry.last_seen_at), seenAt),
        times: eb('times', '+', 1),
      }))
      .where('id', '=', id)
      .execute();
  } else {
    const inserted: { id: number | string } = await db
      .insertInto('quarantine')
      .values({
        source: row.source,
        ...why,
        first_seen_at: seenAt,
        last_seen_at: seenAt,
        times: 1,
        raw_sha256: row.raw_sha256,
        raw_size: row.raw_size,
        raw_encoding: row.raw_encoding,
        raw: row.raw,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    id = Number(inserted.id);
  }
  const seenThere = await db
    .selectFrom('quarantine_sources')
    .select('seen_at')
    .where('quarantine_id', '=', id)
    .where('source', '=', row.source)
    .executeTakeFirst();
  if (seenThere === undefined)
    await db
      .insertInto('quarantine_sources')
      .values({ quarantine_id: id, source: row.source, seen_at: seenAt })
      .execute();
  else if (Number(seenThere.seen_at) < seenAt)
    await db
      .updateTable('quarantine_sources')
      .set({ seen_at: seenAt })
      .where('quarantine_id', '=', id)
      .where('source', '=', row.source)
      .execute();
  await db.deleteFrom('failure_report_domains').where('failure_report_id', '=', row.id).execute();
  await db.deleteFrom('failure_reports').where('id', '=', row.id).execute();
}
