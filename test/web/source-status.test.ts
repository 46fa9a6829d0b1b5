/** A mailbox source's row on the settings page, in each language. */
import { describe, expect, it } from 'vitest';
import { sourceStatus } from '../../src/web/pages/source-status.ts';
import { wordsIn } from '../../src/web/words.ts';

describe('mailbox source status', () => {
  const en = wordsIn('en');
  const ja = wordsIn('ja');

  it("says a watcher's failure Sumi has no words for in the reader's language, with the error's own words", () => {
    const status = {
      state: 'reconnecting',
      error: 'gremlins in the writer',
      problem: 'unexpected',
      reason: 'gremlins in the writer',
      reports: 0,
    };
    const url = 'imaps://dmarc@imap.example/INBOX';
    expect(sourceStatus(status, 'SUMI_IMAP_PASSWORD', url, en)).toBe(
      'Reconnecting · an unexpected error: gremlins in the writer',
    );
    expect(sourceStatus(status, 'SUMI_IMAP_PASSWORD', url, ja)).toBe(
      '再接続中 · 予期しないエラーが発生しました: gremlins in the writer',
    );
  });
});
