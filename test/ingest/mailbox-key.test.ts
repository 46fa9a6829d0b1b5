import { describe, expect, it } from 'vitest';
import { archiveProblem, mailboxKey } from '../../src/ingest/mailbox-key.ts';

describe('mailboxKey', () => {
  it('gives the URLs of one folder one key, however written', () => {
    const key = mailboxKey('imaps://dmarc@imap.example.jp/Reports');
    for (const url of [
      'imaps://dmarc@imap.example.jp/Reports/',
      'IMAPS://dmarc@IMAP.Example.JP:993/Reports',
      'imaps://dmarc@imap.example.jp/%52eports',
      'imaps://dmarc@imap.example.jp/Reports;UIDVALIDITY=1',
    ])
      expect(mailboxKey(url), url).toBe(key);
    // IMAP folders other than INBOX are the server's to compare; another port or TLS is another server.
    expect(mailboxKey('imaps://dmarc@imap.example.jp/reports')).not.toBe(key);
    expect(mailboxKey('imap://dmarc@imap.example.jp/Reports')).not.toBe(key);
    expect(mailboxKey('imaps://dmarc@imap.example.jp/inbox')).toBe(
      mailboxKey('imaps://dmarc@imap.example.jp/INBOX'),
    );
    // Exchange's folders and Gmail's labels match in any case.
    expect(mailboxKey('graph://DMARC@example.jp/inbox/DMARC')).toBe(
      mailboxKey('graph://dmarc@example.jp/Inbox/dmarc'),
    );
    expect(mailboxKey('gmail://dmarc@example.jp/Reports')).toBe(
      mailboxKey('gmail://DMARC@example.jp/reports/'),
    );
    expect(mailboxKey('not a url')).toBe('not a url');
  });
});

describe('archiveProblem', () => {
  it('names an archive folder that will not work: empty, spaces around a level, an IMAP level ending with a dot', () => {
    const imap = 'imaps://dmarc@imap.example.jp/INBOX';
    for (const [archive, problem] of [
      ['Sumi/Processed', null],
      ['Sumi/Processed/', null],
      ['Sumi.Processed', null],
      ['処理済み', null],
      ['', 'empty'],
      ['/', 'empty'],
      [' ', 'spaces'],
      [' Archive', 'spaces'],
      ['Archive\t', 'spaces'],
      ['Sumi/ Processed', 'spaces'],
      ['INBOX.', 'trailing-dot'],
      ['Sumi./Processed', 'trailing-dot'],
    ] as const)
      expect(archiveProblem(imap, archive), JSON.stringify(archive)).toBe(problem);
    // A dot is a name's own for Exchange's folders and Gmail's labels.
    expect(archiveProblem('graph://dmarc@example.jp/Inbox', 'Done.')).toBe(null);
    expect(archiveProblem('gmail://dmarc@example.jp/INBOX', 'Done ')).toBe('spaces');
    expect(archiveProblem('not a source', '')).toBe(null);
  });
});
