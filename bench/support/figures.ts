/** How the benches say their figures: medians of runs, and rates as people read them. */

/** The median of the values (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `count` per second over `seconds`, rounded, with thousands separated (`12,345`). */
export function rate(count: number, seconds: number): string {
  return Math.round(count / seconds).toLocaleString('en-US');
}
