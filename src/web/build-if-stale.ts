import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds dist/web/ when it is missing or older than any of its sources, so `npm start` and
 * the browser tests never serve a stale dashboard (and a fresh clone needs no extra step).
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = ['src/web', 'src/i18n', 'package-lock.json'];
const WEB_INDEX = join(root, 'dist/web/index.html');

async function newest(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of await readdir(path)) latest = Math.max(latest, await newest(join(path, entry)));
  return latest;
}

async function isWebStale(): Promise<boolean> {
  const built = await stat(WEB_INDEX).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
  if (built === undefined) return true;
  for (const source of SOURCES) if ((await newest(join(root, source))) > built) return true;
  return false;
}

export async function buildWebIfStale(): Promise<boolean> {
  if (!(await isWebStale())) return false;
  const { build } = await import('vite');
  await build({ configFile: join(root, 'src/web/vite.config.ts'), logLevel: 'warn' });
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildWebIfStale();
  process.stderr.write(built ? 'dashboard built into dist/web/\n' : 'dashboard in dist/web/ is up to date\n');
}
