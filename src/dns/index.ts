import { getServers } from 'node:dns';
import { CachingResolver } from './caching-resolver.ts';
import { DirectResolver, type DirectResolverOptions, parseServers } from './direct-resolver.ts';
import { SystemResolver } from './system-resolver.ts';
import type { Resolver } from './types.ts';

export { CachingResolver } from './caching-resolver.ts';
export { DirectResolver, parseServers } from './direct-resolver.ts';
export { SystemResolver } from './system-resolver.ts';
export * from './types.ts';

/** The system's configured name servers (from /etc/resolv.conf), as the direct resolver takes them. */
export function systemServers(): string {
  return getServers().join(',');
}

export interface ResolverSetup {
  resolver: CachingResolver;
  /** Releases sockets; call at the end of a run. */
  close(): void;
}

/**
 * Builds the resolver for one run from `--resolver`: `system` (node:dns), a list of
 * `host:port`, or nothing (Sumi's own client asking the system's name servers). Always
 * wrapped in a per-run cache.
 */
export function createResolver(
  spec: string | undefined,
  options: Omit<DirectResolverOptions, 'servers'> = {},
): ResolverSetup {
  const direct = new DirectResolver({
    ...options,
    servers: parseServers(spec && spec !== 'system' ? spec : systemServers()),
  });
  const inner: Resolver = spec === 'system' ? new SystemResolver(direct) : direct;
  return { resolver: new CachingResolver(inner), close: () => direct.close() };
}
