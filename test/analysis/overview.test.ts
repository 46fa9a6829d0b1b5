/** The next step shown for each domain in the list. */
import { describe, expect, it } from 'vitest';
import { ENFORCE_PASS_RATE, nextStep } from '../../src/analysis/overview.ts';

describe('nextStep', () => {
  it('walks none -> quarantine -> reject once mail passes, and says when to fix senders first', () => {
    expect(nextStep(null, 0, null)).toBe('publish-dmarc');
    expect(nextStep('none', 0, null)).toBe('no-data');
    expect(nextStep('none', 100, ENFORCE_PASS_RATE - 0.01)).toBe('fix-senders');
    expect(nextStep('none', 100, 1)).toBe('quarantine');
    expect(nextStep('quarantine', 100, ENFORCE_PASS_RATE)).toBe('reject');
    expect(nextStep('quarantine', 100, 0.5)).toBe('fix-senders');
    // Under reject, failing mail is mostly spoofing: nothing to fix.
    expect(nextStep('reject', 100, 0.3)).toBe('watch');
  });
});
