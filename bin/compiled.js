// The compiled copy of src/ that bin/opsbot.js runs instead of transpiling at every start (tsx costs
// about a third of a short command's time). A build lives in .build/<hash>/, where <hash> is the hash of
// every file under src/ and of the build's own recipe, so a build is only ever found for exactly the
// sources it was made from: edit one file and the CLI runs the TypeScript through tsx again until the
// next `npm run build:cli`. Nothing here decides freshness by dates.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** What a build depends on besides src/: this file, the build script and the TypeScript settings. */
const RECIPE = ['bin/compiled.js', 'scripts/build-cli.js', 'tsconfig.json'];

/** The folder holding the builds. */
export const buildsDir = (root) => join(root, '.build');

/** Every file under src/, as paths relative to `root` with forward slashes, sorted. */
export function sourceFiles(root) {
  const files = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'));
  return files.sort();
}

/** The hash of the sources (names and contents) and of the recipe: the name of their build. */
export function sourceHash(root) {
  const hash = createHash('sha256');
  for (const file of [...RECIPE, ...sourceFiles(root)]) {
    hash.update(`${file}\0`);
    hash.update(existsSync(join(root, file)) ? readFileSync(join(root, file)) : '');
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The compiled CLI entry for the sources as they are now, or undefined when there is no such build. */
export function compiledMain(root) {
  const dir = join(buildsDir(root), sourceHash(root));
  // `complete` is written last, so a build cut short is never run.
  return existsSync(join(dir, 'complete')) ? join(dir, 'src', 'cli', 'main.js') : undefined;
}
