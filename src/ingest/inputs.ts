/**
 * Turns the paths given to `sumi ingest` into input messages: plain files, directories walked
 * recursively, Maildir folders (cur/ and new/ only), mbox files split as they are read, and `-`
 * for stdin. Nothing is read before it is needed: a consumer pulling messages one at a time
 * holds one message per pull, whatever the mailbox's size.
 */
import { isUtf8 } from 'node:buffer';
import {
  closeSync,
  createReadStream,
  type Dirent,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  type Stats,
  statSync,
} from 'node:fs';
import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { UNPACK_MAX_PAYLOAD_BYTES } from '../reports/budget.ts';
import { escapedName } from './file-name.ts';
import { GZIPPED_MBOX_HEAD_BYTES, looksLikeGzippedMbox, looksLikeMbox, splitMbox } from './mbox.ts';

/** Bytes one input message (file, mbox message, stdin, IMAP or SMTP mail) may have. */
export const INGEST_MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

/** Files up to this size are read whole by the producer (one read, no separate sniffing); larger ones stream. */
export const READ_WHOLE_BYTES = 16 * 1024 * 1024;

/** One mail or file to ingest. */
export interface InputMessage {
  /** Where it came from, for people: a path, `box.mbox #12`, `stdin`, an IMAP URL with UID. */
  source: string;
  /** A file name for it (decides nothing, helps the unpacker's messages). */
  name: string;
  /** When it arrived (file mtime), seconds since the epoch, if known. */
  receivedAt: number | null;
  /** Bytes of the input this message accounts for, for progress. */
  size: number;
  /** Its bytes; rejects with InputError when it cannot be had. */
  load(): Promise<Buffer>;
  /**
   * Set on a whole file not read yet (inputMessages with `lazyFiles`): its reader may read it
   * elsewhere (a read thread), and must split it when it turns out to be an mbox (expandFile).
   */
  file?: FileAt & { maildir: boolean; max: number };
  /** Known to be a mail (an mbox's, a Maildir's): reading it costs more than storing its reports. */
  mail?: true;
}

/**
 * Where a file is: `path`, for people and for opening it, or for people only when `fsPath` is
 * set: the path's bytes, when a name in it is not UTF-8 (a name in Shift_JIS or Latin-1, as
 * Windows archives leave them). No string can name such a file; `path` shows its bytes escaped
 * (`\xff`).
 */
export interface FileAt {
  path: string;
  fsPath?: Uint8Array;
  /**
   * Only these bytes of the file: the mails a watched mbox had appended since the watch last read
   * it, or the whole mbox as far as the watch's listing saw it end (watch.ts). Its mails are named
   * from where the part starts (`PATH@START #N`) when that is past the first byte.
   */
  part?: FilePart;
}

/** `length` bytes of a file from byte `start`. */
export interface FilePart {
  start: number;
  length: number;
}

/** What the mails of a file's mbox are named from: the file, or where its part starts past the first byte. */
function mboxWhere(file: FileAt): string {
  return file.part && file.part.start > 0 ? `${file.path}@${file.part.start}` : file.path;
}

/** What the file system takes for `at` (bytes arrive from another thread as a plain Uint8Array). */
export function fsPathOf(at: FileAt): string | Buffer {
  const bytes = at.fsPath;
  return bytes === undefined ? at.path : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Why an input could not be read at all (not a report problem: nothing to quarantine). */
export class InputError extends Error {
  readonly code: 'input-too-large' | 'input-unreadable';
  readonly args: Record<string, string | number>;

  constructor(code: InputError['code'], args: Record<string, string | number>, message: string) {
    super(message);
    this.name = 'InputError';
    this.code = code;
    this.args = args;
  }
}

/** A path to read, found by `scanPaths`. */
export interface InputFile extends FileAt {
  size: number;
  mtime: number;
  /** Inside a Maildir's cur/ or new/: a mail, never an mbox. */
  maildir: boolean;
}

export type ScannedPath =
  | InputFile
  | { path: '-'; stdin: true }
  /** A directory that could not be listed, or a file that could not be looked at: a failed input. */
  | { path: string; unlisted: InputError };

/**
 * Lists the files behind the given paths (directories recursively, in name order), so the
 * total size is known for progress. Throws ENOENT-style errors for a path that does not exist.
 * `found` hears the count so far as the scan goes (a caller may start work that only many inputs
 * are worth, while the rest is scanned); `directories` gets each directory listed (as the file
 * system takes it), for a watcher; the files in `skip` (a store's own, Store.files) are left out.
 */
export async function scanPaths(
  paths: readonly string[],
  options: {
    found?: (count: number) => void;
    directories?: (string | Buffer)[];
    skip?: readonly string[];
  } = {},
): Promise<ScannedPath[]> {
  const { found, directories } = options;
  const out: ScannedPath[] = [];
  const walked = new Set<string>();
  const context: WalkContext = { walked, listedDirectories: directories, skip: fileIds(options.skip ?? []) };
  const push = (...scanned: ScannedPath[]) => {
    out.push(...scanned);
    found?.(out.length);
  };
  for (const given of paths) {
    if (given === '-') {
      push({ path: '-', stdin: true });
      continue;
    }
    let info: Stats;
    try {
      info = await stat(given);
    } catch (err) {
      // A path that is not there is the caller's mistake; one that cannot be looked at is a failed input.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
      push({ path: given, unlisted: unreadable(given, err) });
      continue;
    }
    if (info.isDirectory()) await walk({ path: given }, push, false, context);
    else if (!context.skip.has(fileId(info)))
      push({ path: given, size: info.size, mtime: Math.floor(info.mtimeMs / 1000), maildir: false });
  }
  return out;
}

type Found = (...scanned: ScannedPath[]) => void;

/** What a scan's walk keeps: the directories read (device and inode), those listed, the files to leave out. */
interface WalkContext {
  walked: Set<string>;
  listedDirectories: (string | Buffer)[] | undefined;
  /** Files (device and inode) that are not inputs. */
  skip: ReadonlySet<string>;
}

const fileId = (info: { dev: number; ino: number }) => `${info.dev}:${info.ino}`;

/** The device and inode of each of `files` that exists. */
function fileIds(files: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (const file of files) {
    const info = statSync(file, { throwIfNoEntry: false });
    if (info) ids.add(fileId(info));
  }
  return ids;
}

/**
 * Lists `dir` and what is under it. Links to directories are followed, as the directories they
 * lead to: a report archive linked into the tree is read like the rest. `walked` holds each
 * directory read so far (device and inode), so a link back up the tree, or a second way to the
 * same directory, is not read again: its files are in the scan already.
 */
async function walk(dir: FileAt, out: Found, inMaildir: boolean, context: WalkContext): Promise<void> {
  let entries: ListedEntry[];
  try {
    const id = fileId(statSync(fsPathOf(dir)));
    if (context.walked.has(id)) return;
    context.walked.add(id);
    entries = await listDirectory(dir);
    context.listedDirectories?.push(fsPathOf(dir));
  } catch (err) {
    // A directory this process may not list (another user's) is said, and the rest is read; one
    // removed meanwhile is not there to read.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      out({ path: dir.path, unlisted: unreadable(dir.path, err) });
    return;
  }
  // Links to directories count as directories: a Maildir's cur/ and new/ may be links too.
  const directories = new Set(
    entries.filter(
      ({ entry, at }) => entry.isDirectory() || (entry.isSymbolicLink() && leadsToDirectory(at)),
    ),
  );
  const names = new Set([...directories].map((d) => d.name));
  const maildir = names.has('cur') && names.has('new');
  const files: FileAt[] = [];
  for (const listed of entries) {
    const { entry, name, at } = listed;
    if (directories.has(listed)) {
      await flushStats(files, out, inMaildir, context.skip);
      // A Maildir's tmp/ holds mail still being delivered; its cur/ and new/ hold only mail.
      if (maildir && name === 'tmp') continue;
      await walk(at, out, maildir && (name === 'cur' || name === 'new'), context);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      // Files at a Maildir's top (dovecot-uidlist, subscriptions...) are the server's, not mail.
      if (maildir) continue;
      if (name.startsWith('.')) continue;
      files.push(at);
      if (files.length >= STATS_AT_ONCE) await flushStats(files, out, inMaildir, context.skip);
    }
  }
  await flushStats(files, out, inMaildir, context.skip);
}

/** Whether a link leads to a directory; a link that cannot be followed is listed with the files, which say why. */
function leadsToDirectory(link: FileAt): boolean {
  try {
    return statSync(fsPathOf(link), { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

/** A directory entry, its name as a string (U+FFFD for bytes that are not UTF-8), and where it is. */
interface ListedEntry {
  entry: Dirent<Buffer>;
  name: string;
  at: FileAt;
}

/**
 * A directory's entries in name order. Names are read as bytes: a name that is not UTF-8 would
 * come back as a string with U+FFFD in it, naming no file (listing the ingest bench's 10,000
 * files this way took 47-55 ms against 33-37).
 */
async function listDirectory(dir: FileAt): Promise<ListedEntry[]> {
  const entries = await readdir(fsPathOf(dir), { withFileTypes: true, encoding: 'buffer' });
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  return entries.map((entry) => ({ entry, name: entry.name.toString(), at: childAt(dir, entry.name) }));
}

const SLASH = Buffer.from('/');

/** Where `name` (bytes, as the directory holds it) in directory `dir` is. */
function childAt(dir: FileAt, name: Buffer): FileAt {
  if (dir.fsPath === undefined && isUtf8(name)) return { path: path.join(dir.path, name.toString()) };
  return {
    path: path.join(dir.path, escapedName(name)),
    fsPath: Buffer.concat([dir.fsPath ?? Buffer.from(dir.path), SLASH, name]),
  };
}

/** Files stat'ed between two turns of the event loop. */
const STATS_AT_ONCE = 64;

/**
 * Stats the files (in order), adds the regular ones to `out`, and empties `files`. Synchronous
 * stats, a group at a time: through the thread pool each cost this thread 20 us of bookkeeping
 * (0.2 s of the writing thread's time for the bench's 10,000 files), against 3 us here.
 */
async function flushStats(
  files: FileAt[],
  out: Found,
  maildir: boolean,
  skip: ReadonlySet<string>,
): Promise<void> {
  const found: ScannedPath[] = [];
  for (const file of files) {
    const at = fsPathOf(file);
    let info: Stats | undefined;
    try {
      info = statSync(at, { throwIfNoEntry: false });
    } catch (err) {
      // A loop of links, a directory on the way this process may not search.
      found.push({ path: file.path, unlisted: unreadable(file.path, err) });
      continue;
    }
    if (info === undefined) {
      // Not there: a file removed meanwhile is skipped, a link to nothing is said.
      if (lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink())
        found.push({ path: file.path, unlisted: unreadable(file.path, { code: 'ENOENT' }) });
      continue;
    }
    // Not a regular file (a device, a pipe; a directory only if a link was changed meanwhile).
    if (!info.isFile()) continue;
    if (skip.size > 0 && skip.has(fileId(info))) continue;
    // Built field by field: a spread of `file` made listing 10,000 files twice as slow.
    found.push({
      path: file.path,
      fsPath: file.fsPath,
      size: info.size,
      mtime: Math.floor(info.mtimeMs / 1000),
      maildir,
    });
  }
  files.length = 0;
  if (found.length > 0) out(...found);
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * The messages of the scanned paths, one at a time. An mbox file (first bytes `From `) yields
 * each of its messages; any other file is one message; stdin is one message or an mbox.
 */
export async function* inputMessages(
  scanned: readonly ScannedPath[],
  options: {
    stdin?: AsyncIterable<Uint8Array>;
    maxMessageBytes?: number;
    readWholeBytes?: number;
    /** Yield files that are read whole unread, with `file` set, for a reader of their own. */
    lazyFiles?: boolean;
  } = {},
): AsyncGenerator<InputMessage> {
  const max = options.maxMessageBytes ?? INGEST_MAX_MESSAGE_BYTES;
  const readWhole = options.readWholeBytes ?? READ_WHOLE_BYTES;
  // Small files are read ahead, several at once: read one after another, a directory of
  // small reports spent most of its time waiting on reads.
  const ahead = new Map<InputFile, Promise<Buffer>>();
  const readAhead = (from: number) => {
    let bytes = 0;
    for (const held of ahead.keys()) bytes += held.size;
    for (let i = from; i < scanned.length && ahead.size < READ_AHEAD_FILES; i++) {
      const next = scanned[i]!;
      if (!('size' in next) || ahead.has(next) || !readsWhole(next, readWhole)) continue;
      if (next.size > READ_AHEAD_MAX_FILE_BYTES || bytes + next.size > READ_AHEAD_MAX_BYTES) break;
      const reading = readCapped(next, max);
      reading.catch(() => {}); // observed when its turn comes
      ahead.set(next, reading);
      bytes += next.size;
    }
  };
  try {
    for (const [i, item] of scanned.entries()) {
      if ('stdin' in item) {
        if (!options.stdin) continue;
        yield* stdinMessages(options.stdin, max);
        continue;
      }
      if ('unlisted' in item) {
        yield failing(item.path, path.basename(item.path), 0, item.unlisted);
        continue;
      }
      if (options.lazyFiles && readsWhole(item, readWhole)) {
        yield lazyFile(item, max);
        continue;
      }
      readAhead(i);
      const reading = ahead.get(item);
      ahead.delete(item);
      yield* fileMessages(item, max, readWhole, reading);
    }
  } finally {
    // Stopped early: let reads started ahead end, unobserved.
    ahead.clear();
  }
}

/** Files read ahead of their turn at most, and their size caps. */
const READ_AHEAD_FILES = 64;
const READ_AHEAD_MAX_FILE_BYTES = 1024 * 1024;
const READ_AHEAD_MAX_BYTES = 16 * 1024 * 1024;

function readsWhole(file: InputFile, readWhole: number): boolean {
  return file.maildir || file.size <= readWhole;
}

async function* fileMessages(
  file: InputFile,
  max: number,
  readWhole: number,
  /** The file's bytes being read already (read ahead), if so. */
  reading?: Promise<Buffer>,
): AsyncGenerator<InputMessage> {
  const name = path.basename(file.path);
  if (readsWhole(file, readWhole)) {
    // One read per file: whether it is an mbox is seen from the bytes already in memory.
    let bytes: Buffer;
    try {
      bytes = await (reading ?? readCapped(file, max));
    } catch (err) {
      yield failing(file.path, name, file.size, err instanceof InputError ? err : unreadable(file.path, err));
      return;
    }
    const mbox = file.maildir ? null : mboxChunks(bytes, name, () => [bytes]);
    if (mbox) {
      yield* mboxMessages(mbox, mboxWhere(file), name, max);
      return;
    }
    yield {
      source: file.path,
      name,
      receivedAt: file.mtime,
      size: file.size,
      load: async () => bytes,
      ...(file.maildir ? { mail: true as const } : {}),
    };
    return;
  }
  let head: Buffer;
  let handle: FileHandle | undefined;
  try {
    handle = await open(fsPathOf(file), 'r');
    const start = file.part?.start ?? 0;
    const headBytes = Math.min(GZIPPED_MBOX_HEAD_BYTES, file.part?.length ?? GZIPPED_MBOX_HEAD_BYTES);
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(headBytes), 0, headBytes, start);
    head = buffer.subarray(0, bytesRead);
  } catch (err) {
    yield failing(file.path, name, file.size, unreadable(file.path, err));
    return;
  } finally {
    await handle?.close();
  }
  const mbox = file.maildir
    ? null
    : mboxChunks(head, name, () =>
        createReadStream(fsPathOf(file), {
          highWaterMark: 1024 * 1024,
          ...(file.part ? { start: file.part.start, end: file.part.start + file.part.length - 1 } : {}),
        }),
      );
  if (mbox) {
    yield* mboxMessages(mbox, mboxWhere(file), name, max);
    return;
  }
  yield {
    source: file.path,
    name,
    receivedAt: file.mtime,
    size: file.size,
    load: () => readCapped(file, max),
  };
}

function lazyFile(file: InputFile, max: number): InputMessage {
  return {
    source: file.path,
    name: path.basename(file.path),
    receivedAt: file.mtime,
    size: file.size,
    load: () => readCapped(file, max),
    file: {
      path: file.path,
      fsPath: file.fsPath,
      maildir: file.maildir,
      max,
      ...(file.part ? { part: file.part } : {}),
    },
    ...(file.maildir ? { mail: true as const } : {}),
  };
}

/**
 * The messages of a lazily yielded file once its bytes are read: each of its mails when it is an
 * mbox, else the file itself.
 */
export async function* expandFile(message: InputMessage, bytes: Buffer): AsyncGenerator<InputMessage> {
  const file = message.file;
  const mbox = file && !file.maildir ? mboxChunks(bytes, message.name, () => [bytes]) : null;
  if (file && mbox) {
    yield* mboxMessages(mbox, mboxWhere(file), message.name, file.max);
    return;
  }
  yield { ...message, load: async () => bytes };
}

/**
 * The messages of an input had whole rather than read from a file (an upload): each of its mails
 * when it is an mbox or one gzipped, as a file's are (expandFile), else the input itself. Read as
 * one mail, an mbox would give its first message's reports and hide the rest.
 */
export function wholeInputMessages(
  bytes: Buffer,
  source: string,
  name: string,
  receivedAt: number | null,
): AsyncGenerator<InputMessage> {
  return expandFile(
    {
      source,
      name,
      receivedAt,
      size: bytes.length,
      load: async () => bytes,
      file: { path: source, maildir: false, max: INGEST_MAX_MESSAGE_BYTES },
    },
    bytes,
  );
}

type Chunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * The mailbox whose bytes start with `head` (a file named `name`) as chunks to split (`chunks()` gives its bytes): those
 * chunks for an mbox, their gzip content for an mbox archived as .mbox.gz; null when it is no mbox.
 */
function mboxChunks(head: Uint8Array, name: string, chunks: () => Chunks): Chunks | null {
  if (looksLikeMbox(head)) return chunks();
  if (looksLikeGzippedMbox(head, name)) return pipeline(Readable.from(chunks()), createGunzip(), () => {});
  return null;
}

async function* mboxMessages(
  chunks: Chunks,
  where: string,
  name: string,
  max: number,
): AsyncGenerator<InputMessage> {
  const stream: AsyncIterable<Uint8Array> =
    Symbol.asyncIterator in chunks
      ? chunks
      : (async function* () {
          yield* chunks;
        })();
  let index = 0;
  try {
    for await (const message of splitMbox(stream, max)) {
      index = message.index;
      const source = `${where} #${index}`;
      yield 'bytes' in message
        ? {
            source,
            name,
            receivedAt: null,
            size: message.bytes.length,
            load: async () => message.bytes,
            mail: true,
          }
        : failing(source, name, message.tooLarge, tooLarge(source, message.tooLarge, max));
    }
  } catch (err) {
    // The mailbox could not be read to its end (a cut .mbox.gz, a read error): the messages
    // before are ingested, where it stopped is said. An error with no code is a bug: it throws.
    if ((err as NodeJS.ErrnoException).code === undefined) throw err;
    const source = `${where} #${index + 1}`;
    yield failing(source, name, 0, unreadable(source, err));
  }
}

async function* stdinMessages(stdin: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<InputMessage> {
  const iterator = stdin[Symbol.asyncIterator]();
  // Whether it is a mailbox is judged from its start, gathered whatever size the pipe's first
  // chunks have (a slow writer's first chunk may hold two bytes of `From `).
  const head: Uint8Array[] = [];
  let headLength = 0;
  let ended = false;
  while (headLength < GZIPPED_MBOX_HEAD_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    headLength += next.value.byteLength;
  }
  if (headLength === 0) {
    yield { source: 'stdin', name: 'stdin', receivedAt: null, size: 0, load: async () => Buffer.alloc(0) };
    return;
  }
  const rest: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      try {
        yield* head;
        if (ended) return;
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
      } finally {
        // Left early (too large): stdin itself is closed too.
        await iterator.return?.();
      }
    },
  };
  const mbox = mboxChunks(Buffer.concat(head, headLength), 'stdin', () => rest);
  if (mbox) {
    yield* mboxMessages(mbox, 'stdin', 'stdin', max);
    return;
  }
  const read = await collectCapped(rest, max);
  if ('over' in read) {
    yield failing('stdin', 'stdin', 0, tooLarge('stdin', read.over, max));
    return;
  }
  const { bytes } = read;
  yield { source: 'stdin', name: 'stdin', receivedAt: null, size: bytes.length, load: async () => bytes };
}

/**
 * The chunks of a source of unknown size gathered, or the size reached once it passed `max`:
 * reading stops there (stdin or a device may never end, as `< /dev/zero`; a writer still
 * writing gets EPIPE).
 */
async function collectCapped(
  chunks: AsyncIterable<Uint8Array>,
  max: number,
): Promise<{ bytes: Buffer } | { over: number }> {
  const held: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > max) return { over: size };
    held.push(Buffer.from(chunk));
  }
  return { bytes: Buffer.concat(held, size) };
}

/** readCapped on the calling thread: for read threads, where blocking is the point. */
export function readCappedSync(at: FileAt, max: number): Buffer {
  const file = at.path;
  let fd: number | undefined;
  try {
    fd = openSync(fsPathOf(at), 'r');
    if (at.part) return readPartSync(fd, file, at.part, max);
    const { size } = fstatSync(fd);
    if (size > max) throw tooLarge(file, size, max);
    // A size of 0 may be a pipe, a device or a /proc file: read to the end, never past max.
    if (size === 0) return readUnsizedSync(fd, file, max);
    // The size fstat gave, in one read: readFileSync(fd) stats again and reads once more to find
    // the end, two system calls more per file (a tenth of a read thread's time on small reports).
    const bytes = Buffer.allocUnsafeSlow(size);
    let filled = 0;
    while (filled < size) {
      const read = readSync(fd, bytes, filled, size - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    return filled === size ? bytes : bytes.subarray(0, filled);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw unreadable(file, err);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A part of a file (FileAt.part): its bytes, fewer when the file is shorter now. */
function readPartSync(fd: number, file: string, part: FilePart, max: number): Buffer {
  if (part.length > max) throw tooLarge(file, part.length, max);
  const bytes = Buffer.allocUnsafeSlow(part.length);
  let filled = 0;
  while (filled < part.length) {
    const read = readSync(fd, bytes, filled, part.length - filled, part.start + filled);
    if (read === 0) break;
    filled += read;
  }
  return filled === part.length ? bytes : bytes.subarray(0, filled);
}

/** Bytes asked for per read of a file whose size stat does not tell. */
const UNSIZED_READ_BYTES = 64 * 1024;

/**
 * A file whose size stat cannot tell (a pipe, `<(...)`, a device such as /dev/zero, a /proc
 * file), read to its end but never past `max`: /dev/zero read whole took all the memory there was.
 */
function readUnsizedSync(fd: number, file: string, max: number): Buffer {
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(UNSIZED_READ_BYTES, max + 1 - size));
    const read = readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) return Buffer.concat(chunks, size);
    size += read;
    if (size > max) throw tooLarge(file, size, max);
    chunks.push(chunk.subarray(0, read));
  }
}

async function readCapped(at: FileAt, max: number): Promise<Buffer> {
  const file = at.path;
  let handle: FileHandle | undefined;
  try {
    handle = await open(fsPathOf(at), 'r');
    if (at.part) {
      const { start, length } = at.part;
      if (length > max) throw tooLarge(file, length, max);
      const bytes = Buffer.allocUnsafeSlow(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(bytes, filled, length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === length ? bytes : bytes.subarray(0, filled);
    }
    const { size } = await handle.stat();
    if (size > max) throw tooLarge(file, size, max);
    if (size === 0) {
      // As readUnsizedSync, off the thread (a pipe may keep it waiting); the handle stays ours to close.
      const stream = handle.createReadStream({ autoClose: false, highWaterMark: UNSIZED_READ_BYTES });
      const read = await collectCapped(stream, max);
      if ('over' in read) throw tooLarge(file, read.over, max);
      return read.bytes;
    }
    return await handle.readFile();
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw unreadable(file, err);
  } finally {
    await handle?.close();
  }
}

function failing(source: string, name: string, size: number, error: InputError): InputMessage {
  return { source, name, receivedAt: null, size, load: () => Promise.reject(error) };
}

export function tooLarge(source: string, size: number, limit: number): InputError {
  return new InputError(
    'input-too-large',
    // What a gzipped report may unpack to: the way to give Sumi a larger plain XML file.
    { size, limit, unpacked: UNPACK_MAX_PAYLOAD_BYTES },
    `${source}: ${size} bytes, over the limit of ${limit}`,
  );
}

function unreadable(source: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  // zlib's codes (Z_BUF_ERROR) say less than its messages ("unexpected end of file").
  const detail = code?.startsWith('Z_')
    ? `gzip: ${(err as Error).message}`
    : (code ?? (err as Error).message);
  return new InputError('input-unreadable', { detail }, `${source}: ${detail}`);
}
