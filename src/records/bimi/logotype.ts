import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import * as asn1js from 'asn1js';
import { MAX_SVG_BYTES } from './svg.ts';

/**
 * The logotype extension (RFC 3709, id-pe-logotype 1.3.6.1.5.5.7.1.12) as mark certificates
 * use it (RFC 6170, MC Requirements 7.1.2.3 i): subjectLogo, direct LogotypeData, one image
 * with media type image/svg+xml, hash(es) of the image and a `data:` URI holding the
 * gzip-compressed SVG.
 *
 *   LogotypeExtn ::= SEQUENCE { communityLogos [0] EXPLICIT ..., issuerLogo [1] EXPLICIT ...,
 *                               subjectLogo [2] EXPLICIT LogotypeInfo OPTIONAL, otherLogos [3] ... }
 *   LogotypeInfo ::= CHOICE { direct [0] LogotypeData, indirect [1] LogotypeReference }
 *   LogotypeData ::= SEQUENCE { image SEQUENCE OF LogotypeImage OPTIONAL, audio [1] ... }
 *   LogotypeImage ::= SEQUENCE { imageDetails LogotypeDetails, imageInfo LogotypeImageInfo OPTIONAL }
 *   LogotypeDetails ::= SEQUENCE { mediaType IA5String, logotypeHash SEQUENCE OF HashAlgAndValue,
 *                                  logotypeURI SEQUENCE OF IA5String }
 */

export const OID_LOGOTYPE = '1.3.6.1.5.5.7.1.12';

const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export interface LogotypeImage {
  mediaType: string;
  hashes: { algorithm: string; value: string }[];
  uris: string[];
}

export type LogotypeResult =
  | {
      ok: true;
      image: LogotypeImage;
      /** The SVG document carried in the data: URI (inflated). */
      svg: Buffer;
      /** SHA-256 (hex) of that SVG document. */
      sha256: string;
    }
  | { ok: false; reason: string; detail?: string };

type Block = asn1js.AsnType;

function children(block: Block | undefined): Block[] {
  const value = (block as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock?.value;
  return Array.isArray(value) ? (value as Block[]) : [];
}

function tagOf(block: Block | undefined): { cls: number; number: number } | undefined {
  const id = (block as { idBlock?: { tagClass: number; tagNumber: number } } | undefined)?.idBlock;
  return id ? { cls: id.tagClass, number: id.tagNumber } : undefined;
}

const isContext = (block: Block | undefined, n: number) => {
  const t = tagOf(block);
  return t !== undefined && t.cls === 3 && t.number === n;
};

const isSequence = (block: Block | undefined) => block instanceof asn1js.Sequence;

function ia5(block: Block | undefined): string | undefined {
  return block instanceof asn1js.IA5String ? block.valueBlock.value : undefined;
}

/** Reads the subject logo out of the extension's DER value and decodes its data: URI. */
export function readLogotype(extnValue: Uint8Array): LogotypeResult {
  const parsed = asn1js.fromBER(extnValue);
  if (parsed.offset === -1) return { ok: false, reason: 'asn1', detail: parsed.result.error };
  const extn = parsed.result;
  if (!isSequence(extn)) return { ok: false, reason: 'asn1', detail: 'LogotypeExtn is not a SEQUENCE' };
  const subject = children(extn).find((b) => isContext(b, 2));
  if (!subject) return { ok: false, reason: 'no-subject-logo' };
  const info = children(subject)[0];
  if (isContext(info, 1)) return { ok: false, reason: 'indirect' };
  if (!isContext(info, 0))
    return { ok: false, reason: 'asn1', detail: 'subjectLogo is not direct LogotypeData' };
  const images = children(info).find(isSequence);
  const first = children(images)[0];
  const details = children(first)[0];
  const [mediaTypeBlock, hashesBlock, urisBlock] = children(details);
  const mediaType = ia5(mediaTypeBlock);
  if (mediaType === undefined || !isSequence(hashesBlock) || !isSequence(urisBlock)) {
    return { ok: false, reason: 'asn1', detail: 'no LogotypeImage with LogotypeDetails' };
  }
  const hashes: LogotypeImage['hashes'] = [];
  for (const h of children(hashesBlock)) {
    const [alg, value] = children(h);
    const oid = children(alg)[0];
    if (!(oid instanceof asn1js.ObjectIdentifier) || !(value instanceof asn1js.OctetString)) continue;
    const id = oid.valueBlock.toString();
    hashes.push({
      algorithm: HASH_ALGORITHMS[id] ?? id,
      value: Buffer.from(value.valueBlock.valueHexView).toString('hex'),
    });
  }
  const uris = children(urisBlock)
    .map(ia5)
    .filter((u): u is string => u !== undefined);
  const image: LogotypeImage = { mediaType, hashes, uris };
  if (!/^image\/svg\+xml\b/i.test(mediaType)) return { ok: false, reason: 'media-type', detail: mediaType };
  const uri = uris[0];
  if (uri === undefined || !uri.startsWith('data:'))
    return { ok: false, reason: 'not-data-uri', detail: uri?.slice(0, 80) };
  const payload = decodeDataUri(uri);
  if (!payload) return { ok: false, reason: 'data-uri' };
  let svg = payload;
  if (payload[0] === 0x1f && payload[1] === 0x8b) {
    try {
      svg = gunzipSync(payload, { maxOutputLength: MAX_SVG_BYTES + 1 });
    } catch (error) {
      return { ok: false, reason: 'gzip', detail: (error as Error).message };
    }
  }
  // The hash covers the logotype object: accept it over the data as carried or as inflated.
  const matches = hashes.some(({ algorithm, value }) => {
    if (!['sha1', 'sha256', 'sha384', 'sha512'].includes(algorithm)) return false;
    return [payload, svg].some((b) => createHash(algorithm).update(b).digest('hex') === value);
  });
  if (hashes.length === 0 || !matches) return { ok: false, reason: 'hash', detail: hashes[0]?.value };
  return { ok: true, image, svg, sha256: createHash('sha256').update(svg).digest('hex') };
}

function decodeDataUri(uri: string): Buffer | undefined {
  const comma = uri.indexOf(',');
  if (comma === -1) return undefined;
  const meta = uri.slice(5, comma);
  const data = uri.slice(comma + 1);
  if (/;base64$/i.test(meta)) {
    const clean = data.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
    return Buffer.from(clean, 'base64');
  }
  try {
    return Buffer.from(decodeURIComponent(data), 'utf8');
  } catch {
    return undefined;
  }
}
