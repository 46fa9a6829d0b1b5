import type { DnsResult, Resolver, RRType } from '../dns/types.ts';

/**
 * A token bucket: `rate` tokens a second, at most `burst` saved up. Waiters are served in
 * the order they asked, so no question starves under load.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly waiters: (() => void)[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly rate: number,
    readonly burst = Math.max(1, Math.ceil(rate / 20)),
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(rate > 0)) throw new RangeError('a token bucket needs a rate above 0');
    this.tokens = burst;
    this.last = this.now();
  }

  /** Resolves when a token is available (at once when one is saved up and nobody waits). */
  take(): Promise<void> {
    this.refill();
    if (this.head === this.waiters.length && this.tokens >= 1) {
      this.tokens--;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.head < this.waiters.length && this.tokens >= 1) {
        this.tokens--;
        this.waiters[this.head++]!();
      }
      if (this.head === this.waiters.length) {
        this.waiters.length = 0;
        this.head = 0;
      } else this.schedule();
    }, wait);
  }
}

/** Sends each question to `inner` only when the bucket gives a token: a cap on queries per second. */
export class RateLimitedResolver implements Resolver {
  constructor(
    private readonly inner: Resolver,
    private readonly bucket: TokenBucket,
  ) {}

  async lookup<T extends RRType>(name: string, type: T): Promise<DnsResult<T>> {
    await this.bucket.take();
    return this.inner.lookup(name, type);
  }
}
