/**
 * The upload API from an admin's side: what an upload holding reports of several domains stores
 * for a user limited to some of them, and what it answers.
 */
import { describe, expect, it } from 'vitest';
import { aggregateGz, aggregateXml } from '../ingest/helpers/reports.ts';
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
            source: 'upload by alice: both.zip > entry theirs.xml',
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
          { source: 'upload by alice: mixed.zip > entry broken.xml', code: 'xml-not-well-formed' },
          { source: 'upload by alice: mixed.zip > entry theirs.xml', code: 'out-of-scope' },
        ],
      });
      const [kept] = await h.store.listQuarantine({ limit: 1 });
      expect(kept?.source).toBe('upload by alice: mixed.zip > entry broken.xml');
      expect((await h.store.getRawReport(kept!.id, 'quarantine'))?.toString()).toBe(broken);
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
            source: 'upload by alice: both.eml > attachment 1 theirs.xml.gz > gunzip',
            code: 'out-of-scope',
            error:
              'upload by alice: both.eml > 添付 1 theirs.xml.gz > gzip 展開: あなたの担当外のドメイン b.example のレポートのため、保存しませんでした。',
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
  });
}
