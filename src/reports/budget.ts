import { ReportError } from './errors.ts';

/** Bytes one decompressed payload may have. The largest real reports are a few hundred MB less. */
export const UNPACK_MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;
/** Bytes all decompression of one input may produce together (nested archives included). */
export const UNPACK_MAX_TOTAL_BYTES = 512 * 1024 * 1024;
/**
 * Output/input ratio of one decompression. Report XML compresses 10-50x; a bomb (zeros, empty
 * records) reaches deflate's ceiling of ~1,000x.
 */
export const UNPACK_MAX_RATIO = 250;
/** Output below this size is never a bomb, whatever its ratio (tiny inputs have odd ratios). */
export const UNPACK_RATIO_FLOOR_BYTES = 1024 * 1024;

export interface DecompressionLimits {
  maxPayloadBytes: number;
  maxTotalBytes: number;
  maxRatio: number;
  ratioFloorBytes: number;
}

/** What one decompression may produce: `bytes`, set by `limit` (one payload's or the input's). */
export interface Allowance {
  bytes: number;
  limit: number;
}

/** The error for a decompression that went past its allowance. */
export function decompressedTooLarge(allowance: Allowance): ReportError {
  return new ReportError('decompressed-too-large', { limit: allowance.limit });
}

/** What decompression may still produce within one input; shared by every nested layer. */
export class DecompressionBudget {
  readonly limits: DecompressionLimits;
  #used = 0;

  constructor(limits: DecompressionLimits) {
    this.limits = limits;
  }

  /** Bytes the next decompression may still produce, and the limit that leaves it that many. */
  remaining(): Allowance {
    const { maxPayloadBytes, maxTotalBytes } = this.limits;
    const left = maxTotalBytes - this.#used;
    if (maxPayloadBytes <= left) return { bytes: maxPayloadBytes, limit: maxPayloadBytes };
    return { bytes: Math.max(0, left), limit: maxTotalBytes };
  }

  /** Whether `output` bytes from `input` compressed bytes (so far) look like a bomb. */
  ratioExceeded(output: number, input: number): boolean {
    return output > this.limits.ratioFloorBytes && output > Math.max(input, 1) * this.limits.maxRatio;
  }

  ratioError(): ReportError {
    return new ReportError('decompression-ratio-exceeded', { limit: this.limits.maxRatio });
  }

  spend(bytes: number): void {
    this.#used += bytes;
  }
}
