import { describe, expect, it } from 'vitest';
import { describeShardFailures, ScanMissingError, ShardFailedError } from '../../src/jobs/survey.ts';

describe('failed shards as the submitter tells them', () => {
  // BullMQ keeps a failed job's error as its message (failedReason): that is what comes back.
  const failed = [
    { shard: 3, reason: new ScanMissingError(12).message },
    { shard: 4, reason: 'getaddrinfo ENOTFOUND db.internal' },
  ];

  it('says the reasons this module knows in the reader language, the others as the worker gave them', () => {
    expect(describeShardFailures(failed, 'en')).toBe(
      "shard 3: scan 12 is not in the store (is the worker's --db the submitter's?); shard 4: getaddrinfo ENOTFOUND db.internal",
    );
    expect(describeShardFailures(failed, 'ja')).toBe(
      'シャード 3: スキャン 12 がワーカーのストアにありません（ワーカーの --db は登録側と同じですか？）; シャード 4: getaddrinfo ENOTFOUND db.internal',
    );
    expect(new ShardFailedError(failed).message).toBe(describeShardFailures(failed, 'en'));
  });

  it('takes no other reason for a missing scan', () => {
    expect(ScanMissingError.scanOf(new ScanMissingError(7).message)).toBe(7);
    expect(ScanMissingError.scanOf('worker said: scan 7 is not in the store (x)')).toBeUndefined();
    expect(ScanMissingError.scanOf('scan 7 is not in the store')).toBeUndefined();
  });
});
