/**
 * `sumi ingest --watch FOLDER...`: the folders reports arrive in (a Maildir the local mail server
 * delivers the rua mailbox to, a folder a mail rule or a script saves attachments in), ingested
 * as files appear. Everything there is ingested first, as without --watch; then the folders are
 * listed again every `intervalMs`, and soon after the file system says a directory changed
 * (fs.watch on each directory listed: Node's recursive watch on Linux watches every file, or
 * polls). Listing is what finds files; a change heard only makes it come sooner, so a folder
 * on a network file system, where nothing is heard, is still read.
 *
 * A file is ingested once per content as the listing sees it (path, size, mtime): a report
 * saved again under the same name is read again, one already read is not. A Maildir's files are
 * whole when they appear (delivered to tmp/, then moved to new/); any other file is taken only
 * once two listings saw it the same, so a file still being copied in is not read half written.
 *
 * An mbox that grows (a mail server's spool, /var/mail/dmarc, which a file given to watch may
 * be) has only the mails appended since it was last read taken, from where that read ended
 * (FileAt.part), when the file is the same one (device and inode) and its bytes just before that
 * point are those read then: else it is read whole, what it holds already counted as duplicates.
 * Either way it is read no further than the listing saw it end: mail delivered meanwhile waits
 * for the next listing, so it is neither read cut, half written, nor read twice.
 */
import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { fsPathOf, type InputFile, type ScannedPath, scanPaths } from './inputs.ts';
import { looksLikeMbox } from './mbox.ts';
import { type IngestPathsOptions, ingestScanned } from './paths.ts';
import { addTotals, emptyTotals, type IngestTotals } from './totals.ts';

/** Directories watched for changes at most (each an inotify watch); the listings find the rest's files. */
export const WATCHED_DIRECTORIES_MAX = 1_000;
/** A change heard is acted on this long after the last one: files come in bursts (a copy of many). */
export const SETTLE_MS = 500;
/** Files seen once and waiting to be seen unchanged are looked at again this soon. */
export const UNCHANGED_CHECK_MS = 2_000;
/**
 * After a listing's inputs could not be stored (the store failing: PostgreSQL restarting, a full
 * disk), they are tried again this long after, twice as long after each failure in a row, never
 * longer than the interval.
 */
export const RETRY_FIRST_MS = 5_000;

/**
 * An mbox at least this large is read from where the last read ended when it grows; a smaller one
 * is read whole again, which costs less than looking.
 */
export const MBOX_PART_MIN_BYTES = 64 * 1024;
/** Bytes before where a read ended kept to tell that what was read is still there. */
const MBOX_MARK_BYTES = 64;
/** Bytes of a From_ line looksLikeMbox reads: `From `. */
const FROM_BYTES = 'From '.length;

/** A path given to watch that is neither a folder nor a file (stdin, a device): it cannot be listed again. */
export class NotAFolderError extends Error {
  constructor(readonly path: string) {
    super(`${path} is neither a folder nor a file`);
    this.name = 'NotAFolderError';
  }
}

export interface WatchPathsOptions extends IngestPathsOptions {
  /** How often the folders are listed again, heard changes or not. */
  intervalMs: number;
  /** Ends the watch (what is under way is finished first). */
  signal: AbortSignal;
  onEvent?: (event: WatchEvent) => void;
}

export type WatchEvent =
  /** A listing found inputs and ingested them: what they gave (`first`: what was there at the start). */
  | { type: 'ingested'; first: boolean; totals: IngestTotals }
  /** The first listing's inputs are in; from now on, new ones are. */
  | { type: 'watching'; folders: number; files: number }
  /** Storing a listing's inputs failed (what was stored before stays): they are tried again in `retryMs`. */
  | { type: 'failed'; error: unknown; retryMs: number };

/**
 * Ingests what is under `paths` (directories and Maildirs), then what appears there, until
 * `signal` aborts; the totals of all of it, added to `totals` as each listing's inputs are in.
 * Rejects on a failure that stopped it (the store failing as the signal aborted): `totals` then
 * says what was stored before it. Throws the file system's error for a path that does not exist
 * and NotAFolderError for one that is not a directory, before ingesting anything.
 */
export async function watchPaths(
  paths: readonly string[],
  options: WatchPathsOptions,
  totals: IngestTotals = emptyTotals(),
): Promise<IngestTotals> {
  // A file given (an mbox spool) is heard of through its folder, where a mail server replaces it too.
  const fileFolders: string[] = [];
  for (const given of paths) {
    const found = given === '-' ? undefined : await stat(given);
    if (found?.isFile()) fileFolders.push(path.dirname(given));
    else if (!found?.isDirectory()) throw new NotAFolderError(given);
  }
  const listing = new WatchListing();
  const wake = new Wake(options.signal);
  const watchers = new DirectoryWatchers(() => wake.soon(SETTLE_MS));
  let failures = 0;
  /** The first listing's inputs are stored (all that was there at the start). */
  let watching = false;
  try {
    while (!options.signal.aborted) {
      const first = !watching;
      const directories: (string | Buffer)[] = [];
      let scanned: ScannedPath[] = [];
      try {
        scanned = await scanPaths(paths, { directories, skip: options.store.files });
      } catch (error) {
        // A folder removed while watched has nothing to read until it is back.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      watchers.watch([...directories, ...fileFolders]);
      const fresh = await listing.appendedParts(listing.fresh(scanned, first));
      if (fresh.length > 0) {
        const pass = emptyTotals();
        try {
          await ingestScanned(fresh, options, pass);
        } catch (error) {
          // What was stored before the failure stays (each report is its own transaction, or
          // batch); the rest is read again, what was stored then found to be stored.
          addTotals(totals, pass);
          if (options.signal.aborted) throw error;
          listing.again(fresh);
          const retryMs = Math.min(options.intervalMs, RETRY_FIRST_MS * 2 ** Math.min(failures++, 16));
          options.onEvent?.({ type: 'failed', error, retryMs });
          await wake.after(retryMs);
          continue;
        }
        failures = 0;
        await listing.markMboxes(fresh);
        addTotals(totals, pass);
        options.onEvent?.({ type: 'ingested', first, totals: pass });
      }
      if (!watching) {
        options.onEvent?.({
          type: 'watching',
          folders: paths.length - fileFolders.length,
          files: fileFolders.length,
        });
      }
      watching = true;
      await wake.after(
        listing.waiting > 0 ? Math.min(UNCHANGED_CHECK_MS, options.intervalMs) : options.intervalMs,
      );
    }
  } finally {
    wake.cancel();
    watchers.close();
  }
  return totals;
}

/** What the listings saw: the files ingested (by their content's key) and the ones waiting to be seen unchanged. */
export class WatchListing {
  /** Files ingested, name (path; see maildirName) -> `size:mtime` as they were then. */
  readonly #ingested = new Map<string, string>();
  /** Files seen by the last listing but not taken yet, name -> `size:mtime`. */
  #unchanged = new Map<string, string>();
  /** Paths that could not be listed or looked at, told once (not at every listing). */
  readonly #told = new Set<string>();
  /** Mboxes read, name -> where the read ended and what was there (appendedParts). */
  readonly #mboxes = new Map<string, MboxMark>();

  get waiting(): number {
    return this.#unchanged.size;
  }

  /** The inputs of a listing to ingest now: new files, changed ones, unlisted paths not told yet. */
  fresh(scanned: readonly ScannedPath[], first: boolean): ScannedPath[] {
    const fresh: ScannedPath[] = [];
    const waiting = new Map<string, string>();
    const present = new Set<string>();
    for (const found of scanned) {
      if ('unlisted' in found) {
        if (!this.#told.has(found.path)) fresh.push(found);
        this.#told.add(found.path);
        continue;
      }
      if (!('size' in found)) continue;
      const name = found.maildir ? maildirName(found.path) : found.path;
      present.add(name);
      const key = `${found.size}:${found.mtime}`;
      if (this.#ingested.get(name) === key) continue;
      // At the start, everything there is read, as without --watch.
      if (first || found.maildir || this.#unchanged.get(name) === key) {
        fresh.push(found);
        this.#ingested.set(name, key);
      } else waiting.set(name, key);
    }
    for (const name of this.#ingested.keys()) {
      if (present.has(name)) continue;
      this.#ingested.delete(name);
      this.#mboxes.delete(name);
    }
    this.#unchanged = waiting;
    return fresh;
  }

  /** Inputs `fresh` gave that could not be stored: the next listing takes them again, as they are then. */
  again(inputs: readonly ScannedPath[]): void {
    for (const input of inputs) {
      if ('unlisted' in input) this.#told.delete(input.path);
      if (!('size' in input)) continue;
      const name = input.maildir ? maildirName(input.path) : input.path;
      this.#ingested.delete(name);
      this.#unchanged.set(name, `${fileSize(input)}:${input.mtime}`);
    }
  }

  /**
   * The inputs `fresh` gave, an mbox read before that only grew given as the part appended since
   * (FileAt.part); any doubt reads it whole. An mbox of MBOX_PART_MIN_BYTES or more read whole is
   * read as far as listed: mail delivered since is left to the next listing, which reads it from
   * there, rather than read now (perhaps cut, still being written) and read again then.
   */
  async appendedParts(inputs: readonly ScannedPath[]): Promise<ScannedPath[]> {
    const parts: ScannedPath[] = [];
    for (const input of inputs) {
      if (!('size' in input) || input.maildir) {
        parts.push(input);
        continue;
      }
      const mark = this.#mboxes.get(input.path);
      this.#mboxes.delete(input.path);
      if (mark !== undefined && input.size > mark.size && (await appendedTo(input, mark))) {
        const length = input.size - mark.size;
        parts.push({ ...input, size: length, part: { start: mark.size, length } });
      } else if (input.size >= MBOX_PART_MIN_BYTES && (await startsAsMbox(input))) {
        parts.push({ ...input, part: { start: 0, length: input.size } });
      } else parts.push(input);
    }
    return parts;
  }

  /** After the inputs of a listing are stored: the mboxes among them, where their reads ended, for appendedParts. */
  async markMboxes(inputs: readonly ScannedPath[]): Promise<void> {
    for (const input of inputs) {
      if (!('size' in input) || input.maildir) continue;
      this.#mboxes.delete(input.path);
      const end = fileSize(input);
      if (end < MBOX_PART_MIN_BYTES) continue;
      const mark = await markOf(input, end);
      if (mark) this.#mboxes.set(input.path, mark);
    }
  }
}

/** Where a read of an mbox ended: the file's size then, which file it was and its bytes just before. */
interface MboxMark {
  size: number;
  dev: number;
  ino: number;
  before: Buffer;
}

/** A listed file's size: a part's end (FileAt.part), else its size. */
function fileSize(input: InputFile): number {
  return input.part ? input.part.start + input.part.length : input.size;
}

/** Whether the file starts with a From_ line (an mbox, not gzipped); false when it cannot be read now. */
async function startsAsMbox(input: InputFile): Promise<boolean> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(fsPathOf(input), 'r');
    return await headIsMbox(handle);
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

async function headIsMbox(handle: FileHandle): Promise<boolean> {
  const head = Buffer.alloc(FROM_BYTES);
  const { bytesRead } = await handle.read(head, 0, head.length, 0);
  return bytesRead === head.length && looksLikeMbox(head);
}

/** The mark of an mbox read to `end`; undefined for a file that is no mbox, or cannot be read now. */
async function markOf(input: InputFile, end: number): Promise<MboxMark | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(fsPathOf(input), 'r');
    if (!(await headIsMbox(handle))) return undefined;
    const before = Buffer.alloc(MBOX_MARK_BYTES);
    const { bytesRead } = await handle.read(before, 0, before.length, end - before.length);
    if (bytesRead !== before.length) return undefined;
    const { dev, ino } = await handle.stat();
    return { size: end, dev, ino, before };
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** Whether `input` is the mbox `mark` was made of with mails appended: the same file, the same bytes before, a From_ line after. */
async function appendedTo(input: InputFile, mark: MboxMark): Promise<boolean> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(fsPathOf(input), 'r');
    const { dev, ino } = await handle.stat();
    if (dev !== mark.dev || ino !== mark.ino) return false;
    const around = Buffer.alloc(mark.before.length + FROM_BYTES);
    const { bytesRead } = await handle.read(around, 0, around.length, mark.size - mark.before.length);
    return (
      bytesRead === around.length &&
      around.subarray(0, mark.before.length).equals(mark.before) &&
      looksLikeMbox(around.subarray(mark.before.length))
    );
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/**
 * A Maildir file's name for the listing: its Maildir and unique name, without the folder and
 * flags that change as a mail program reads it (`new/U` becomes `cur/U:2,S`), so that a mail
 * moved so is not read again.
 */
function maildirName(file: string): string {
  const unique = path.basename(file).split(':')[0];
  return `${path.dirname(path.dirname(file))}${path.sep}${unique}`;
}

/** The wait between listings: a timer, cut short by a change heard (after SETTLE_MS) or the end. */
class Wake {
  readonly #signal: AbortSignal;
  #timer: NodeJS.Timeout | undefined;
  #deadline = 0;
  #done: (() => void) | undefined;
  /** A change was heard while no wait was under way (during a listing or an ingest). */
  #heard = false;

  constructor(signal: AbortSignal) {
    this.#signal = signal;
  }

  after(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.#signal.aborted) return resolve();
      const done = () => {
        clearTimeout(this.#timer);
        this.#signal.removeEventListener('abort', done);
        this.#done = undefined;
        resolve();
      };
      this.#done = done;
      this.#signal.addEventListener('abort', done, { once: true });
      this.#deadline = Date.now() + ms;
      this.#timer = setTimeout(done, this.#heard ? Math.min(ms, SETTLE_MS) : ms);
      this.#heard = false;
    });
  }

  /** A change was heard: the wait ends `ms` after the last one, never later than it would have. */
  soon(ms: number): void {
    if (this.#done === undefined) {
      this.#heard = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#done, Math.max(0, Math.min(ms, this.#deadline - Date.now())));
  }

  cancel(): void {
    this.#done?.();
  }
}

/** fs.watch on each directory listed, kept in line with the listings; a directory it cannot watch is only listed. */
class DirectoryWatchers {
  readonly #changed: () => void;
  readonly #watchers = new Map<string, FSWatcher>();

  constructor(changed: () => void) {
    this.#changed = changed;
  }

  watch(directories: readonly (string | Buffer)[]): void {
    const keep = new Set<string>();
    for (const directory of directories.slice(0, WATCHED_DIRECTORIES_MAX)) {
      const key = typeof directory === 'string' ? directory : directory.toString('latin1');
      keep.add(key);
      if (this.#watchers.has(key)) continue;
      try {
        // Not persistent: the wait's timer keeps the process up, a watcher alone must not.
        const watcher = watch(directory, { persistent: false }, () => this.#changed());
        watcher.on('error', () => {
          watcher.close();
          this.#watchers.delete(key);
        });
        this.#watchers.set(key, watcher);
      } catch {
        // Out of inotify watches (ENOSPC), a directory gone meanwhile: the listings still find its files.
      }
    }
    for (const [key, watcher] of this.#watchers) {
      if (keep.has(key)) continue;
      watcher.close();
      this.#watchers.delete(key);
    }
  }

  close(): void {
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }
}
