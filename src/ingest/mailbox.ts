/**
 * What a mailbox source (IMAP: imap.ts, Microsoft Graph: graph.ts) does with a group of the mails
 * it fetched: stores them together, their small aggregate reports in the batcher's shared
 * transactions, and counts those stored once the source has moved or marked them (or failed to:
 * their reports are committed all the same). A mail leaves its folder only once its reports are
 * committed or it is quarantined, so the source moves the stored ones first and throws the
 * group's failure (the store went away) after.
 */
import type { UnpackLimits } from '../reports/unpack.ts';
import type { Store } from '../store/types.ts';
import type { AggregateBatcher } from './batch.ts';
import { ingestMessage, type MessageOutcome } from './message.ts';
import { addOutcome, type IngestProgress, type IngestTotals } from './totals.ts';

/** A fetched mail as the store takes it: its bytes, its name in the folder and its source, when it came. */
export interface MailToStore {
  bytes: Buffer;
  name: string;
  source: string;
  receivedAt: number | null;
}

/** The group's mails stored (each with its outcome), and the first failure, for the caller to throw. */
export interface StoredMails<M> {
  done: { mail: M; outcome: MessageOutcome }[];
  failure: PromiseRejectedResult | undefined;
}

export async function storeMails<M>(
  store: Store,
  mails: readonly M[],
  asStored: (mail: M) => MailToStore,
  options: { batcher: AggregateBatcher; limits?: Partial<UnpackLimits> | undefined; leaveOther?: boolean },
): Promise<StoredMails<M>> {
  const settled = await Promise.allSettled(
    mails.map((mail) => {
      const { bytes, name, source, receivedAt } = asStored(mail);
      return ingestMessage(store, bytes, name, source, {
        receivedAt,
        batcher: options.batcher,
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.leaveOther ? { leaveOther: true } : {}),
      });
    }),
  );
  const done = mails.flatMap((mail, i) => {
    const result = settled[i]!;
    return result.status === 'fulfilled' ? [{ mail, outcome: result.value }] : [];
  });
  return { done, failure: settled.find((result) => result.status === 'rejected') };
}

/**
 * Counts the group's stored mails (moved or marked by now) into the run's totals and progress
 * (`size`: a mail's bytes), then throws the group's failure, if any.
 */
export function countStoredMails<M>(
  { done, failure }: StoredMails<M>,
  totals: IngestTotals,
  progress: IngestProgress,
  size: (mail: M) => number,
  onProgress: ((progress: IngestProgress) => void) | undefined,
): void {
  for (const { mail, outcome } of done) {
    addOutcome(totals, outcome);
    progress.bytesDone += size(mail);
  }
  if (done.length > 0) onProgress?.(progress);
  if (failure) throw failure.reason;
}
