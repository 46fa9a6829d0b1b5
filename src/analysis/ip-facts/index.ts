export {
  cacheSeconds,
  IP_FACTS_CONCURRENCY,
  type IpFactsOptions,
  NO_PTR_CACHE_SECONDS,
  PTR_MAX_CACHE_SECONDS,
  PTR_MIN_CACHE_SECONDS,
  type ResolveSummary,
  StoredIpFacts,
  TEMPORARY_RETRY_SECONDS,
} from './cached.ts';
export { MAX_AS_ORG_LENGTH, MAX_MMDB_BYTES, MmdbFacts, MmdbFileError, type NetworkFacts } from './mmdb.ts';
export { lookupReverse, MAX_PTR_NAMES_CONFIRMED, type ReverseLookup, reverseName } from './reverse.ts';
