import { Redis } from 'ioredis';

/** The Redis the queue tests run against: the machine's, unless SUMI_TEST_REDIS names another. */
export const REDIS_URL = process.env.SUMI_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** Why the queue tests cannot run (Redis does not answer), or undefined. */
export async function redisSkip(): Promise<string | undefined> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return `Redis unreachable at ${REDIS_URL} (${(error as Error).message})`;
  } finally {
    redis.disconnect();
  }
}
