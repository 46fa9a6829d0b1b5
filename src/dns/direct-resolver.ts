import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Packet } from 'dns-packet';
import type { DnsResult, RecordOf, Resolver, RRType } from './types.ts';
import { normalizeName } from './types.ts';
import { AUTHENTIC_DATA, EDNS_OPT, interpret, RECURSION_DESIRED, TRUNCATED_RESPONSE } from './wire.ts';

export interface NameServer {
  host: string;
  port: number;
}

export interface DirectResolverOptions {
  servers: NameServer[];
  /** Per-attempt wait for an answer, in ms. */
  timeoutMs?: number;
  /** Attempts per question (timeouts rotate through the servers). */
  attempts?: number;
  /** UDP sockets to spread queries over (more source ports, more IDs in flight). */
  sockets?: number;
}

export const DEFAULT_TIMEOUT_MS = 2000;
export const DEFAULT_ATTEMPTS = 3;
/** CNAME links followed across separate questions before giving up. */
export const MAX_CNAME_CHASE = 8;
/** Largest DNS message accepted over TCP. */
const MAX_TCP_MESSAGE = 65535;

interface Pending {
  server: NameServer;
  question: { name: string; type: string };
  resolve: (packet: Packet | undefined) => void;
  timer: NodeJS.Timeout;
}

/**
 * A stub resolver speaking DNS itself (dns-packet over UDP, TCP when truncated), so Sumi
 * sees what the system resolver hides: the exact rcode, TC, AD, CNAME chains and the raw
 * TXT strings. Timeouts are retried against the next server; SERVFAIL and REFUSED are tried
 * once on each other server before being reported.
 */
export class DirectResolver implements Resolver {
  private readonly servers: NameServer[];
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly socketCount: number;
  private readonly pools: Record<'udp4' | 'udp6', dgram.Socket[]> = { udp4: [], udp6: [] };
  private readonly pending = new Map<string, Pending>();
  private nextSocket = 0;
  private nextServer = 0;
  /** Messages sent (UDP and TCP), for measuring. */
  sent = 0;

  constructor(options: DirectResolverOptions) {
    if (options.servers.length === 0) throw new RangeError('a DirectResolver needs at least one name server');
    this.servers = options.servers;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    this.socketCount = options.sockets ?? 4;
  }

  async lookup<T extends RRType>(qname: string, type: T): Promise<DnsResult<T>> {
    const name = normalizeName(qname);
    const cnames: string[] = [];
    const asked = new Set<string>();
    let target = name;
    for (let hop = 0; hop <= MAX_CNAME_CHASE; hop++) {
      asked.add(target);
      const result = await this.ask(target, type);
      cnames.push(...result.result.cnames);
      if (!result.chaseTarget) {
        return { ...result.result, name, cnames };
      }
      if (asked.has(result.chaseTarget)) {
        return {
          name,
          type,
          status: 'servfail',
          records: [],
          cnames,
          error: `CNAME loop at ${result.chaseTarget}`,
        };
      }
      target = result.chaseTarget;
    }
    return {
      name,
      type,
      status: 'servfail',
      records: [] as RecordOf[T][],
      cnames,
      error: 'CNAME chain too long',
    };
  }

  /** One question, with retries across servers; the answer interpreted. */
  private async ask<T extends RRType>(name: string, type: T) {
    const tried = new Set<number>();
    let last: ReturnType<typeof interpret<T>> | undefined;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const index = this.nextServer++ % this.servers.length;
      const server = this.servers[index]!;
      let packet = await this.udpQuery(server, name, type);
      if (packet && ((packet.flags ?? 0) & TRUNCATED_RESPONSE) !== 0)
        packet = await this.tcpQuery(server, name, type);
      if (!packet) continue;
      const interpreted = interpret(name, type, packet);
      const status = interpreted.result.status;
      if (status === 'servfail' || status === 'refused') {
        tried.add(index);
        last = interpreted;
        if (tried.size < this.servers.length) continue;
      }
      return interpreted;
    }
    if (last) return last;
    const where = this.servers.map((s) => `${s.host}:${s.port}`).join(', ');
    return {
      result: {
        name,
        type,
        status: 'timeout' as const,
        records: [] as RecordOf[T][],
        cnames: [],
        error: `no answer from ${where} after ${this.attempts} attempts of ${this.timeoutMs} ms`,
      },
    };
  }

  private query(name: string, type: RRType, id: number): Buffer {
    return dnsPacket.encode({
      type: 'query',
      id,
      // AD in a query asks a validating resolver to say whether it validated (RFC 6840 s5.7).
      flags: RECURSION_DESIRED | AUTHENTIC_DATA,
      questions: [{ name, type: type as 'TXT', class: 'IN' }],
      additionals: [EDNS_OPT],
    });
  }

  private socketFor(family: 'udp4' | 'udp6'): { socket: dgram.Socket; index: string } {
    const pool = this.pools[family];
    if (pool.length === 0) {
      for (let i = 0; i < this.socketCount; i++) {
        const socket = dgram.createSocket(family);
        const index = `${family}/${i}`;
        socket.on('message', (message, remote) => this.onMessage(index, message, remote));
        // Errors surface as timeouts of the queries in flight; the socket stays usable.
        socket.on('error', () => undefined);
        // Sockets alone must not keep a CLI alive; pending queries hold their timers.
        socket.unref();
        pool.push(socket);
      }
    }
    const i = this.nextSocket++ % pool.length;
    return { socket: pool[i]!, index: `${family}/${i}` };
  }

  private udpQuery(server: NameServer, name: string, type: RRType): Promise<Packet | undefined> {
    const { socket, index } = this.socketFor(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    let id = randomInt(0, 65536);
    while (this.pending.has(`${index}:${id}`)) id = randomInt(0, 65536);
    const key = `${index}:${id}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        resolve(undefined);
      }, this.timeoutMs);
      this.pending.set(key, { server, question: { name, type }, resolve, timer });
      this.sent++;
      socket.send(this.query(name, type, id), server.port, server.host, (error) => {
        if (error) {
          clearTimeout(timer);
          this.pending.delete(key);
          resolve(undefined);
        }
      });
    });
  }

  private onMessage(index: string, message: Buffer, remote: dgram.RemoteInfo): void {
    if (message.length < 12) return;
    const key = `${index}:${message.readUInt16BE(0)}`;
    const waiting = this.pending.get(key);
    if (!waiting) return;
    // Only the server asked may answer, and only the question asked (spoofing, stray replies).
    if (remote.port !== waiting.server.port || !sameHost(remote.address, waiting.server.host)) return;
    let packet: Packet;
    try {
      packet = dnsPacket.decode(message);
    } catch {
      return;
    }
    const q = packet.questions?.[0];
    if (!q || normalizeName(q.name) !== waiting.question.name || q.type !== waiting.question.type) return;
    clearTimeout(waiting.timer);
    this.pending.delete(key);
    waiting.resolve(packet);
  }

  private tcpQuery(server: NameServer, name: string, type: RRType): Promise<Packet | undefined> {
    return new Promise((resolve) => {
      const id = randomInt(0, 65536);
      const socket = net.connect({ host: server.host, port: server.port });
      let received = Buffer.alloc(0);
      let done = false;
      const finish = (packet: Packet | undefined) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(packet);
      };
      const timer = setTimeout(() => finish(undefined), this.timeoutMs);
      socket.on('error', () => finish(undefined));
      socket.on('close', () => finish(undefined));
      socket.on('connect', () => {
        const body = this.query(name, type, id);
        const framed = Buffer.alloc(2 + body.length);
        framed.writeUInt16BE(body.length, 0);
        body.copy(framed, 2);
        this.sent++;
        socket.write(framed);
      });
      socket.on('data', (chunk) => {
        received = Buffer.concat([received, chunk]);
        if (received.length > 2 + MAX_TCP_MESSAGE) return finish(undefined);
        if (received.length < 2) return;
        const length = received.readUInt16BE(0);
        if (received.length < 2 + length) return;
        try {
          const packet = dnsPacket.decode(received.subarray(2, 2 + length));
          finish(packet.id === id ? packet : undefined);
        } catch {
          finish(undefined);
        }
      });
    });
  }

  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve(undefined);
    }
    this.pending.clear();
    for (const pool of Object.values(this.pools)) {
      for (const s of pool) s.close();
      pool.length = 0;
    }
  }
}

function sameHost(a: string, b: string): boolean {
  const strip = (h: string) => h.replace(/^::ffff:/, '').toLowerCase();
  return strip(a) === strip(b);
}

/** Parses `host:port[,host:port]` (IPv6 as `[::1]:53`; port defaults to 53). */
export function parseServers(spec: string): NameServer[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
      let host: string;
      let port: string | undefined;
      if (bracketed) {
        host = bracketed[1]!;
        port = bracketed[2];
      } else if (net.isIPv6(entry)) {
        host = entry;
      } else {
        const colon = entry.lastIndexOf(':');
        host = colon === -1 ? entry : entry.slice(0, colon);
        port = colon === -1 ? undefined : entry.slice(colon + 1);
      }
      if (!net.isIP(host))
        throw new RangeError(`resolver "${entry}": give an IP address, e.g. 127.0.0.1:5353`);
      const portNumber = port === undefined ? 53 : Number(port);
      if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
        throw new RangeError(`resolver "${entry}": port must be 1-65535`);
      }
      return { host, port: portNumber };
    });
}
