/**
 * Measures how long this process's event loop stands still (a 10 ms timer's longest gap) from
 * now until `stop`: what a wait that blocks it, such as SQLite's busy handler, shows as.
 */
export function stallMeter(): { readonly longestMs: number; stop: () => void } {
  let last = Date.now();
  let longestMs = 0;
  const timer = setInterval(() => {
    longestMs = Math.max(longestMs, Date.now() - last);
    last = Date.now();
  }, 10);
  return {
    get longestMs() {
      return longestMs;
    },
    stop: () => clearInterval(timer),
  };
}
