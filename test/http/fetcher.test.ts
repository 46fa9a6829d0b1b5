import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Zone } from '../../src/dns/zone.ts';
import { ZoneResolver } from '../../src/dns/zone-resolver.ts';
import { HttpsFetcher, isPrivateAddress } from '../../src/http/fetcher.ts';
import { createTestPki, type TestPki } from '../helpers/tls.ts';

let pki: TestPki;
let server: https.Server;
let port: number;
const zone = Zone.parse(`
mta-sts.example.jp.  A 127.0.0.1
other.example.jp.    A 127.0.0.1
nowhere.example.jp.  TXT "no address"
`);
const resolver = new ZoneResolver(zone);

beforeAll(async () => {
  pki = createTestPki();
  const { cert, key } = pki.issue(['mta-sts.example.jp']);
  server = https.createServer({ cert, key }, (req, res) => {
    switch (req.url) {
      case '/policy':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('version: STSv1\n');
        return;
      case '/big':
        res.writeHead(200, { 'content-length': '100000' }).end('x'.repeat(100000));
        return;
      case '/big-chunked':
        res.writeHead(200);
        for (let i = 0; i < 100; i++) res.write('x'.repeat(1000));
        res.end();
        return;
      case '/moved':
        res.writeHead(301, { location: 'https://evil.example/' }).end();
        return;
      case '/hang':
        return; // never answers
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  pki.cleanup();
});

const labFetcher = () => new HttpsFetcher({ resolver, allowPrivate: true, ca: [pki.caCert] });
const url = (p: string, host = 'mta-sts.example.jp') => `https://${host}:${port}${p}`;

describe('HttpsFetcher', () => {
  it('fetches over https with the test CA and reports headers', async () => {
    const out = await labFetcher().fetch(url('/policy'), { maxBytes: 1024 });
    expect(out).toMatchObject({ ok: true, status: 200, headers: { 'content-type': 'text/plain' } });
    expect(out.ok && out.body.toString()).toBe('version: STSv1\n');
  });

  it('refuses private and loopback addresses unless allowed', async () => {
    const out = await new HttpsFetcher({ resolver, ca: [pki.caCert] }).fetch(url('/policy'), {
      maxBytes: 1024,
    });
    expect(out).toMatchObject({ ok: false, failure: 'private-address' });
    const literal = await new HttpsFetcher({ resolver }).fetch('https://[::1]/x', { maxBytes: 1 });
    expect(literal).toMatchObject({ ok: false, failure: 'private-address' });
  });

  it('fetches only https URLs', async () => {
    expect(await labFetcher().fetch('http://mta-sts.example.jp/x', { maxBytes: 1 })).toMatchObject({
      failure: 'not-https',
    });
    expect(await labFetcher().fetch('not a url', { maxBytes: 1 })).toMatchObject({ failure: 'bad-url' });
  });

  it('caps the size, declared or streamed', async () => {
    expect(await labFetcher().fetch(url('/big'), { maxBytes: 32768 })).toMatchObject({
      failure: 'too-large',
    });
    expect(await labFetcher().fetch(url('/big-chunked'), { maxBytes: 32768 })).toMatchObject({
      failure: 'too-large',
    });
  });

  it('does not follow redirects and reports HTTP errors', async () => {
    expect(await labFetcher().fetch(url('/moved'), { maxBytes: 100 })).toMatchObject({
      failure: 'redirect',
      status: 301,
      location: 'https://evil.example/',
    });
    expect(await labFetcher().fetch(url('/missing'), { maxBytes: 100 })).toMatchObject({
      failure: 'http-status',
      status: 404,
    });
  });

  it('checks the certificate: untrusted CA and wrong name are TLS failures', async () => {
    const untrusted = await new HttpsFetcher({ resolver, allowPrivate: true }).fetch(url('/policy'), {
      maxBytes: 100,
    });
    expect(untrusted).toMatchObject({ ok: false, failure: 'tls' });
    const wrongName = await labFetcher().fetch(url('/policy', 'other.example.jp'), { maxBytes: 100 });
    expect(wrongName).toMatchObject({ ok: false, failure: 'tls' });
  });

  it('times out and reports names without addresses', async () => {
    expect(await labFetcher().fetch(url('/hang'), { maxBytes: 100, timeoutMs: 200 })).toMatchObject({
      failure: 'timeout',
    });
    const out = await labFetcher().fetch('https://nowhere.example.jp/', { maxBytes: 100 });
    expect(out).toMatchObject({ failure: 'dns' });
    expect(!out.ok && out.error).toMatch(/A nodata, AAAA nodata/);
  });
});

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['203.0.113.5', false],
    ['8.8.8.8', false],
    ['2001:4860:4860::8888', false],
  ])('%s → %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});
