import { isAscii, isUtf8 } from 'node:buffer';
import type yauzl from 'yauzl';
import { zipFaultText } from '../i18n/reports.ts';
import { type DecompressionBudget, decompressedTooLarge } from './budget.ts';
import { faultOf, ReportError } from './errors.ts';
import { japaneseText } from './legacy-text.ts';

/** Entries in one zip archive. Reports come one to a few per zip; 100,000 tiny entries is an attack. */
export const ZIP_MAX_ENTRIES = 1_000;

export type ZipEntryResult = { name: string; bytes: Buffer } | { name: string; error: ReportError };

/**
 * yauzl, loaded on first use, as the mail parser is (a read thread given no zip starts sooner),
 * and once: each import() call goes through the module loader's hooks again (tsx's run on a
 * thread of their own), which cost more than unzipping a small report.
 */
const importYauzl = () => import('yauzl');
let yauzlModule: ReturnType<typeof importYauzl> | undefined;
const loadYauzl = () => (yauzlModule ??= importYauzl());

/**
 * Every file entry of a zip archive, one at a time (directories and macOS `__MACOSX/` resource
 * forks skipped). A damaged or encrypted entry yields its error and the others are still read;
 * an unreadable archive or one over the entry limit throws.
 */
export async function* zipEntries(
  input: Buffer,
  budget: DecompressionBudget,
  maxEntries = ZIP_MAX_ENTRIES,
): AsyncGenerator<ZipEntryResult> {
  const { fromBufferPromise } = (await loadYauzl()).default;
  let zipfile: yauzl.ZipFile;
  try {
    zipfile = await fromBufferPromise(input, {
      lazyEntries: true,
      validateEntrySizes: true,
      strictFileNames: false,
    });
  } catch (err) {
    throw zipCorrupt(err);
  }
  try {
    if (zipfile.entryCount > maxEntries) {
      throw new ReportError('zip-too-many-entries', { count: zipfile.entryCount, limit: maxEntries });
    }
    let entries: AsyncIterableIterator<yauzl.Entry>;
    try {
      entries = zipfile.eachEntry();
    } catch (err) {
      throw zipCorrupt(err);
    }
    while (true) {
      let next: IteratorResult<yauzl.Entry>;
      try {
        next = await entries.next();
      } catch (err) {
        throw zipCorrupt(err);
      }
      if (next.done) return;
      const entry = next.value;
      const name = entryName(entry);
      if (name.endsWith('/') || name.startsWith('__MACOSX/') || name.includes('/__MACOSX/')) continue;
      try {
        yield { name, bytes: await readEntry(zipfile, entry, budget) };
      } catch (err) {
        if (!(err instanceof ReportError)) throw err;
        yield { name, error: err };
      }
    }
  } finally {
    zipfile.close();
  }
}

/** The unreadable-archive error for what yauzl (or zlib, in an entry) threw, with its fault when known. */
function zipCorrupt(err: unknown): ReportError {
  const message = (err as Error).message;
  return new ReportError('zip-corrupt', { detail: message, ...zipFault(message) }, { cause: err });
}

/** The fault of zipFaultText a message from yauzl or zlib names, with its values. */
export function zipFault(message: string) {
  return faultOf(zipFaultText, message);
}

const UTF8_NAME_FLAG = 0x800;
const UNICODE_PATH_FIELD = 0x7075;

/**
 * An entry's name. Zip says a name without the UTF-8 flag is CP437 (yauzl decodes it so), but
 * the tools that write them mostly do not: macOS and Linux write UTF-8 unflagged, Japanese
 * Windows writes Shift_JIS, older Unix tools EUC-JP. Such a name is read as UTF-8 when its bytes
 * are UTF-8, else as Shift_JIS or EUC-JP when they are that (japaneseText), else as CP437. The
 * name only shows where a report came from.
 */
function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileNameRaw;
  if (
    (entry.generalPurposeBitFlag & UTF8_NAME_FLAG) !== 0 ||
    entry.extraFields.some((field) => field.id === UNICODE_PATH_FIELD) ||
    isAscii(raw)
  )
    return entry.fileName;
  if (isUtf8(raw)) return raw.toString('utf8').replaceAll('\\', '/');
  return japaneseText(raw)?.replaceAll('\\', '/') ?? entry.fileName;
}

async function readEntry(
  zipfile: yauzl.ZipFile,
  entry: yauzl.Entry,
  budget: DecompressionBudget,
): Promise<Buffer> {
  if (entry.isEncrypted())
    throw new ReportError('zip-entry-encrypted', { entry: entry.fileName.slice(0, 200) });
  const allowance = budget.remaining();
  // The declared sizes are checked first (no work for an honest bomb), then the bytes as they come.
  if (entry.uncompressedSize > allowance.bytes) throw decompressedTooLarge(allowance);
  if (budget.ratioExceeded(entry.uncompressedSize, entry.compressedSize)) throw budget.ratioError();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    const stream = await zipfile.openReadStreamPromise(entry);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > allowance.bytes || budget.ratioExceeded(size, entry.compressedSize)) {
        stream.destroy();
        throw size > allowance.bytes ? decompressedTooLarge(allowance) : budget.ratioError();
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof ReportError) throw err;
    throw zipCorrupt(err);
  } finally {
    // Charged whether the entry was read whole or failed part-way: else every damaged entry of a
    // zip could inflate its own allowance and the input's total would never be reached.
    budget.spend(size);
  }
  return Buffer.concat(chunks, size);
}
