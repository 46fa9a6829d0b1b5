/**
 * The upload API from an admin's side: what an upload holding reports of several domains stores
 * for a user limited to some of them, and what it answers.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { UPLOAD_MAX_FIELDS, UPLOAD_MAX_FILE_BYTES, UPLOAD_MAX_FILES } from '../../src/server/uploads.ts';
import { aggregateGz, aggregateXml, mbox, reportMail } from '../ingest/helpers/reports.ts';
import { mail, zip } from '../reports/fixtures/build.ts';
import { engines, engineTitle } from '../store/helpers.ts';
import { type Harness, multipart, useHarness } from './helpers.ts';

for (const engine of engines) {
  describe.skipIf(engine.skip)(`uploads ${engineTitle(engine)}`, () => {
    let h!: Harness;
    const as = useHarness(engine, async (built) => {
      h = built;
    });

    const stored = async (reportId: string) =>
      (await (await as('root')).get(`/api/reports?q=${reportId}`)).json().total;

    it("stores a zip's reports inside the uploader's scope and names the one outside it", async () => {
      const alice = await as('alice');
      const both = zip([
        { name: 'mine.xml', data: aggregateXml({ reportId: 'zip-mine', domain: 'a.example', records: 3 }) },
        { name: 'theirs.xml', data: aggregateXml({ reportId: 'zip-theirs', domain: 'b.example' }) },
        { name: 'mine-too.xml', data: aggregateXml({ reportId: 'zip-also', domain: 'a.example' }) },
      ]);
      const quarantined = (await h.store.countReports()).quarantined;
      const response = await alice.request('POST', '/api/uploads', undefined, {
        ...multipart([{ name: 'both.zip', content: both }]),
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({
        reports: 2,
        duplicates: 0,
        records: 5,
        messages: 9,
        failure_reports: 0,
        tls_reports: 0,
        failed: [
          {
            source: 'upload://alice/both.zip > entry theirs.xml',
            code: 'out-of-scope',
            error:
              'upload by alice: both.zip > entry theirs.xml: a report for b.example, which is not one of your domains; it was not stored.',
          },
        ],
      });
      expect(await stored('zip-mine')).toBe(1);
      expect(await stored('zip-also')).toBe(1);
      expect(await stored('zip-theirs')).toBe(0);
      // Nor kept where an admin's retry would store it.
      expect((await h.store.countReports()).quarantined).toBe(quarantined);
    });

    it('takes an SMTP TLS report as the .json file its receiver sent', async () => {
      const root = await as('root');
      const json = await readFile(new URL('../reports/fixtures/tls.json', import.meta.url));
      const response = await root.request('POST', '/api/uploads', undefined, {
        ...multipart([{ name: 'example!sender.example!1709251200!1709337599.json', content: json }]),
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ tls_reports: 1, failed: [] });
    });

    it('stores every mail of an uploaded .mbox.gz, and names where one is cut short', async () => {
      const root = await as('root');
      const box = mbox([1, 2, 3].map((i) => reportMail({ reportId: `mbox-${i}`, domain: 'a.example' })));
      const whole = await root.request('POST', '/api/uploads', undefined, {
        ...multipart([{ name: 'box.mbox.gz', content: gzipSync(box) }]),
      });
      expect(whole.statusCode, whole.body).toBe(200);
      expect(whole.json()).toMatchObject({ reports: 3, failed: [] });
      for (const i of [1, 2, 3]) expect(await stored(`mbox-${i}`)).toBe(1);
      const more = mbox([4, 5].map((i) => reportMail({ reportId: `mbox-${i}`, domain: 'a.example' })));
      const cut = gzipSync(more).subarray(0, -12);
      const response = await root.request('POST', '/api/uploads', undefined, {
        ...multipart([{ name: 'cut.mbox.gz', content: cut }]),
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().failed).toEqual([
        expect.objectContaining({ source: expect.stringMatching(/^upload:\/\/root\/cut\.mbox\.gz #\d$/) }),
      ]);
    });

    it('keeps the damaged part of an upload with a refused report, never the whole input', async () => {
      const alice = await as('alice');
      const broken = '<feedback><report_metadata>';
      const response = await alice.request('POST', '/api/uploads', undefined, {
        ...multipart([
          {
            name: 'mixed.zip',
            content: zip([
              { name: 'theirs.xml', data: aggregateXml({ reportId: 'mixed-theirs', domain: 'b.example' }) },
              { name: 'broken.xml', data: broken },
            ]),
          },
        ]),
      });
      expect(response.json()).toMatchObject({
        reports: 0,
        failed: [
          { source: 'upload://alice/mixed.zip > entry broken.xml', code: 'xml-not-well-formed' },
          { source: 'upload://alice/mixed.zip > entry theirs.xml', code: 'out-of-scope' },
        ],
      });
      const [kept] = await h.store.listQuarantine({ limit: 1 });
      expect(kept?.source).toBe('upload://alice/mixed.zip > entry broken.xml');
      expect((await h.store.getRawReport(kept!.id, 'quarantine'))?.toString()).toBe(broken);
    });

    it("says who uploaded a file that gave no report in the reader's language, never taking a file's name for it", async () => {
      const root = await as('root');
      const upload = async (name: string, lang: string) =>
        (
          await root.request('POST', '/api/uploads', undefined, {
            payload: multipart([{ name, content: '' }]).payload,
            headers: { ...multipart([]).headers, 'accept-language': lang },
          })
        ).json().failed[0];
      expect(await upload('empty.xml', 'en')).toEqual({
        source: 'upload://root/empty.xml',
        code: 'empty-input',
        error: 'upload by root: empty.xml: The input is empty.',
      });
      expect((await upload('empty.xml', 'ja')).error).toBe(
        'root によるアップロード: empty.xml: 入力が空です。',
      );
      // A file named as uploads were once kept is a file's name, said as it is.
      expect((await upload('upload by bob: x.xml', 'ja')).error).toBe(
        'root によるアップロード: upload by bob: x.xml: 入力が空です。',
      );
      // The quarantine's reason goes without its source, which the list shows beside it.
      const [kept] = (
        await root.request('GET', '/api/quarantine?limit=1', undefined, {
          headers: { 'accept-language': 'ja' },
        })
      ).json().entries;
      expect(kept).toMatchObject({
        source: 'upload://root/upload by bob: x.xml',
        sources: expect.arrayContaining(['upload://root/empty.xml']),
        errorMessage: '入力が空です。',
      });
    });

    it("stores a mail's report inside the scope and refuses the other, in the reader's language", async () => {
      const alice = await as('alice');
      const both = mail('Report Domain: a.example', [
        {
          contentType: 'application/gzip',
          filename: 'theirs.xml.gz',
          data: aggregateGz({ reportId: 'mail-theirs', domain: 'b.example' }),
        },
        {
          contentType: 'application/gzip',
          filename: 'mine.xml.gz',
          data: aggregateGz({ reportId: 'mail-mine', domain: 'a.example' }),
        },
      ]);
      const response = await alice.request('POST', '/api/uploads', undefined, {
        payload: multipart([{ name: 'both.eml', content: both }]).payload,
        headers: { ...multipart([]).headers, 'accept-language': 'ja' },
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({
        reports: 1,
        failed: [
          {
            source: 'upload://alice/both.eml > attachment 1 theirs.xml.gz > gunzip',
            code: 'out-of-scope',
            error:
              'alice によるアップロード: both.eml > 添付 1 theirs.xml.gz > gzip 展開: あなたの担当外のドメイン b.example のレポートのため、保存しませんでした。',
          },
        ],
      });
      expect(await stored('mail-mine')).toBe(1);
      expect(await stored('mail-theirs')).toBe(0);
      const audit = (await (await as('root')).get('/api/audit')).json().entries;
      expect(audit.find((e: { action: string }) => e.action === 'upload')).toMatchObject({
        detail: { reports: 1, failed: 1 },
      });
    });

    it("answers what it cannot take of an upload in Sumi's words, in the reader's language", async () => {
      const root = await as('root');
      const inJapanese = { 'accept-language': 'ja' };
      const send = (payload: Buffer | string, type: string) =>
        root.request('POST', '/api/uploads', undefined, {
          payload,
          headers: { 'content-type': type, ...inJapanese },
        });
      const tooMany = multipart(
        Array.from({ length: UPLOAD_MAX_FILES + 1 }, (_, i) => ({ name: `r${i}.xml`, content: '<x/>' })),
      );
      const boundary = '----b';
      const form = `multipart/form-data; boundary=${boundary}`;
      const fileHead = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.xml"\r\n\r\n`;
      const cases: [string, () => ReturnType<typeof send>, number, string, string][] = [
        [
          'too many files',
          () => send(tooMany.payload, tooMany.headers['content-type']!),
          413,
          'upload-too-many-files',
          `1 回のアップロードのファイルが多すぎます。${UPLOAD_MAX_FILES} ファイルまでです。`,
        ],
        [
          'a file too large',
          () =>
            send(
              Buffer.concat([
                Buffer.from(fileHead),
                Buffer.alloc(UPLOAD_MAX_FILE_BYTES + 1, 0x20),
                Buffer.from(`\r\n--${boundary}--\r\n`),
              ]),
              form,
            ),
          413,
          'upload-too-large',
          'アップロードが大きすぎます。1 ファイルあたり 50 MB までです。',
        ],
        [
          'no boundary',
          () => send('hello', 'multipart/form-data'),
          400,
          'bad-multipart',
          '形式が正しくありません',
        ],
        ['cut short', () => send(`${fileHead}<feedback>`, form), 400, 'bad-multipart', '途中で切れている'],
        [
          'octet-stream',
          () => send('<feedback/>', 'application/octet-stream'),
          415,
          'unsupported-media-type',
          'JSON',
        ],
        [
          'multipart/mixed',
          () => send('x', 'multipart/mixed; boundary=x'),
          415,
          'unsupported-media-type',
          'JSON',
        ],
        ['JSON', () => send('{}', 'application/json'), 415, 'unsupported-media-type', 'JSON'],
        ['no file', () => send(`--${boundary}--\r\n`, form), 400, 'no-files', 'ファイルがありません'],
        [
          'form fields past the few a client may send beside its files',
          () =>
            send(
              `${Array.from(
                { length: UPLOAD_MAX_FIELDS + 1 },
                (_, i) => `--${boundary}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`,
              ).join('')}${fileHead}<x/>\r\n--${boundary}--\r\n`,
              form,
            ),
          413,
          'upload-too-many-fields',
          'フォームの項目が多すぎます',
        ],
      ];
      for (const [what, answer, status, code, words] of cases) {
        const response = await answer();
        expect(response.statusCode, what).toBe(status);
        const { error } = response.json() as { error: { code: string; message: string } };
        expect(error.code, what).toBe(code);
        expect(error.message, what).toContain(words);
      }
      // The server took nothing from them, and still answers.
      expect((await root.get('/api/reports?q=a.xml')).statusCode).toBe(200);
    });

    it('keeps an upload on disk while it stores it, not in memory, and leaves nothing behind', async () => {
      const root = await as('root');
      const spools = mkdtempSync(path.join(tmpdir(), 'sumi-test-tmp-'));
      const held: string[][] = [];
      const insert = h.store.insertAggregateReport.bind(h.store);
      const watch = vi.spyOn(h.store, 'insertAggregateReport').mockImplementation((...args) => {
        held.push(readdirSync(spools).flatMap((dir) => readdirSync(path.join(spools, dir))));
        return insert(...args);
      });
      vi.stubEnv('TMPDIR', spools);
      try {
        const files = ['spool-1', 'spool-2'].map((reportId) => ({
          name: `${reportId}.xml.gz`,
          content: aggregateGz({ reportId, domain: 'a.example' }),
        }));
        const response = await root.request('POST', '/api/uploads', undefined, multipart(files));
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json()).toMatchObject({ reports: 2, failed: [] });
        // Both files were received, as files, before the first report was stored.
        expect(held[0]).toHaveLength(2);
        const refused = await root.request(
          'POST',
          '/api/uploads',
          undefined,
          multipart([...files, { name: 'notes.txt', content: 'x' }]),
        );
        expect(refused.statusCode).toBe(400);
        expect(readdirSync(spools)).toEqual([]);
      } finally {
        vi.unstubAllEnvs();
        watch.mockRestore();
        rmSync(spools, { recursive: true, force: true });
      }
    });
  });
}
