import { readFile } from 'node:fs/promises';
import type { CachingResolver } from '../dns/caching-resolver.ts';
import { createResolver } from '../dns/index.ts';
import { HttpsFetcher } from '../http/fetcher.ts';
import { cliText } from '../i18n/cli.ts';
import type { Lang } from '../i18n/lang.ts';
import { translator } from '../i18n/translate.ts';
import { UsageError } from './output.ts';

export interface NetworkFlags {
  resolver?: string;
  timeout?: string;
  allowPrivate?: boolean;
  caFile?: string;
}

export interface Network {
  resolver: CachingResolver;
  fetcher: HttpsFetcher;
  close(): void;
}

/** The resolver and fetcher a command uses, from the flags every network command shares. */
export async function networkFromFlags(flags: NetworkFlags, lang: Lang): Promise<Network> {
  const t = translator(cliText, lang);
  const timeoutMs = flags.timeout === undefined ? undefined : Number(flags.timeout);
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs <= 0)) {
    throw new UsageError(t('error.wholeNumber', { flag: '--timeout', value: String(flags.timeout), min: 1 }));
  }
  let setup: ReturnType<typeof createResolver>;
  try {
    setup = createResolver(flags.resolver, timeoutMs ? { timeoutMs } : {});
  } catch (error) {
    throw new UsageError(`--resolver: ${(error as Error).message}`);
  }
  let ca: string[] | undefined;
  if (flags.caFile) {
    try {
      ca = [await readFile(flags.caFile, 'utf8')];
    } catch (error) {
      throw new UsageError(`--ca-file ${flags.caFile}: ${(error as Error).message}`);
    }
  }
  const fetcher = new HttpsFetcher({
    resolver: setup.resolver,
    ...(flags.allowPrivate ? { allowPrivate: true } : {}),
    ...(ca ? { ca } : {}),
  });
  return { resolver: setup.resolver, fetcher, close: setup.close };
}
