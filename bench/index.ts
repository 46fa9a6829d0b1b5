/**
 * `npm run bench -- NAME`: runs bench/NAME.ts. Each benchmark prints its figures beside the
 * peer's (or the ceiling's) from the same run; medians and ratios, never single timings.
 */
import { readdirSync } from 'node:fs';

const name = process.argv[2];
const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.startsWith('gen-'))
  .map((f) => f.replace(/\.ts$/, ''));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME   (one of: ${available.join(', ')})`);
  process.exit(2);
}
process.argv.splice(2, 1);
await import(`./${name}.ts`);
