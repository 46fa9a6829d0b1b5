/**
 * Which mailbox folder a source's URL reads, as one string: two URLs with the same key read the
 * same mail (`imaps://…/Reports`, `…/Reports/`, `IMAPS://…/%52eports`, `…/Reports;UIDVALIDITY=1`),
 * and two sources of it would fetch and move the same mail at once. Pure: it names, never connects.
 */
import { parseGmailUrl } from './gmail-account.ts';
import { parseGraphUrl } from './graph-account.ts';
import { folderKey, parseImapUrl } from './imap-account.ts';

/** The key of a source URL; the URL itself when it parses as none of the three kinds. */
export function mailboxKey(url: string): string {
  try {
    if (/^imaps?:/i.test(url)) {
      const t = parseImapUrl(url);
      // Folder names are the server's to compare (but INBOX); host names are in any case.
      return `imap ${t.secure} ${t.host.toLowerCase()}:${t.port} ${t.user} ${folderKey(t.folder)}`;
    }
    if (/^graph:/i.test(url)) {
      const t = parseGraphUrl(url);
      // Exchange matches mailboxes and folder names in any case.
      return `graph ${t.mailbox.toLowerCase()} ${folderKey(t.folder.join('/'), true)}`;
    }
    if (/^gmail:/i.test(url)) {
      const t = parseGmailUrl(url);
      return `gmail ${t.mailbox.toLowerCase()} ${folderKey(t.label, true)}`;
    }
  } catch {
    // Not one of them: the URL is its own key (the settings refuse it anyway).
  }
  return url;
}
