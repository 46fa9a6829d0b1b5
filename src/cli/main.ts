import { run } from './program.ts';

// A reader that stops early (`sumi ... | head`) closes the pipe: the rest of the output is not
// wanted, which is no failure of the command. Node ignores SIGPIPE, so the write fails instead.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
