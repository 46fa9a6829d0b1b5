/** `sumi` for child-process tests: the real CLI entry with the ingest commands registered. */
import { runSumi } from './sumi.ts';

process.exitCode = await runSumi(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
