import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/kernel/errors.js';
import { MAX_FILE_ARGUMENT_BYTES, readFileBounded } from '../../src/kernel/bounded-read.js';
import { MAX_BATCH_BYTES, MAX_LINE_CHARS, readBatchFile } from '../../src/cli/batch.js';
import { readFileArgument, readTextArgument } from '../../src/cli/file-argument.js';
import { prompts, runOpsbot, STACK_TRACE, tempDir, type CliRun } from '../helpers.js';

// File arguments (--batch, --codes, --users-file, --playbook) as a careless or hostile user gives them:
// each refused or handled, said in Chinese with the path and what to do, never a raw code, never a hang.
let work: { dir: string; cleanup: () => void };
const RAW = /ENOENT|EISDIR|EACCES|（binary）|（undecodable）|（error）|undefined/;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.alloc(2000, 7)]);

function opsbot(args: string[], cwd = work.dir): Promise<CliRun> {
  return runOpsbot(args, cwd, { OPSBOT_DATA_DIR: join(work.dir, 'data'), LOG_LEVEL: 'info' });
}

/** The message a user reads for `file` refused for `why` (rendered as the CLI renders it). */
function refusal(file: string, why: string, params: Record<string, string | number> = {}): string {
  return prompts.render('errors/cli-file-unreadable', { file, reason: prompts.render(`cli/file-${why}`, params) });
}

function expectClean(run: CliRun): void {
  expect(run.stderr).not.toMatch(STACK_TRACE);
  expect(run.stdout + run.stderr).not.toMatch(RAW);
  expect(run.stderr).not.toMatch(/heap|FATAL|Allocation failed/i);
}

beforeAll(() => {
  work = tempDir('opsbot-faults-files-');
  mkdirSync(join(work.dir, 'folder'));
  mkdirSync(join(work.dir, 'sub'));
  writeFileSync(join(work.dir, 'big.txt'), '');
  // A sparse 200 MB file: what a mistaken export looks like on disk, without writing 200 MB.
  truncateSync(join(work.dir, 'big.txt'), 200 * 1024 * 1024);
  writeFileSync(join(work.dir, 'poster.png'), PNG);
  writeFileSync(join(work.dir, 'questions.txt'), '直播前要做哪些预热\n');
  writeFileSync(join(work.dir, 'long.txt'), `${'问'.repeat(1024 * 1024)}\n直播前要做哪些预热\n`);
  symlinkSync(join(work.dir, 'questions.txt'), join(work.dir, 'sub', 'linked.txt'));
  symlinkSync(join(work.dir, 'gone.txt'), join(work.dir, 'dangling.txt'));
});
afterAll(() => work.cleanup());

describe('the bounded reader', () => {
  const cases: { name: string; path: () => string; reason: string }[] = [
    { name: 'a missing file', path: () => join(work.dir, 'nope.txt'), reason: 'missing' },
    { name: 'a dangling link', path: () => join(work.dir, 'dangling.txt'), reason: 'missing' },
    { name: 'a directory', path: () => join(work.dir, 'folder'), reason: 'directory' },
    { name: 'a 200 MB file', path: () => join(work.dir, 'big.txt'), reason: 'too-large' },
    { name: '/dev/zero (endless)', path: () => '/dev/zero', reason: 'too-large' },
    { name: 'a path through a file', path: () => join(work.dir, 'questions.txt', 'x'), reason: 'missing' },
  ];
  for (const c of cases) {
    it(`refuses ${c.name} as ${c.reason}`, async () => {
      const err = (await readFileBounded(c.path(), 1024 * 1024).catch((e: unknown) => e)) as { code: string; reason: string };
      expect(err.code).toBe(ErrorCode.FILE_UNREADABLE);
      expect(err.reason).toBe(c.reason);
    });
  }

  it('reads a file through a link, and a ../ path, as the operator named them', async () => {
    expect(String(await readFileBounded(join(work.dir, 'sub', 'linked.txt'), 1024))).toContain('预热');
    expect(String(await readFileBounded(join(work.dir, 'sub', '..', 'questions.txt'), 1024))).toContain('预热');
  });

  it('readBatchFile says binary and too-large in Chinese, naming the file', async () => {
    const png = join(work.dir, 'poster.png');
    await expect(readBatchFile(png, prompts)).rejects.toMatchObject({ code: ErrorCode.CLI_FILE_UNREADABLE, params: { file: png, reason: prompts.render('cli/file-binary') } });
    const big = join(work.dir, 'big.txt');
    await expect(readBatchFile(big, prompts)).rejects.toMatchObject({ params: { file: big, reason: prompts.render('cli/file-too-large', { max: '8 MB' }) } });
    expect(MAX_BATCH_BYTES).toBe(8 * 1024 * 1024);
    // --codes and --users-file read through the same helpers, with the 16 MB cap.
    await expect(readFileArgument(big, prompts)).rejects.toMatchObject({ params: { file: big, reason: prompts.render('cli/file-too-large', { max: '16 MB' }) } });
    await expect(readTextArgument(png, prompts)).rejects.toMatchObject({ params: { file: png, reason: prompts.render('cli/file-binary') } });
    expect(MAX_FILE_ARGUMENT_BYTES).toBeGreaterThanOrEqual(MAX_BATCH_BYTES);
  });
});

describe('opsbot with hostile file arguments', () => {
  // Each run is a child process with a 60 s timeout: a hang fails the test, without a timing assertion.
  let runs: Record<string, CliRun>;
  beforeAll(async () => {
    const jobs: Record<string, () => Promise<CliRun>> = {
      replyBig: () => opsbot(['reply', '--batch', 'big.txt']),
      askZero: () => opsbot(['ask', '--batch', '/dev/zero', '--json']),
      kpiDir: () => opsbot(['kpi', '--batch', 'folder']),
      askMissing: () => opsbot(['ask', '--batch', 'missing.txt']),
      replyPng: () => opsbot(['reply', '--batch', 'poster.png', '--json']),
      askUp: () => opsbot(['ask', '--batch', '../questions.txt', '--json'], join(work.dir, 'sub')),
      askLong: () => opsbot(['ask', '--batch', 'long.txt', '--json']),
      codesDir: () => opsbot(['coupon', 'create', '--name', '券', '--keyword', '抢券', '--codes', 'folder', '--json']),
      usersZero: () => opsbot(['coupon', 'issue', 'abc', '--users-file', '/dev/zero']),
      playbookFile: () => opsbot(['kb', 'build', '--playbook', 'questions.txt']),
    };
    runs = {};
    const names = Object.keys(jobs);
    // Four at a time: the machine is shared.
    for (let i = 0; i < names.length; i += 4) {
      const slice = names.slice(i, i + 4);
      const done = await Promise.all(slice.map((n) => jobs[n]!()));
      slice.forEach((n, j) => (runs[n] = done[j]!));
    }
    runs.couponList = await opsbot(['coupon', 'list', '--json']);
  }, 180_000);

  it('reply --batch on a 200 MB file: refused at once, exit 1, nothing answered', () => {
    const run = runs.replyBig!;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(refusal('big.txt', 'too-large', { max: '8 MB' }));
    expect(run.stdout).toBe('');
    expectClean(run);
  });

  it('ask --batch /dev/zero: ends (no hang) with the cap named', () => {
    const run = runs.askZero!;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(refusal('/dev/zero', 'too-large', { max: '8 MB' }));
    expect(run.stdout).toBe('');
    expectClean(run);
  });

  it('kpi --batch on a folder, ask --batch on a missing file: named, with what to do', () => {
    expect(runs.kpiDir!.code).toBe(1);
    expect(runs.kpiDir!.stderr).toContain(refusal('folder', 'directory'));
    expect(runs.askMissing!.code).toBe(1);
    expect(runs.askMissing!.stderr).toContain(refusal('missing.txt', 'missing', { cwd: work.dir }));
    for (const r of [runs.kpiDir!, runs.askMissing!]) {
      expect(r.stdout).toBe('');
      expectClean(r);
    }
  });

  it('reply --batch on a picture: refused as not text', () => {
    const run = runs.replyPng!;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(refusal('poster.png', 'binary'));
    expect(run.stdout).toBe('');
    expectClean(run);
  });

  it('ask --batch ../questions.txt: handled like any path the operator names', () => {
    const run = runs.askUp!;
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ found: true });
  });

  it('a 1 MB line is refused alone, not echoed back whole; the next line is answered', () => {
    const run = runs.askLong!;
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const refused = JSON.parse(lines[0]!) as { question: string; found: boolean; error: { code: string }; item: number };
    expect(refused).toMatchObject({ found: false, item: 1, error: { code: ErrorCode.CLI_BATCH_LINE_TOO_LONG } });
    expect(refused.question.length).toBeLessThanOrEqual(81);
    expect(run.stdout.length).toBeLessThan(20_000);
    expect(JSON.parse(lines[1]!)).toMatchObject({ found: true });
    expect(prompts.render('errors/cli-batch-line-too-long', { n: 1, length: 1048576, max: MAX_LINE_CHARS })).toContain('第 1 条');
    expectClean(run);
  });

  it('--codes on a folder and --users-file on /dev/zero are refused; no drop is created', () => {
    expect(runs.codesDir!.code).toBe(1);
    expect(runs.codesDir!.stderr).toContain(refusal('folder', 'directory'));
    expect(JSON.parse(runs.codesDir!.stdout)).toMatchObject({ error: { code: ErrorCode.CLI_FILE_UNREADABLE } });
    expect(runs.usersZero!.stderr).toContain(refusal('/dev/zero', 'too-large', { max: '16 MB' }));
    for (const r of [runs.codesDir!, runs.usersZero!]) {
      expect(r.code).toBe(1);
      expectClean(r);
    }
    expect(runs.couponList!.code).toBe(0);
    expect(runs.couponList!.stdout.trim()).toBe('');
  });

  it('kb build --playbook on a file: says it must be a folder', () => {
    const run = runs.playbookFile!;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(prompts.render('errors/kb-playbook-not-a-folder', { dir: join(work.dir, 'questions.txt') }));
    expectClean(run);
  });
});
