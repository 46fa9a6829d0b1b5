/**
 * Which mailbox folder a source's URL reads. As one string (`mailboxKey`): two URLs with the same
 * key read the same mail (`imaps://…/Reports`, `…/Reports/`, `IMAPS://…/%52eports`,
 * `…/Reports;UIDVALIDITY=1`), and two sources of it would fetch and move the same mail at once.
 * Against a folder (`readsFolder`): processed mail moved or labelled into the folder read would be
 * read again as new for ever. Pure: it names, never connects.
 */
import { parseGmailUrl } from './gmail-account.ts';
import { parseGraphUrl } from './graph-account.ts';
import {
  type ArchiveNameProblem,
  archiveIsFolder,
  archiveNameProblem,
  folderKey,
  parseImapUrl,
} from './imap-account.ts';

/** Whose mailbox a source URL reads, the folder (or label) in it, and how its server compares names. */
interface SourceFolder {
  /** IMAP's, whose servers may separate levels with '.'. */
  imap: boolean;
  /** The server and mailbox, as one string. */
  mailbox: string;
  /** Written with '/'. */
  folder: string;
  /** Every name matched in any case (Exchange's folders, Gmail's labels); else INBOX only (IMAP). */
  anyCase: boolean;
}

/** The folder an imap://, graph:// or gmail:// URL reads; null for any other text. */
function sourceFolder(url: string): SourceFolder | null {
  try {
    if (/^imaps?:/i.test(url)) {
      const t = parseImapUrl(url);
      // Host names are in any case.
      return {
        imap: true,
        mailbox: `imap ${t.secure} ${t.host.toLowerCase()}:${t.port} ${t.user}`,
        folder: t.folder,
        anyCase: false,
      };
    }
    if (/^graph:/i.test(url)) {
      const t = parseGraphUrl(url);
      return {
        imap: false,
        mailbox: `graph ${t.mailbox.toLowerCase()}`,
        folder: t.folder.join('/'),
        anyCase: true,
      };
    }
    if (/^gmail:/i.test(url)) {
      const t = parseGmailUrl(url);
      return { imap: false, mailbox: `gmail ${t.mailbox.toLowerCase()}`, folder: t.label, anyCase: true };
    }
  } catch {
    // Not one of them.
  }
  return null;
}

/** The key of a source URL; the URL itself when it parses as none of the three kinds. */
export function mailboxKey(url: string): string {
  const source = sourceFolder(url);
  return source ? `${source.mailbox} ${folderKey(source.folder, source.anyCase)}` : url;
}

/**
 * Whether the source URL reads `folder` (an archive folder, a flag label), as its server matches
 * names; false for a URL that parses as none of the three kinds (its own error says why).
 */
export function readsFolder(url: string, folder: string): boolean {
  const source = sourceFolder(url);
  return source !== null && archiveIsFolder(source.folder, folder, source.anyCase);
}

/**
 * Why `archive` will not do as the source URL's archive folder (archiveNameProblem: empty, white
 * space around a level, an IMAP level ending with '.'), or null; null for a URL that parses as none
 * of the three kinds (its own error says why).
 */
export function archiveProblem(url: string, archive: string): ArchiveNameProblem | null {
  const source = sourceFolder(url);
  return source && archiveNameProblem(archive, source.imap);
}
