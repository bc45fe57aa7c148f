// The compiled copy of src/ that bin/opsbot.js runs instead of transpiling at every start (tsx costs
// about a third of a short command's time). A build lives in .build/<hash>/, where <hash> is the hash of
// every file under src/, of the build's own recipe and of the esbuild version that compiles it, so a build
// is only ever found for exactly the sources (and the compiler) it was made from: edit one file and the CLI runs the TypeScript through tsx again until the
// next `npm run build:cli`. Nothing here decides freshness by dates.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

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

/**
 * The version of the esbuild that scripts/build-cli.js imports (resolved from `root` as it resolves it),
 * read from its package.json: esbuild itself is never loaded at start-up. Empty without esbuild.
 */
export function esbuildVersion(root) {
  try {
    const file = createRequire(join(root, 'package.json')).resolve('esbuild/package.json');
    return String(JSON.parse(readFileSync(file, 'utf8')).version ?? '');
  } catch {
    return '';
  }
}

/**
 * The hash of the sources (names and contents), of the recipe and of the esbuild version: the name of
 * their build. The builder and bin/opsbot.js both call this one function, so they always agree.
 */
export function sourceHash(root) {
  const hash = createHash('sha256');
  // A new esbuild may compile the same sources differently.
  hash.update(`esbuild\0${esbuildVersion(root)}\0`);
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

/** Whether process `pid` is alive (EPERM: alive, someone else's). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Marks the build of `main` as in use by this process until it exits, so a later build does not delete it
 * under a running `opsbot start` that still loads modules from it on first use (charts, posters, the
 * splitter). A read-only install cannot be marked; it is never pruned either.
 */
export function holdBuild(main) {
  const file = join(dirname(main), '..', '..', 'running', String(process.pid));
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '');
    process.on('exit', () => rmSync(file, { force: true }));
  } catch {
    // Not writable: nothing to mark.
  }
}

/** Whether a live process runs from this build (a marker of a process that died does not count). */
function inUse(buildDir) {
  const dir = join(buildDir, 'running');
  return existsSync(dir) && readdirSync(dir).some((pid) => alive(Number(pid)));
}

/**
 * Deletes old builds besides `current`: the newest `keep` complete ones stay, and so does every build a live
 * process runs from; builds cut short go once they are ten minutes old.
 */
export function pruneBuilds(root, current, keep) {
  const builds = buildsDir(root);
  const others = readdirSync(builds)
    .filter((name) => name !== current)
    .map((name) => ({ name, at: statSync(join(builds, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const [i, { name, at }] of others.entries()) {
    const dir = join(builds, name);
    const complete = existsSync(join(dir, 'complete'));
    if (inUse(dir)) continue;
    if (complete ? i >= keep : Date.now() - at > 600_000) rmSync(dir, { recursive: true, force: true });
  }
}
