/** The quarantine API from an admin's side: paging the list, and ids that name no entry. */
import { describe, expect, it } from 'vitest';
import { engines, engineTitle } from '../store/helpers.ts';
import { type Harness, useHarness } from './helpers.ts';

for (const engine of engines) {
  describe.skipIf(engine.skip)(`quarantine API ${engineTitle(engine)}`, () => {
    let h!: Harness;
    const as = useHarness(engine, async (built) => {
      h = built;
    });

    const keep = async (name: string) =>
      (
        await h.store.quarantine(
          Buffer.from(`<feedback>${name}`),
          { description: name },
          { code: 'xml-not-well-formed', message: 'cut short' },
        )
      ).id;

    it('pages the list with limit and offset, and says how many there are', async () => {
      for (let i = 1; i <= 5; i++) await keep(`page-${i}.xml`);
      const root = await as('root');
      const all = (await root.get('/api/quarantine')).json();
      expect(all.total).toBe(5);
      const sources = all.entries.map((e: { source: string }) => e.source);
      const first = (await root.get('/api/quarantine?limit=2')).json();
      const second = (await root.get('/api/quarantine?limit=2&offset=2')).json();
      const last = (await root.get('/api/quarantine?limit=2&offset=4')).json();
      expect(first.entries.map((e: { source: string }) => e.source)).toEqual(sources.slice(0, 2));
      expect(second.entries.map((e: { source: string }) => e.source)).toEqual(sources.slice(2, 4));
      expect(last.entries.map((e: { source: string }) => e.source)).toEqual(sources.slice(4));
      expect(second.total).toBe(5);
    });

    it('answers 404 for a retry or a download of an id that names no entry, reading nothing', async () => {
      const kept = await keep('retry-known.xml');
      const root = await as('root');
      const retry = await root.request(
        'POST',
        '/api/quarantine/retry',
        { ids: [kept, 987654] },
        {
          headers: { 'accept-language': 'ja' },
        },
      );
      expect(retry.statusCode).toBe(404);
      expect(retry.json().error).toEqual({
        code: 'not-found',
        message: '見つかりません: quarantine entry 987654',
      });
      expect((await root.request('POST', '/api/quarantine/retry', { ids: [987654] })).statusCode).toBe(404);
      expect((await root.get('/api/quarantine/987654/raw')).statusCode).toBe(404);
      // The known one was not read again: its reason and count are as kept.
      const [entry] = await h.store.listQuarantine({ ids: [kept] });
      expect(entry).toMatchObject({ errorMessage: 'cut short', times: 1 });
      const known = await root.request('POST', '/api/quarantine/retry', { ids: [kept, kept] });
      expect(known.statusCode).toBe(200);
      expect(known.json()).toMatchObject({ retried: 1, released: 0 });
    });
  });
}
