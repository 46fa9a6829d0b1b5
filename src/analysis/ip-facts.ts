/**
 * What is known of a sending IP beyond the reports: its reverse DNS name and, when the owner
 * supplied an IP database, its network. Sources are grouped and named with these facts; they
 * are looked up outside ingestion (never blocking it) and cached in the store.
 */
import type { Period } from './period.ts';

export interface IpFacts {
  /** The PTR name, lower case without the trailing dot; null when there is none. */
  ptr: string | null;
  /** The PTR name resolves back to this IP (forward-confirmed reverse DNS). */
  ptrConfirmed: boolean;
  /** Organisational domain of the PTR name (`mail-xyz.outbound.protection.outlook.com` -> `outlook.com`). */
  ptrOrgDomain: string | null;
  /** From a user-supplied MaxMind / DB-IP mmdb file, when given. */
  asn?: number;
  asOrg?: string;
  /** ISO 3166-1 alpha-2. */
  country?: string;
}

/** Looks up facts for many IPs at once; IPs it knows nothing of are absent from the map. */
export interface IpFactsSource {
  describe(ips: readonly string[]): Promise<Map<string, IpFacts>>;
  /**
   * The facts of a policy domain's sending IPs over a period (those of its rollup), read
   * together with the IPs in one query; undefined when this source must be given the IPs.
   */
  describeSenders?(domain: string, period: Period): Promise<Map<string, IpFacts> | undefined>;
}
