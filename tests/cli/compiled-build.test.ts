import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript next to the bin, no declarations.
import { compiledMain, pruneBuilds, sourceHash } from '../../bin/compiled.js';
import { PACKAGE_ROOT, runOpsbot, tempDir } from '../helpers.js';

const HOOK = join(PACKAGE_ROOT, 'tests', 'fixtures', 'record-packages.mjs');
const found = compiledMain as (root: string) => string | undefined;
const hashOf = sourceHash as (root: string) => string;
const prune = pruneBuilds as (root: string, current: string, keep: number) => void;

describe('which build bin/opsbot.js runs', () => {
  let root: { dir: string; cleanup: () => void };
  const file = (path: string, text: string) => {
    mkdirSync(join(root.dir, path, '..'), { recursive: true });
    writeFileSync(join(root.dir, path), text);
  };
  /** A finished build for the sources as they are now. */
  const built = () => {
    const dir = join(root.dir, '.build', hashOf(root.dir));
    file(join('.build', hashOf(root.dir), 'src', 'cli', 'main.js'), 'export {}');
    writeFileSync(join(dir, 'complete'), '');
  };
  beforeAll(() => {
    root = tempDir('opsbot-compiled-');
  });
  afterAll(() => root.cleanup());

  it('a build of exactly the current sources, and never one of other sources', () => {
    file('src/cli/main.ts', 'export const a = 1;\n');
    file('src/knowledge/lexicon/words.txt', '直播\n');
    expect(found(root.dir)).toBeUndefined();
    built();
    expect(found(root.dir)).toBe(join(root.dir, '.build', hashOf(root.dir), 'src', 'cli', 'main.js'));
    // Any change to a source, a data file next to them, or a new file: that build is not the sources' any more.
    for (const change of [
      () => file('src/cli/main.ts', 'export const a = 2;\n'),
      () => file('src/knowledge/lexicon/words.txt', '直播\n带货\n'),
      () => file('src/new.ts', ''),
      () => rmSync(join(root.dir, 'src/new.ts')),
    ]) {
      // Only the build of the sources before the change (an older one could match the sources after it).
      rmSync(join(root.dir, '.build'), { recursive: true, force: true });
      built();
      change();
      expect(found(root.dir)).toBeUndefined();
    }
  });

  it('a build made by another esbuild, tsconfig or build script is not run: each is in the hash', () => {
    file('src/cli/main.ts', 'export const a = 4;\n');
    file('node_modules/esbuild/package.json', JSON.stringify({ name: 'esbuild', version: '0.28.2', main: 'lib/main.js' }));
    file('tsconfig.json', JSON.stringify({ compilerOptions: { target: 'ES2022' } }));
    file('scripts/build-cli.js', '// the recipe\n');
    for (const change of [
      () => file('node_modules/esbuild/package.json', JSON.stringify({ name: 'esbuild', version: '0.29.0', main: 'lib/main.js' })),
      () => rmSync(join(root.dir, 'node_modules'), { recursive: true }),
      () => file('tsconfig.json', JSON.stringify({ compilerOptions: { target: 'ES2023' } })),
      () => file('scripts/build-cli.js', '// the recipe, changed\n'),
    ]) {
      rmSync(join(root.dir, '.build'), { recursive: true, force: true });
      const before = hashOf(root.dir);
      built();
      change();
      expect(hashOf(root.dir)).not.toBe(before);
      expect(found(root.dir)).toBeUndefined();
    }
    // The same esbuild, installed again (its package.json rewritten, the version kept): the same build.
    file('node_modules/esbuild/package.json', JSON.stringify({ name: 'esbuild', version: '0.29.0', main: 'lib/main.js' }));
    const same = hashOf(root.dir);
    file('node_modules/esbuild/package.json', JSON.stringify({ version: '0.29.0', name: 'esbuild', main: 'lib/main.js' }, null, 2));
    expect(hashOf(root.dir)).toBe(same);
  });

  it('a build cut short (no `complete` marker) is not run', () => {
    file('src/cli/main.ts', 'export const a = 3;\n');
    file(join('.build', hashOf(root.dir), 'src', 'cli', 'main.js'), 'export {}');
    expect(found(root.dir)).toBeUndefined();
  });
});

describe('pruning old builds', () => {
  it('keeps the newest two and every build a live process runs from, however old; a dead process holds nothing', async () => {
    const root = tempDir('opsbot-prune-');
    const dead = await new Promise<number>((resolve) => {
      const child = execFile(process.execPath, ['-e', '']);
      child.on('exit', () => resolve(child.pid!));
    });
    const build = (name: string, ageMin: number, runner?: number) => {
      const dir = join(root.dir, '.build', name);
      mkdirSync(join(dir, 'running'), { recursive: true });
      writeFileSync(join(dir, 'complete'), '');
      if (runner) writeFileSync(join(dir, 'running', String(runner)), '');
      const at = new Date(Date.now() - ageMin * 60_000);
      utimesSync(dir, at, at);
    };
    build('current', 0);
    build('newer', 1);
    build('new', 2);
    build('old-in-use', 60, process.pid); // an opsbot start that has run for an hour
    build('old-dead', 90, dead); // its process was killed and left its marker
    build('oldest', 120);
    prune(root.dir, 'current', 2);
    const left = ['current', 'newer', 'new', 'old-in-use', 'old-dead', 'oldest'].filter((n) => existsSync(join(root.dir, '.build', n)));
    expect(left).toEqual(['current', 'newer', 'new', 'old-in-use']);
    root.cleanup();
  });

  it('a source checkout inside a folder named .build is still run from its own root', async () => {
    const root = tempDir('opsbot-dotbuild-');
    const copy = join(root.dir, '.build', 'opsbot');
    mkdirSync(join(copy, 'src', 'kernel'), { recursive: true });
    writeFileSync(join(copy, 'src', 'kernel', 'paths.mjs'), readFileSync(join(PACKAGE_ROOT, 'src', 'kernel', 'paths.ts'), 'utf8').replace(/: string/g, ''));
    const { PACKAGE_ROOT: root2 } = (await import(join(copy, 'src', 'kernel', 'paths.mjs'))) as { PACKAGE_ROOT: string };
    expect(root2).toBe(copy);
    root.cleanup();
  });
});

describe('the compiled build (npm run build:cli)', () => {
  let work: { dir: string; cleanup: () => void };
  beforeAll(async () => {
    work = tempDir('opsbot-compiled-cli-');
    const build = await new Promise<number>((resolve) => execFile(process.execPath, [join(PACKAGE_ROOT, 'scripts', 'build-cli.js')], (err) => resolve(err ? 1 : 0)));
    expect(build).toBe(0);
    expect((await runOpsbot(['kb', 'build'], work.dir, { LOG_LEVEL: 'warn' })).code).toBe(0);
  });
  afterAll(() => work.cleanup());

  it('runs without tsx and answers exactly as the sources do', async () => {
    const packages = join(work.dir, 'packages.txt');
    const question = ['ask', '直播预告应该提前多久发？', '--json'];
    const compiled = await runOpsbot(question, work.dir, { LOG_LEVEL: 'warn', NODE_OPTIONS: `--import ${HOOK}`, OPSBOT_RECORD_PACKAGES: packages });
    const source = await runOpsbot(question, work.dir, { LOG_LEVEL: 'warn', OPSBOT_FROM_SOURCE: '1' });
    expect(compiled.code, compiled.stderr).toBe(0);
    expect(readFileSync(packages, 'utf8').split('\n')).not.toContain('tsx');
    expect(compiled.stdout).toBe(source.stdout);
    expect(JSON.parse(compiled.stdout)).toMatchObject({ found: true });
    // Paths from the package root (prompts, package.json) and data files next to the sources (lexicons) resolve.
    const version = await runOpsbot(['--version'], work.dir);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });
});
