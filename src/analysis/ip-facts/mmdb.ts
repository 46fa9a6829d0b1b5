import { readFile } from 'node:fs/promises';
import { Reader } from 'mmdb-lib';

/** Largest mmdb file read (GeoLite2-City is about 70 MB; the ASN and country files far less). */
export const MAX_MMDB_BYTES = 512 * 1024 * 1024;
/** Longest AS organisation name kept from the file. */
export const MAX_AS_ORG_LENGTH = 200;

/** The network facts an IP database gives for one address. */
export interface NetworkFacts {
  asn?: number;
  asOrg?: string;
  /** ISO 3166-1 alpha-2. */
  country?: string;
}

/** The file was not a MaxMind DB (or was too large): a usage error naming the file. */
export class MmdbFileError extends Error {}

type Entry = Record<string, unknown>;

function field(entry: Entry, ...path: string[]): unknown {
  let value: unknown = entry;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Entry)[key];
  }
  return value;
}

function first<T>(check: (v: unknown) => v is T, ...values: unknown[]): T | undefined {
  return values.find(check);
}

const isAsn = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0 && v < 2 ** 32;
const isCountry = (v: unknown): v is string => typeof v === 'string' && /^[A-Z]{2}$/.test(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/**
 * A MaxMind or DB-IP database the owner supplied (`--mmdb` / SUMI_MMDB): ASN, AS organisation and
 * country of sending IPs. Reads the field names of MaxMind's GeoLite2/GeoIP2 ASN, Country and City
 * files, DB-IP's lite files (the same names) and the ip-location-db files (`country_code`).
 * Values of the wrong shape are ignored: the file is input like any other.
 */
export class MmdbFacts {
  readonly #reader: Reader<Entry>;
  readonly #ipv4Only: boolean;
  /** `database_type` from the file's metadata (GeoLite2-ASN, DBIP-Country-Lite, ...). */
  readonly databaseType: string;

  constructor(bytes: Buffer, name = 'mmdb') {
    try {
      this.#reader = new Reader<Entry>(bytes);
    } catch (error) {
      throw new MmdbFileError(`${name}: not a MaxMind DB file (${(error as Error).message})`);
    }
    this.#ipv4Only = this.#reader.metadata.ipVersion === 4;
    this.databaseType = String(this.#reader.metadata.databaseType ?? '');
  }

  static async open(file: string): Promise<MmdbFacts> {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new MmdbFileError(`${file}: ${(error as Error).message}`);
    }
    if (bytes.length > MAX_MMDB_BYTES) {
      throw new MmdbFileError(`${file}: ${bytes.length} bytes, more than the ${MAX_MMDB_BYTES} read`);
    }
    return new MmdbFacts(bytes, file);
  }

  /** Facts for one canonical IP; undefined when the file has none for it. */
  lookup(ip: string): NetworkFacts | undefined {
    if (this.#ipv4Only && ip.includes(':')) return undefined;
    let entry: Entry | null;
    try {
      entry = this.#reader.get(ip);
    } catch {
      // A corrupt tree or data section answers nothing for this IP rather than failing the query.
      return undefined;
    }
    if (typeof entry !== 'object' || entry === null) return undefined;
    const facts: NetworkFacts = {};
    const asn = first(
      isAsn,
      entry.autonomous_system_number,
      field(entry, 'traits', 'autonomous_system_number'),
    );
    const asOrg = first(
      isText,
      entry.autonomous_system_organization,
      field(entry, 'traits', 'autonomous_system_organization'),
    );
    const country = first(
      isCountry,
      field(entry, 'country', 'iso_code'),
      entry.country_code,
      field(entry, 'registered_country', 'iso_code'),
    );
    if (asn !== undefined) facts.asn = asn;
    if (asOrg !== undefined) facts.asOrg = asOrg.slice(0, MAX_AS_ORG_LENGTH);
    if (country !== undefined) facts.country = country;
    return Object.keys(facts).length > 0 ? facts : undefined;
  }
}
