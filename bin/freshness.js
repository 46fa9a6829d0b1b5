// Whether build/ (scripts/build-node.mjs) holds what src/ says now. Plain JavaScript: bin/sumi.js
// asks it before anything is compiled or registered, at every command, so it must be quick
// (stats of some 300 files and folders: 3-5 ms).
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** What build/ is compiled from (src/web/ is the dashboard's, built apart into dist/web/). */
export const BUILD_SOURCES = ['src', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest modification time among the sources, in ms; a folder's counts too (a file removed or renamed). */
export function newestSourceMs(root) {
  let newest = 0;
  const visit = (at) => {
    const info = statSync(at);
    newest = Math.max(newest, info.mtimeMs);
    if (!info.isDirectory()) return;
    for (const entry of readdirSync(at)) {
      if (at === path.join(root, 'src') && entry === 'web') continue;
      visit(path.join(at, entry));
    }
  };
  for (const source of BUILD_SOURCES) visit(path.join(root, source));
  return newest;
}

/**
 * Compiles build/ (scripts/build-node.mjs) unless it is fresh, for what must run it (its test, the
 * benches); throws when it could not be. `stdio`: where the compiler's words go.
 */
export function compileIfStale(root, stdio = 'pipe') {
  if (buildIsFresh(root)) return;
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-node.mjs')], { cwd: root, stdio });
  if (!buildIsFresh(root)) throw new Error('build/ could not be compiled (scripts/build-node.mjs)');
}

/** True when build/ was compiled from the sources as they are now. */
export function buildIsFresh(root) {
  let built;
  try {
    built = statSync(path.join(root, 'build', '.built')).mtimeMs;
  } catch {
    return false;
  }
  try {
    return newestSourceMs(root) <= built;
  } catch {
    // A source gone while looking (a checkout under way): the TypeScript is the truth.
    return false;
  }
}
