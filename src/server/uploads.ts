/**
 * Report upload: the dashboard's drag and drop. Each file goes through the same path as
 * `sumi ingest` (ingestMessage), and the answer has the shape of `sumi ingest --json`.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Accounts } from '../auth/accounts.ts';
import { describeFailure } from '../ingest/describe.ts';
import { ingestMessage } from '../ingest/message.ts';
import { addOutcome, emptyTotals } from '../ingest/totals.ts';
import type { Store } from '../store/types.ts';
import { ApiError, requestLang } from './errors.ts';
import { type AnyRouteSpec, addRoute } from './route.ts';

/** The largest file one upload may carry (a month of reports for a big domain, zipped). */
export const UPLOAD_MAX_FILE_BYTES = 50 * 1024 * 1024;
/** Files in one upload. */
export const UPLOAD_MAX_FILES = 50;
export const UPLOAD_EXTENSIONS = ['.xml', '.gz', '.zip', '.eml'] as const;

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
    summary: `Upload report files (multipart/form-data, .xml .gz .zip .eml, ${UPLOAD_MAX_FILES} files of ${UPLOAD_MAX_FILE_BYTES / 1024 / 1024} MB at most); answers as \`sumi ingest --json\``,
    tag: 'reports',
    access: 'analyst',
    multipart: true,
    response: ingestSummarySchema,
    async handler({ request, caller }) {
      if (!request.isMultipart()) throw new ApiError(400, 'no-files');
      const files: { name: string; bytes: Buffer }[] = [];
      try {
        for await (const part of request.files({
          limits: { fileSize: UPLOAD_MAX_FILE_BYTES, files: UPLOAD_MAX_FILES },
        })) {
          const name = part.filename.replace(/[\r\n]/g, ' ').slice(0, 255) || 'upload';
          const lower = name.toLowerCase();
          if (!UPLOAD_EXTENSIONS.some((ext) => lower.endsWith(ext))) {
            part.file.resume();
            throw new ApiError(400, 'bad-upload', { name });
          }
          files.push({ name, bytes: await part.toBuffer() });
        }
      } catch (error) {
        if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
          throw new ApiError(413, 'upload-too-large', { megabytes: UPLOAD_MAX_FILE_BYTES / 1024 / 1024 });
        }
        throw error;
      }
      if (files.length === 0) throw new ApiError(400, 'no-files');
      const totals = emptyTotals();
      const receivedAt = Math.floor(Date.now() / 1000);
      for (const file of files) {
        const source = `upload by ${caller.user.username}: ${file.name}`;
        addOutcome(totals, await ingestMessage(store, file.bytes, file.name, source, { receivedAt }));
      }
      await accounts.audit({
        userId: caller.user.id,
        username: caller.user.username,
        action: 'upload',
        target: files
          .map((f) => f.name)
          .join(', ')
          .slice(0, 1000),
        detail: { reports: totals.reports, duplicates: totals.duplicates, failed: totals.failed.length },
        ip: request.ip,
      });
      const lang = requestLang(request);
      return {
        reports: totals.reports,
        duplicates: totals.duplicates,
        records: totals.records,
        messages: totals.messages,
        failure_reports: totals.failureReports,
        tls_reports: totals.tlsReports,
        failed: totals.failed.map((f) => ({
          source: f.source,
          code: f.error.code,
          error: describeFailure(f, lang),
        })),
      };
    },
  });
}
