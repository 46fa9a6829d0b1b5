/** A mailbox source's row on the settings page, in each language. */
import { describe, expect, it } from 'vitest';
import { sourceFault, sourceStatus } from '../../src/web/pages/source-status.ts';
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
    expect(sourceStatus(status, 'SUMI_IMAP_PASSWORD', 'imap', en)).toBe(
      'Reconnecting · an unexpected error: gremlins in the writer',
    );
    expect(sourceStatus(status, 'SUMI_IMAP_PASSWORD', 'imap', ja)).toBe(
      '再接続中 · 予期しないエラーが発生しました: gremlins in the writer',
    );
  });

  it("says a source kept from before a rule must be changed, and why, in the reader's language", () => {
    const reason = { en: 'INBOX. ends a level with "."', ja: 'INBOX. は階層が「.」で終わっています' };
    const status = { state: 'failed', error: 'x', problem: 'bad-archive', reason, reports: 0 };
    expect(sourceStatus(status, 'SUMI_IMAP_PASSWORD', 'imap', en)).toBe(
      'Failed · its archive folder will not work: change it as its problem says',
    );
    expect(sourceStatus(status, 'SUMI_IMAP_PASSWORD', 'imap', ja)).toContain(
      '失敗 · アーカイブフォルダーが使えません',
    );
    expect(sourceFault({ field: 'archive', reason }, en)).toBe('archive: INBOX. ends a level with "."');
    expect(sourceFault({ field: 'archive', reason }, ja)).toBe(
      'archive: INBOX. は階層が「.」で終わっています',
    );
    expect(sourceFault(null, ja)).toBe('');
  });

  it('says a paused source is paused, in each language', () => {
    const status = { state: 'paused', error: null, problem: null, reason: null, reports: 0 };
    expect(sourceStatus(status, 'SUMI_IMAP_PASSWORD', 'imap', en)).toBe('Paused');
    expect(sourceStatus(status, 'SUMI_IMAP_PASSWORD', 'imap', ja)).toBe('一時停止中');
  });

  it('says a refusal in the words of the service the API says the source reads', () => {
    const status = { state: 'failed', error: 'x', problem: 'forbidden', reason: 'Forbidden', reports: 0 };
    expect(sourceStatus(status, 'SUMI_GOOGLE_KEY', 'gmail', en)).toBe(
      'Failed · the service account may not read this mailbox (it needs domain-wide delegation of gmail.modify): Forbidden',
    );
    expect(sourceStatus(status, 'SUMI_GRAPH_SECRET', 'graph', en)).toBe(
      'Failed · the application may not read this mailbox (it needs Mail.ReadWrite): Forbidden',
    );
  });
});
