/**
 * A tiny MaxMind DB writer for tests only (no published writer fits: they are Perl/Go/Python),
 * following the MaxMind DB File Format Specification 2.0: a binary search tree with 24-bit
 * records, the 16-byte separator, the data section, then the metadata after its marker.
 * Covers what the fixtures need: IPv4 or IPv6 trees, maps, strings, unsigned ints, arrays.
 */
import ipaddr from 'ipaddr.js';

type Value = string | number | bigint | Value[] | { [key: string]: Value };

/** Control byte(s): type in the top 3 bits (0 and a second byte for extended types), then the size. */
function control(type: number, size: number): Buffer {
  if (size > 284) throw new RangeError('fixture values stay under 285 bytes or entries');
  const low = Math.min(size, 29);
  const head = type <= 7 ? [(type << 5) | low] : [low, type - 7];
  return Buffer.from(size >= 29 ? [...head, size - 29] : head);
}

function uint(value: number | bigint, type: number): Buffer {
  let n = BigInt(value);
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 255n));
    n >>= 8n;
  }
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

export function encode(value: Value): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === 'bigint') return uint(value, 9);
  if (typeof value === 'number') return uint(value, value < 65_536 ? 5 : 6);
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}

/** Networks (CIDR) and their data; prefixes must not overlap. */
export function writeMmdb(
  networks: { cidr: string; data: Record<string, Value> }[],
  options: { ipVersion: 4 | 6; databaseType?: string } = { ipVersion: 4 },
): Buffer {
  const bitCount = options.ipVersion === 4 ? 32 : 128;
  type Slot = number | { data: number } | null;
  const nodes: [Slot, Slot][] = [[null, null]];
  const data: Buffer[] = [];
  let dataSize = 0;
  for (const { cidr, data: value } of networks) {
    const [address, prefix] = ipaddr.parseCIDR(cidr);
    const given = address.toByteArray();
    // IPv4 networks in an IPv6 tree sit under ::/96.
    const bytes = bitCount === 128 && given.length === 4 ? [...new Array(12).fill(0), ...given] : given;
    const bit = (i: number) => (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
    const depth = prefix + (bitCount - given.length * 8);
    const encoded = encode(value);
    const offset = dataSize;
    data.push(encoded);
    dataSize += encoded.length;
    let node = 0;
    for (let i = 0; i < depth - 1; i++) {
      const side = bit(i);
      let next = nodes[node]![side];
      if (typeof next !== 'number') {
        next = nodes.length;
        nodes.push([null, null]);
        nodes[node]![side] = next;
      }
      node = next;
    }
    nodes[node]![bit(depth - 1)] = { data: offset };
  }
  const nodeCount = nodes.length;
  const record = (slot: Slot) =>
    slot === null ? nodeCount : typeof slot === 'number' ? slot : nodeCount + 16 + slot.data;
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach(([left, right], i) => {
    tree.writeUIntBE(record(left), i * 6, 3);
    tree.writeUIntBE(record(right), i * 6 + 3, 3);
  });
  const metadata = encode({
    node_count: nodeCount,
    record_size: 24,
    ip_version: options.ipVersion,
    database_type: options.databaseType ?? 'Sumi-Test',
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_735_689_600n,
    description: { en: 'Sumi test fixture' },
  });
  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    ...data,
    Buffer.from([0xab, 0xcd, 0xef]),
    Buffer.from('MaxMind.com'),
    metadata,
  ]);
}
