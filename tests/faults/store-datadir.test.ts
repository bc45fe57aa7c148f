import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/bot/store/index.js';
import { freePort, runOpsbot, STACK_TRACE, tempDir } from '../helpers.js';

// Every case runs `opsbot coupon list` in a child process: it opens the store and nothing else.
// runOpsbot kills a child after 60 s; a case must answer within FEW_SECONDS or it fails.
const FEW_SECONDS = 20_000; // generous for a loaded CI machine; the hang it guards against never ended
const DRIVER_ENGLISH = /file is not a database|malformed|disk is full|SQLITE_|ENOENT|EEXIST|ENOTDIR|EACCES|EROFS|ECONNREFUSED|not connected/;
let work: { dir: string; cleanup: () => void };
const mounts: string[] = [];

beforeAll(() => {
  work = tempDir('opsbot-faults-store-');
});
afterAll(() => {
  for (const m of mounts) tryRun('umount', [m]);
  work.cleanup();
});

function tryRun(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs `opsbot coupon list` against `env`; fails when it takes longer than a few seconds. */
async function list(env: Record<string, string>) {
  const started = Date.now();
  const run = await runOpsbot(['coupon', 'list'], work.dir, { LOG_LEVEL: 'warn', ...env });
  expect(Date.now() - started, 'answered within a few seconds, never a hang').toBeLessThan(FEW_SECONDS);
  return run;
}

/** The user's view of a refusal: exit 1, Chinese naming `where`, no stack, no driver English on the first line. */
function refused(run: { code: number; stdout: string; stderr: string }, where: string) {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).not.toMatch(STACK_TRACE);
  const message = run.stderr.trim().split('\n').at(-1)!;
  expect(message).toContain(where);
  expect(message).not.toMatch(DRIVER_ENGLISH);
  expect(message).not.toBe('系统暂时连不上数据存储，这次操作没有完成，请稍后再试。');
  return message;
}

/** The log line about the store (JSON on stderr) carries the driver's cause, without a stack. */
function logged(run: { stderr: string }, cause: RegExp) {
  const line = run.stderr.split('\n').find((l) => l.startsWith('{') && cause.test(l));
  expect(line, `a warn/error log line matching ${cause}`).toBeDefined();
  const entry = JSON.parse(line!) as { level: number };
  expect(entry.level).toBeGreaterThanOrEqual(40);
  expect(line).not.toMatch(/\\n\s+at /);
}

describe('the data directory', () => {
  it('missing: created, and the command works', async () => {
    const data = join(work.dir, 'new', 'deeper', 'data');
    const run = await list({ OPSBOT_DATA_DIR: data });
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.code).toBe(0);
    expect(existsSync(join(data, 'opsbot.sqlite'))).toBe(true);
  });

  it('a file instead of a folder: names the path, says retrying will not help, and leaves the file alone', async () => {
    const file = join(work.dir, 'data-file');
    writeFileSync(file, '店铺的笔记\n');
    const before = readFileSync(file);
    const run = await list({ OPSBOT_DATA_DIR: file });
    const message = refused(run, file);
    expect(message).toContain('不是文件夹');
    expect(message).toContain('OPSBOT_DATA_DIR');
    expect(message).toContain('重试不会有用');
    logged(run, /EEXIST|ENOTDIR/);
    expect(readFileSync(file).equals(before)).toBe(true);
    // Under a file too (a parent is a file).
    const under = await list({ OPSBOT_DATA_DIR: join(file, 'sub') });
    expect(refused(under, join(file, 'sub'))).toContain('不是文件夹');
  });

  it('on a path that cannot hold files (/proc/…): a clear refusal at once, never a hang', async () => {
    const path = `/proc/opsbot-${process.pid}/data`;
    const run = await list({ OPSBOT_DATA_DIR: path });
    const message = refused(run, path);
    expect(message).toContain('OPSBOT_DATA_DIR');
  });

  it('read-only: names the path and what to do', async () => {
    const dir = join(work.dir, 'readonly');
    mkdirSync(dir);
    // root ignores file modes: a read-only tmpfs then, where mounting is allowed; others get chmod.
    const root = process.getuid?.() === 0;
    const ok = root ? tryRun('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', dir]) : (chmodSync(dir, 0o500), true);
    if (root && ok) mounts.push(dir);
    expect(ok, 'a read-only folder could be made (mount as root, chmod otherwise)').toBe(true);
    const run = await list({ OPSBOT_DATA_DIR: dir });
    const message = refused(run, dir);
    expect(message).toContain('不能写入');
    logged(run, /EROFS|EACCES|SQLITE_CANTOPEN|SQLITE_READONLY/);
  });

  it('full: says the disk is full, names the file, and the stored data is still there', async () => {
    const dir = join(work.dir, 'full');
    mkdirSync(dir);
    const root = process.getuid?.() === 0;
    expect(root && tryRun('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]), 'a tiny tmpfs could be mounted').toBe(true);
    mounts.push(dir);
    const env = { OPSBOT_DATA_DIR: dir, OPSBOT_NOW: '2026-12-01T10:00:00+08:00' };
    const first = await runOpsbot(['coupon', 'create', '--name', '满盘券', '--stock', '3', '--keyword', '领券', '--json'], work.dir, env);
    expect(first.code).toBe(0);
    const id = String((JSON.parse(first.stdout.trim().split('\n')[0]!) as { id: string }).id);
    // Fill what is left of the disk.
    tryRun('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=4k']);
    const big = await runOpsbot(['coupon', 'create', '--name', '大券', '--stock', '5000', '--keyword', '大'], work.dir, env);
    expect(big.code).toBe(1);
    const message = refused(big, join(dir, 'opsbot.sqlite'));
    expect(message).toContain('磁盘已满');
    const status = await runOpsbot(['coupon', 'status', id, '--json'], work.dir, env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout.trim())).toEqual({ id, stock: 3, claimed: 0, remaining: 3 });
  });
});

describe.concurrent('a corrupt opsbot.sqlite', () => {
  const cases: [string, (file: string) => void][] = [
    ['not a database at all', (file) => writeFileSync(file, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 251)))],
    [
      'a database with garbled pages',
      (file) => {
        const good = readFileSync(file);
        for (let i = 4096; i < good.length; i += 97) good[i] = 0xa5;
        writeFileSync(file, good);
      },
    ],
  ];
  it.each(cases)('%s: refused naming the file, retrying will not help, the file byte-identical afterwards', async (_name, spoil) => {
    const dir = join(work.dir, `corrupt-${Math.random().toString(36).slice(2)}`);
    const env = { OPSBOT_DATA_DIR: dir, OPSBOT_NOW: '2026-12-01T10:00:00+08:00' };
    // A shop's data, written in-process (quicker than a CLI run); closing folds the WAL into the file.
    const seeded = await openStore({ dataDir: dir });
    for (let i = 0; i < 200; i++) await seeded.set(`group:wechat:r${i}@chatroom`, { name: `粉丝${i}群`, tags: ['fans'] });
    await seeded.close();
    const file = join(dir, 'opsbot.sqlite');
    expect(existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0).toBe(0);
    spoil(file);
    const before = readFileSync(file);
    const run = await list(env);
    const message = refused(run, file);
    expect(message).toContain('损坏');
    expect(message).toContain('重试不会有用');
    logged(run, /SQLITE_NOTADB|SQLITE_CORRUPT/);
    const create = await runOpsbot(['coupon', 'create', '--name', '新券', '--stock', '1', '--keyword', '新'], work.dir, env);
    expect(create.code).toBe(1);
    expect(readFileSync(file).equals(before), 'the corrupt file is never written to').toBe(true);
  });
});

describe.concurrent('Redis (REDIS_URL)', () => {
  it('down: names host:port with the password masked, and says retrying once it is back helps', async () => {
    const port = await freePort();
    const run = await list({ REDIS_URL: `redis://:s3cretPass@127.0.0.1:${port}` });
    const message = refused(run, `127.0.0.1:${port}`);
    expect(message).toContain('Redis');
    expect(message).toContain('再试');
    expect(run.stderr).not.toContain('s3cretPass');
    logged(run, /ECONNREFUSED/);
  });

  it('a database that does not exist: names it and says to fix REDIS_URL', async () => {
    const run = await list({ REDIS_URL: 'redis://127.0.0.1:6379/99' });
    const message = refused(run, '127.0.0.1:6379/99');
    expect(message).toContain('REDIS_URL');
    expect(message).toContain('重试不会有用');
    logged(run, /DB index is out of range/);
  });
});
