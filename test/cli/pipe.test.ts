/** `sumi ... | head`: the reader closing the pipe early is no failure of the command. */
import { describe, expect, it } from 'vitest';
import { spawnSumi } from '../ingest/helpers/sumi.ts';

describe('sumi writing into a closed pipe', () => {
  it('exits quietly, with the code it had, when the reader of its output has gone (EPIPE)', async () => {
    const child = spawnSumi(['--help']);
    // Closed before the child writes anything: its first write meets a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 30_000);
});
