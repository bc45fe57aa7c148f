// Compiles src/ into .build/<hash>/src (one JavaScript file per TypeScript file, the other files copied
// as they are), so `opsbot` starts without transpiling; runs at `npm install` (prepare) and as
// `npm run build:cli`. The output is what tsx would run: esbuild's transform of each file on its own,
// with the project's tsconfig. bin/opsbot.js runs a build only when its hash matches the sources, the
// recipe and the esbuild version of now (bin/compiled.js), so an old build is never run. Without esbuild (tsx's own dependency) it skips.
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildsDir, esbuildVersion, pruneBuilds, sourceFiles, sourceHash } from '../bin/compiled.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Builds kept besides the new one: a process started on an older build may still import from it. */
const KEEP = 2;

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('opsbot: esbuild not found; the CLI will run the TypeScript sources through tsx.');
  process.exit(0);
}

// The hash names the esbuild found from the package root; a build by another one would carry a wrong name.
if (esbuild.version !== esbuildVersion(root)) {
  console.warn(`opsbot: esbuild ${esbuild.version} is not the one found from ${root}; the CLI will run the TypeScript sources through tsx.`);
  process.exit(0);
}

const hash = sourceHash(root);
const builds = buildsDir(root);
const target = join(builds, hash);
if (existsSync(join(target, 'complete'))) process.exit(0);

const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
const tmp = join(builds, `.tmp-${process.pid}`);
rmSync(tmp, { recursive: true, force: true });
for (const file of sourceFiles(root)) {
  const out = join(tmp, file);
  mkdirSync(dirname(out), { recursive: true });
  if (!file.endsWith('.ts') || file.endsWith('.d.ts')) {
    cpSync(join(root, file), out);
    continue;
  }
  const { code } = await esbuild.transform(readFileSync(join(root, file), 'utf8'), {
    loader: 'ts',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcefile: file,
    tsconfigRaw: { compilerOptions },
  });
  writeFileSync(out.replace(/\.ts$/, '.js'), code);
}
// A file edited while this ran: the build would hold a mix, under the old name. Build again instead.
if (sourceHash(root) !== hash) {
  rmSync(tmp, { recursive: true, force: true });
  console.warn('opsbot: the sources changed during the build; nothing was kept. Run `npm run build:cli` again.');
  process.exit(1);
}
writeFileSync(join(tmp, 'complete'), `${new Date().toISOString()} esbuild ${esbuild.version}\n`);
rmSync(target, { recursive: true, force: true });
renameSync(tmp, target);

// The newest few builds stay, and every build a running process uses; older ones and builds cut short go.
pruneBuilds(root, hash, KEEP);
