/**
 * Report upload: the dashboard's drag and drop. Each file goes through the same path as
 * `sumi ingest` (ingestMessage), and the answer has the shape of `sumi ingest --json`.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Accounts } from '../auth/accounts.ts';
import { type DomainScope, scopeAllows } from '../auth/scope.ts';
import { sourceWords, uploadSource } from '../i18n/reports.ts';
import { serverText } from '../i18n/server.ts';
import { translate } from '../i18n/translate.ts';
import { totalsAnswer } from '../ingest/describe.ts';
import { InputError, wholeInputMessages } from '../ingest/inputs.ts';
import { ingestMessage, OutOfScopeError } from '../ingest/message.ts';
import { addOutcome, emptyTotals } from '../ingest/totals.ts';
import type { Store } from '../store/types.ts';
import { ApiError, requestLang } from './errors.ts';
import { type AnyRouteSpec, addRoute } from './route.ts';

/** The largest file one upload may carry (a month of reports for a big domain, zipped). */
export const UPLOAD_MAX_FILE_BYTES = 50 * 1024 * 1024;
/** Files in one upload. */
export const UPLOAD_MAX_FILES = 50;
/**
 * Text fields a client may send beside its files (the dashboard sends none), each cut at
 * UPLOAD_MAX_FIELD_BYTES: the multipart library keeps them all, and by its defaults 1,000 fields
 * of 1 MB each held a gigabyte per request.
 */
export const UPLOAD_MAX_FIELDS = 16;
export const UPLOAD_MAX_FIELD_BYTES = 1024;
/** Report files as receivers send them: SMTP TLS reports (RFC 8460) are JSON, gzipped or not. */
export const UPLOAD_EXTENSIONS = ['.xml', '.json', '.gz', '.zip', '.eml'] as const;

/**
 * The store as a caller limited to some domains may write to it: every report is checked
 * against the scope before its transaction opens, so a client cannot add reports to another
 * client's domain.
 */
export function scopedStore(store: Store, scope: DomainScope): Store {
  if (scope.all) return store;
  const check = (domains: readonly (string | null)[]) => {
    if (domains.length === 0) throw new OutOfScopeError('(no domain)');
    for (const domain of domains) {
      if (domain === null || !scopeAllows(scope, domain)) throw new OutOfScopeError(domain ?? '(no domain)');
    }
  };
  const guarded: Partial<Store> = {
    insertAggregateReport: async (report, ...rest) => {
      try {
        check([report.policyPublished.domain]);
      } catch (error) {
        // As the store does with a duplicate: close the records, so a streaming parser stops.
        const records = report.records;
        if (Symbol.asyncIterator in records) await records[Symbol.asyncIterator]().return?.();
        else records[Symbol.iterator]().return?.();
        throw error;
      }
      return store.insertAggregateReport(report, ...rest);
    },
    insertAggregateReports: (items, ...rest) => {
      check(items.map((i) => i.report.policyPublished.domain));
      return store.insertAggregateReports(items, ...rest);
    },
    openAggregateReport: (header, ...rest) => {
      check([header.policyPublished.domain]);
      return store.openAggregateReport(header, ...rest);
    },
    insertFailureReport: (report, ...rest) => {
      check(report.reportedDomains);
      return store.insertFailureReport(report, ...rest);
    },
    insertTlsReport: (report, ...rest) => {
      check(report.policies.map((p) => p.policyDomain));
      return store.insertTlsReport(report, ...rest);
    },
  };
  return new Proxy(store, {
    get(target, property) {
      if (property in guarded) return guarded[property as keyof Store];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * What reading an upload's body failed on, in Sumi's words: the multipart library's limits (by
 * their codes) and busboy's complaints about the body (a missing boundary, a body cut short, a
 * malformed part: plain errors in English) are all the sender's, said as such, never a 500.
 */
function multipartError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    return new ApiError(413, 'upload-too-large', { megabytes: UPLOAD_MAX_FILE_BYTES / 1024 / 1024 });
  }
  if (code === 'FST_FILES_LIMIT')
    return new ApiError(413, 'upload-too-many-files', { files: UPLOAD_MAX_FILES });
  if (code === 'FST_FIELDS_LIMIT') {
    return new ApiError(413, 'upload-too-many-fields', { fields: UPLOAD_MAX_FIELDS });
  }
  return new ApiError(400, 'bad-multipart');
}

export const ingestSummarySchema = z.object({
  reports: z.number(),
  duplicates: z.number(),
  records: z.number(),
  messages: z.number(),
  failure_reports: z.number(),
  tls_reports: z.number(),
  failed: z.array(z.object({ source: z.string(), code: z.string(), error: z.string() })),
});

export function registerUploadRoutes(
  app: FastifyInstance,
  registry: AnyRouteSpec[],
  store: Store,
  accounts: Accounts,
): void {
  addRoute(app, registry, {
    method: 'POST',
    url: '/api/uploads',
    changesAnalysis: true,
    summary: `Upload report files (multipart/form-data, .xml .json .gz .zip .eml, ${UPLOAD_MAX_FILES} files of ${UPLOAD_MAX_FILE_BYTES / 1024 / 1024} MB at most); answers as \`sumi ingest --json\``,
    tag: 'reports',
    access: 'analyst',
    multipart: true,
    response: ingestSummarySchema,
    async handler({ request, caller }) {
      if (!request.isMultipart()) throw new ApiError(415, 'unsupported-media-type');
      // Files are spooled to disk as they arrive and read back one at a time: an upload may carry
      // UPLOAD_MAX_FILES of UPLOAD_MAX_FILE_BYTES, which held whole in memory was 2.5 GB a request.
      const spool = await mkdtemp(path.join(tmpdir(), 'sumi-upload-'));
      try {
        const files = await spoolUpload(request, spool);
        if (files.length === 0) throw new ApiError(400, 'no-files');
        const totals = emptyTotals();
        const lang = requestLang(request);
        const refused: { source: string; code: string; error: string }[] = [];
        const target = scopedStore(store, caller.scope);
        const receivedAt = Math.floor(Date.now() / 1000);
        for (const file of files) {
          const source = uploadSource(caller.user.username, file.name);
          const bytes = await readFile(file.spooled);
          for await (const input of wholeInputMessages(bytes, source, file.name, receivedAt)) {
            let message: Buffer;
            try {
              message = await input.load();
            } catch (error) {
              // A mail of an mbox too large to take, or a .mbox.gz cut short: named, the others stored.
              if (!(error instanceof InputError)) throw error;
              totals.inputs++;
              totals.failed.push({ source: input.source, error });
              continue;
            }
            // Each report is judged on its own: one outside the scope leaves the file's others stored.
            const outcome = await ingestMessage(target, message, input.name, input.source, { receivedAt });
            addOutcome(totals, outcome);
            for (const report of outcome.refused ?? []) {
              refused.push({
                source: report.source,
                code: 'out-of-scope',
                error: translate(serverText, 'error.out-of-scope', lang, {
                  source: sourceWords(report.source, lang),
                  domain: report.domain,
                }),
              });
            }
          }
        }
        await accounts.audit({
          userId: caller.user.id,
          username: caller.user.username,
          action: 'upload',
          target: files
            .map((f) => f.name)
            .join(', ')
            .slice(0, 1000),
          detail: {
            reports: totals.reports,
            duplicates: totals.duplicates,
            failed: totals.failed.length + refused.length,
          },
          ip: request.ip,
        });
        const answer = totalsAnswer(totals, lang);
        return { ...answer, failed: [...answer.failed, ...refused] };
      } finally {
        await rm(spool, { recursive: true, force: true });
      }
    },
  });
}

/**
 * Writes each file of an upload into `spool` as it arrives, refusing a name that is not a report
 * file's before reading its bytes. Everything is received before anything is stored, so a refused
 * upload stores nothing.
 */
async function spoolUpload(
  request: FastifyRequest,
  spool: string,
): Promise<{ name: string; spooled: string }[]> {
  const spooled: { name: string; spooled: string }[] = [];
  try {
    for await (const part of request.files({
      limits: {
        fileSize: UPLOAD_MAX_FILE_BYTES,
        files: UPLOAD_MAX_FILES,
        fields: UPLOAD_MAX_FIELDS,
        fieldSize: UPLOAD_MAX_FIELD_BYTES,
      },
    })) {
      const name = part.filename.replace(/[\r\n]/g, ' ').slice(0, 255) || 'upload';
      const lower = name.toLowerCase();
      if (!UPLOAD_EXTENSIONS.some((ext) => lower.endsWith(ext))) {
        part.file.resume();
        throw new ApiError(400, 'bad-upload', { name });
      }
      // Numbered, not named: the client's file name never becomes a path.
      const file = path.join(spool, String(spooled.length));
      await pipeline(part.file, createWriteStream(file));
      spooled.push({ name, spooled: file });
    }
  } catch (error) {
    throw multipartError(error);
  }
  return spooled;
}
