/** A watch of a mailbox read through an API (ingestGraph, ingestGmail) in a test, its events kept. */
import { onTestFinished } from 'vitest';
import type { IngestTotals } from '../../../src/ingest/totals.ts';

/**
 * Starts a watch with the signal that stops it and the function keeping its events; it is stopped
 * at the end of the test if it is still running. `of(type)` gives the events of a type so far.
 */
export function watchApi<E extends { type: string }>(
  start: (signal: AbortSignal, onEvent: (event: E) => void) => Promise<IngestTotals>,
) {
  const controller = new AbortController();
  const events: E[] = [];
  const running = start(controller.signal, (event) => events.push(event));
  onTestFinished(async () => {
    controller.abort();
    await running.catch(() => {});
  });
  const of = <T extends E['type']>(type: T) =>
    events.filter((e): e is Extract<E, { type: T }> => e.type === type);
  return { controller, events, of, running };
}
