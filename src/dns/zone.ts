import { isIP } from 'node:net';
import type { MxRecord, RRType, SoaRecord } from './types.ts';
import { normalizeName } from './types.ts';

/**
 * Zone data for the test and lab server: records per name, plus misbehaviours a real
 * resolver path can show (SERVFAIL, timeout, truncation, REFUSED). The same `answer` logic
 * serves the UDP/TCP zone server and the in-memory resolver, so both give identical answers.
 */

/** Record data as it goes on the wire (TXT strings as raw bytes, so invalid UTF-8 can be served). */
export interface ZoneData {
  A: string;
  AAAA: string;
  MX: MxRecord;
  TXT: Buffer[];
  SPF: Buffer[];
  PTR: string;
  CNAME: string;
  NS: string;
  SOA: SoaRecord;
  TLSA: { usage: number; selector: number; matchingType: number; certificate: Buffer };
}

export interface ZoneRecord<T extends RRType = RRType> {
  name: string;
  type: T;
  ttl: number;
  data: ZoneData[T];
}

/** What the server does instead of answering normally. */
export type Misbehaviour = 'servfail' | 'timeout' | 'truncate' | 'refused';

export interface ZoneAnswer {
  rcode: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';
  /** CNAMEs followed, then the records of the asked type. */
  answers: ZoneRecord[];
  /** Set when the server must not answer (timeout) or must answer with TC over UDP (truncate). */
  misbehaviour?: 'timeout' | 'truncate';
}

const MAX_CNAME_CHAIN = 16;
/** The record types a Zone holds and the zone server answers. */
export const RR_TYPES: ReadonlySet<string> = new Set([
  'A',
  'AAAA',
  'MX',
  'TXT',
  'SPF',
  'PTR',
  'CNAME',
  'NS',
  'SOA',
  'TLSA',
]);
const MISBEHAVIOURS: ReadonlySet<string> = new Set(['SERVFAIL', 'TIMEOUT', 'TRUNCATE', 'REFUSED']);

export class ZoneFileError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export class Zone {
  private readonly byName = new Map<string, ZoneRecord[]>();
  /** Every owner name and every ancestor of one (empty non-terminals answer NODATA, not NXDOMAIN). */
  private readonly existing = new Set<string>();
  private readonly misbehaviours = new Map<string, { what: Misbehaviour; type?: RRType }[]>();
  /** Answers carry the AD flag, as from a validating resolver (for DNSSEC labs). */
  authenticated = false;

  add<T extends RRType>(name: string, type: T, data: ZoneData[T], ttl = 300): this {
    const owner = normalizeName(name);
    const list = this.byName.get(owner) ?? [];
    list.push({ name: owner, type, ttl, data } as ZoneRecord);
    this.byName.set(owner, list);
    this.markExisting(owner);
    return this;
  }

  /** Convenience for the common case: one TXT record made of one or more strings. */
  txt(name: string, ...strings: string[]): this {
    return this.add(
      name,
      'TXT',
      strings.map((s) => Buffer.from(s, 'utf8')),
    );
  }

  /** Makes `name` (or, with a leading `*.`, every name below it) misbehave, for one type or all. */
  misbehave(name: string, what: Misbehaviour, type?: RRType): this {
    const key = normalizeName(name);
    const list = this.misbehaviours.get(key) ?? [];
    list.push(type ? { what, type } : { what });
    this.misbehaviours.set(key, list);
    return this;
  }

  get size(): number {
    return this.byName.size;
  }

  answer(qname: string, qtype: RRType): ZoneAnswer {
    const answers: ZoneRecord[] = [];
    const seen = new Set<string>();
    let name = normalizeName(qname);
    for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
      const odd = this.misbehaviourFor(name, qtype);
      if (odd === 'servfail') return { rcode: 'SERVFAIL', answers: [] };
      if (odd === 'refused') return { rcode: 'REFUSED', answers: [] };
      if (odd === 'timeout') return { rcode: 'SERVFAIL', answers: [], misbehaviour: 'timeout' };

      const records = this.recordsAt(name);
      if (records === undefined) {
        return { rcode: 'NXDOMAIN', answers, ...(odd ? { misbehaviour: odd } : {}) };
      }
      const cname = qtype === 'CNAME' ? undefined : records.find((r) => r.type === 'CNAME');
      if (!cname) {
        answers.push(...records.filter((r) => r.type === qtype).map((r) => ({ ...r, name })));
        return { rcode: 'NOERROR', answers, ...(odd ? { misbehaviour: odd } : {}) };
      }
      // A recursive resolver answers a CNAME loop with SERVFAIL; so does this server.
      if (seen.has(name)) return { rcode: 'SERVFAIL', answers: [] };
      seen.add(name);
      answers.push({ ...cname, name });
      name = normalizeName(cname.data as string);
    }
    return { rcode: 'SERVFAIL', answers: [] };
  }

  /** Records at `name`, by exact match or wildcard; undefined when the name does not exist. */
  private recordsAt(name: string): ZoneRecord[] | undefined {
    const exact = this.byName.get(name);
    if (exact) return exact;
    if (this.existing.has(name)) return [];
    // RFC 4592: the wildcard at the closest encloser synthesises the answer.
    for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
      const encloser = name.slice(dot + 1);
      if (this.existing.has(encloser)) return this.byName.get(`*.${encloser}`);
    }
    return undefined;
  }

  private misbehaviourFor(name: string, type: RRType): Misbehaviour | undefined {
    if (this.misbehaviours.size === 0) return undefined;
    const keys = [name];
    for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
      keys.push(`*.${name.slice(dot + 1)}`);
    }
    for (const key of keys) {
      const hit = this.misbehaviours.get(key)?.find((m) => m.type === undefined || m.type === type);
      if (hit) return hit.what;
    }
    return undefined;
  }

  private markExisting(owner: string): void {
    let name = owner;
    while (name && !this.existing.has(name)) {
      this.existing.add(name);
      const dot = name.indexOf('.');
      if (dot === -1) break;
      name = name.slice(dot + 1);
    }
  }

  /**
   * Reads an RFC 1035 master file (the subset labs need): $ORIGIN, $TTL, `@`, relative names,
   * omitted owners, parentheses, comments, quoted strings with \" \\ and \DDD escapes.
   * Pseudo-types SERVFAIL, TIMEOUT, TRUNCATE and REFUSED (optionally followed by a record
   * type) make a name misbehave instead of answering.
   */
  static parse(text: string, origin = ''): Zone {
    const zone = new Zone();
    zone.load(text, origin);
    return zone;
  }

  load(text: string, initialOrigin = ''): this {
    let origin = normalizeName(initialOrigin);
    let defaultTtl = 300;
    let lastOwner: string | undefined;
    for (const { line, tokens, startsWithSpace } of logicalLines(text)) {
      const first = tokens[0];
      if (first === undefined) continue;
      if (first.text === '$ORIGIN') {
        origin = normalizeName(tokenAt(tokens, 1, line).text);
        continue;
      }
      if (first.text === '$TTL') {
        defaultTtl = parseInteger(tokenAt(tokens, 1, line).text, line, 'TTL');
        continue;
      }
      if (first.text === '$AUTHENTICATED') {
        this.authenticated = true;
        continue;
      }
      if (first.text.startsWith('$')) throw new ZoneFileError(line, `unknown directive ${first.text}`);

      let i = 0;
      let owner: string;
      if (startsWithSpace) {
        if (lastOwner === undefined) throw new ZoneFileError(line, 'record without an owner name');
        owner = lastOwner;
      } else {
        owner = absolute(first.text, origin);
        i = 1;
      }
      lastOwner = owner;
      let ttl = defaultTtl;
      // TTL and class may come in either order (RFC 1035 s5.1).
      for (let k = 0; k < 2; k++) {
        const t = tokens[i];
        if (t && !t.quoted && /^\d+$/.test(t.text)) {
          ttl = Number(t.text);
          i++;
        } else if (t && !t.quoted && t.text.toUpperCase() === 'IN') {
          i++;
        }
      }
      const type = tokenAt(tokens, i, line).text.toUpperCase();
      const rdata = tokens.slice(i + 1);
      if (MISBEHAVIOURS.has(type)) {
        const only = rdata[0]?.text.toUpperCase();
        if (only !== undefined && !RR_TYPES.has(only)) throw new ZoneFileError(line, `unknown type ${only}`);
        this.misbehave(owner, type.toLowerCase() as Misbehaviour, only as RRType | undefined);
        this.markExisting(owner);
        continue;
      }
      if (!RR_TYPES.has(type)) throw new ZoneFileError(line, `unsupported record type ${type}`);
      this.add(owner, type as RRType, parseRdata(type as RRType, rdata, origin, line), ttl);
    }
    return this;
  }
}

interface Token {
  text: string;
  /** Raw bytes of a quoted string (after escapes). */
  bytes?: Buffer;
  quoted: boolean;
}

function tokenAt(tokens: Token[], i: number, line: number): Token {
  const t = tokens[i];
  if (!t) throw new ZoneFileError(line, 'record is incomplete');
  return t;
}

function* logicalLines(text: string): Generator<{ line: number; tokens: Token[]; startsWithSpace: boolean }> {
  let tokens: Token[] = [];
  let depth = 0;
  let startLine = 1;
  let startsWithSpace = false;
  let lineNo = 1;
  let atLineStart = true;
  let i = 0;
  const flush = function* () {
    if (tokens.length > 0) yield { line: startLine, tokens, startsWithSpace };
    tokens = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      lineNo++;
      i++;
      atLineStart = true;
      if (depth === 0) yield* flush();
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      if (atLineStart && depth === 0 && tokens.length === 0) startsWithSpace = true;
      atLineStart = false;
      i++;
      continue;
    }
    if (atLineStart && depth === 0) {
      startsWithSpace = false;
      startLine = lineNo;
    }
    atLineStart = false;
    if (c === ';') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '(') {
      depth++;
      i++;
      continue;
    }
    if (c === ')') {
      if (depth === 0) throw new ZoneFileError(lineNo, 'unbalanced ")"');
      depth--;
      i++;
      continue;
    }
    if (c === '"') {
      const bytes: number[] = [];
      i++;
      for (;;) {
        if (i >= text.length) throw new ZoneFileError(lineNo, 'unterminated quoted string');
        const d = text[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\n') lineNo++;
        if (d === '\\') {
          const digits = text.slice(i + 1, i + 4);
          if (/^\d{3}$/.test(digits)) {
            const value = Number(digits);
            if (value > 255) throw new ZoneFileError(lineNo, `escape \\${digits} is not a byte`);
            bytes.push(value);
            i += 4;
            continue;
          }
          i++;
          if (i >= text.length) throw new ZoneFileError(lineNo, 'unterminated quoted string');
        }
        const cp = text.codePointAt(i)!;
        const ch = String.fromCodePoint(cp);
        bytes.push(...Buffer.from(ch, 'utf8'));
        i += ch.length;
      }
      const buf = Buffer.from(bytes);
      tokens.push({ text: buf.toString('utf8'), bytes: buf, quoted: true });
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s;()"]/.test(text[j]!)) j++;
    tokens.push({ text: text.slice(i, j), quoted: false });
    i = j;
  }
  if (depth !== 0) throw new ZoneFileError(lineNo, 'unbalanced "("');
  yield* flush();
}

function absolute(name: string, origin: string): string {
  if (name === '@') return origin;
  if (name.endsWith('.')) return normalizeName(name);
  return normalizeName(origin ? `${name}.${origin}` : name);
}

function parseInteger(text: string, line: number, what: string): number {
  if (!/^\d+$/.test(text)) throw new ZoneFileError(line, `${what} "${text}" is not a number`);
  return Number(text);
}

function parseRdata(type: RRType, rdata: Token[], origin: string, line: number): ZoneData[RRType] {
  const at = (i: number) => tokenAt(rdata, i, line).text;
  switch (type) {
    case 'A':
      if (isIP(at(0)) !== 4) throw new ZoneFileError(line, `"${at(0)}" is not an IPv4 address`);
      return at(0);
    case 'AAAA':
      if (isIP(at(0)) !== 6) throw new ZoneFileError(line, `"${at(0)}" is not an IPv6 address`);
      return at(0);
    case 'MX': {
      const preference = parseInteger(at(0), line, 'MX preference');
      const exchange = at(1) === '.' ? '' : absolute(at(1), origin);
      return { preference, exchange };
    }
    case 'TXT':
    case 'SPF':
      if (rdata.length === 0) throw new ZoneFileError(line, `${type} record has no strings`);
      return rdata.map((t) => {
        const bytes = t.bytes ?? Buffer.from(t.text, 'utf8');
        if (bytes.length > 255) {
          throw new ZoneFileError(
            line,
            'a TXT character-string holds at most 255 bytes; split it into several',
          );
        }
        return bytes;
      });
    case 'PTR':
    case 'CNAME':
    case 'NS':
      return absolute(at(0), origin);
    case 'SOA':
      return {
        mname: absolute(at(0), origin),
        rname: absolute(at(1), origin),
        serial: parseInteger(at(2), line, 'serial'),
        refresh: parseInteger(at(3), line, 'refresh'),
        retry: parseInteger(at(4), line, 'retry'),
        expire: parseInteger(at(5), line, 'expire'),
        minimum: parseInteger(at(6), line, 'minimum'),
      };
    case 'TLSA':
      return {
        usage: parseInteger(at(0), line, 'usage'),
        selector: parseInteger(at(1), line, 'selector'),
        matchingType: parseInteger(at(2), line, 'matching type'),
        certificate: Buffer.from(
          rdata
            .slice(3)
            .map((t) => t.text)
            .join(''),
          'hex',
        ),
      };
  }
}
