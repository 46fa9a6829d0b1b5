/** The dashboard's requests: what an answer's strings may hold by the time a page shows them. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { request } from '../../src/web/api.ts';

afterEach(() => vi.unstubAllGlobals());

describe('request', () => {
  it('shows report text in the order it was sent: bidi overrides and isolates become U+FFFD, the rest stays', async () => {
    const answer = {
      reporters: [{ orgName: 'Evil\u202eelgoog\u202c', note: 'x\u2066y\u2069 日本 \u200f' }],
      n: 3,
    };
    vi.stubGlobal(
      'fetch',
      async () =>
        new Response(JSON.stringify(answer), {
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }),
    );
    expect(await request('/api/x')).toEqual({
      reporters: [{ orgName: 'Evil\uFFFDelgoog\uFFFD', note: 'x\uFFFDy\uFFFD 日本 \u200f' }],
      n: 3,
    });
  });
});
