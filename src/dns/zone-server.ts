import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import { hostPort } from '../net/address.ts';
import type { RRType } from './types.ts';
import { normalizeName } from './types.ts';
import {
  AUTHENTIC_DATA,
  AUTHORITATIVE_ANSWER,
  EDNS_OPT,
  EDNS_UDP_SIZE,
  encodeCharacterStrings,
  RECURSION_AVAILABLE,
  RECURSION_DESIRED,
  TRUNCATED_RESPONSE,
} from './wire.ts';
import { RR_TYPES, type Zone, type ZoneRecord } from './zone.ts';

const RCODES = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
/** Largest TCP message accepted from a client; queries are tiny. */
const MAX_TCP_QUERY = 4096;

export interface ZoneServerOptions {
  host?: string;
  /** 0 (default) picks a free port; UDP and TCP share it. */
  port?: number;
  /** Delay before every answer, in ms: a lab stand-in for the network's round trip. */
  latencyMs?: number;
}

/**
 * Serves a Zone over UDP and TCP on one port, acting like a recursive resolver that knows
 * only that zone (RA set, NXDOMAIN for everything else). For tests, benchmarks and labs:
 * it can answer SERVFAIL or REFUSED, stay silent (timeout), or set TC over UDP (truncate).
 */
export class ZoneServer {
  /** Questions answered (or deliberately left unanswered), by "TYPE name". */
  readonly questions = new Map<string, number>();
  queries = 0;

  private constructor(
    readonly zone: Zone,
    readonly host: string,
    readonly port: number,
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
    /** Delay before every answer, in ms (see ZoneServerOptions.latencyMs). */
    public latencyMs = 0,
  ) {}

  /** "host:port", the form `--resolver` takes. */
  get address(): string {
    return hostPort(this.host, this.port);
  }

  static async start(zone: Zone, options: ZoneServerOptions = {}): Promise<ZoneServer> {
    const host = options.host ?? '127.0.0.1';
    // A free UDP port may be taken on TCP; try a few times before giving up.
    for (let attempt = 0; ; attempt++) {
      const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(options.port ?? 0, host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      const port = udp.address().port;
      const tcp = net.createServer();
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, host, () => {
            tcp.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        udp.close();
        if (options.port || attempt >= 5) throw error;
        continue;
      }
      const server = new ZoneServer(zone, host, port, udp, tcp, options.latencyMs ?? 0);
      server.listen();
      return server;
    }
  }

  async close(): Promise<void> {
    await Promise.all([
      new Promise<void>((resolve) => this.udp.close(() => resolve())),
      new Promise<void>((resolve) => this.tcp.close(() => resolve())),
    ]);
  }

  private listen(): void {
    this.udp.on('message', (message, remote) => {
      const reply = this.respond(message, 'udp');
      if (!reply) return;
      const send = () => this.udp.send(reply, remote.port, remote.address);
      if (this.latencyMs > 0) setTimeout(send, this.latencyMs);
      else send();
    });
    this.tcp.on('connection', (socket) => {
      let pending = Buffer.alloc(0);
      socket.on('error', () => socket.destroy());
      socket.on('data', (chunk) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 2) {
          const length = pending.readUInt16BE(0);
          if (length > MAX_TCP_QUERY) {
            socket.destroy();
            return;
          }
          if (pending.length < 2 + length) break;
          const reply = this.respond(pending.subarray(2, 2 + length), 'tcp');
          pending = pending.subarray(2 + length);
          if (reply) {
            const framed = Buffer.alloc(2 + reply.length);
            framed.writeUInt16BE(reply.length, 0);
            reply.copy(framed, 2);
            socket.write(framed);
          }
        }
      });
    });
  }

  /** Builds the reply to one query; undefined means "stay silent". */
  private respond(message: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    let query: Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return undefined;
    }
    const question = query.questions?.[0];
    if (!question || query.type !== 'query') return undefined;
    this.queries++;
    const key = `${question.type} ${normalizeName(question.name)}`;
    this.questions.set(key, (this.questions.get(key) ?? 0) + 1);

    const ednsSize = (query.additionals ?? []).find((a) => a.type === 'OPT') as
      | { udpPayloadSize?: number }
      | undefined;
    const base = {
      id: query.id ?? 0,
      type: 'response' as const,
      questions: [question],
      additionals: ednsSize ? [EDNS_OPT] : [],
    };
    const flags = RECURSION_AVAILABLE | ((query.flags ?? 0) & RECURSION_DESIRED);
    if (!RR_TYPES.has(question.type)) {
      return dnsPacket.encode({ ...base, flags: flags | RCODES.NOERROR, answers: [] });
    }
    const answer = this.zone.answer(question.name, question.type as RRType);
    if (answer.misbehaviour === 'timeout') return undefined;
    const ad = this.zone.authenticated ? AUTHENTIC_DATA : 0;
    const full = dnsPacket.encode({
      ...base,
      flags: flags | AUTHORITATIVE_ANSWER | ad | RCODES[answer.rcode],
      answers: answer.answers.map(toAnswer),
    });
    if (transport === 'tcp') return full;
    const limit = ednsSize ? Math.min(ednsSize.udpPayloadSize ?? 512, EDNS_UDP_SIZE) : 512;
    if (answer.misbehaviour === 'truncate' || full.length > Math.max(512, limit)) {
      return dnsPacket.encode({
        ...base,
        flags: flags | AUTHORITATIVE_ANSWER | ad | TRUNCATED_RESPONSE | RCODES[answer.rcode],
        answers: [],
      });
    }
    return full;
  }
}

function toAnswer(record: ZoneRecord): Answer {
  const common = { name: record.name, ttl: record.ttl, class: 'IN' as const };
  switch (record.type) {
    case 'SPF':
      // dns-packet has no SPF codec: send the character-strings as raw RDATA.
      return {
        ...common,
        type: 'SPF',
        data: encodeCharacterStrings(record.data as Buffer[]),
      } as unknown as Answer;
    case 'MX': {
      const mx = record.data as { preference: number; exchange: string };
      return {
        ...common,
        type: 'MX',
        data: { preference: mx.preference, exchange: mx.exchange || '.' },
      } as Answer;
    }
    default:
      return { ...common, type: record.type, data: record.data } as Answer;
  }
}
