import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Reporter } from '../../../src/bot/reports.js';
import { openScheduler } from '../../../src/bot/scheduler/index.js';
import { SqliteScheduler } from '../../../src/bot/scheduler/sqlite.js';
import type { Job, Scheduler } from '../../../src/bot/scheduler/types.js';
import { openStore, type Store } from '../../../src/bot/store/index.js';
import { PACKAGE_ROOT, prompts, silentLogger, tempDir, until } from '../../helpers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKER = join(PACKAGE_ROOT, 'tests/bot/scheduler/scheduler-worker.ts');
const MIN = 60_000;

interface Backend {
  readonly name: 'sqlite' | 'redis';
  readonly dir: string;
  readonly url: string;
  readonly namespace: string;
}

let dir: { dir: string; cleanup: () => void };
const opened: { close(): Promise<void> }[] = [];
beforeEach(() => {
  dir = tempDir('opsbot-scheduler-');
});
afterEach(async () => {
  for (const c of opened.splice(0).reverse()) await c.close().catch(() => {});
  dir.cleanup();
});

describe.each(['sqlite', 'redis'] as const)('the scheduler contract (%s)', (name) => {
  let backend: Backend;
  let store: Store;
  let summaries: string[];
  let reporter: Reporter;

  beforeEach(async () => {
    backend = { name, dir: dir.dir, url: name === 'redis' ? REDIS_URL : '', namespace: `sched-${process.pid}-${Math.random().toString(36).slice(2)}` };
    store = await openStore({ dataDir: backend.dir, ...(backend.url ? { redisUrl: backend.url } : {}), namespace: backend.namespace });
    opened.push(store);
    summaries = [];
    reporter = new Reporter({ prompts, logger: silentLogger, send: async (text) => void summaries.push(text), batchMs: 60_000 });
  });

  async function scheduler(): Promise<Scheduler> {
    const s = await openScheduler({
      store,
      prompts,
      logger: silentLogger,
      tz: 'Asia/Shanghai',
      now: Date.now,
      reporter,
      pollMs: 50,
      beatMs: 200,
      staleMs: 1_000,
      lockMs: 1_500,
      stalledCheckMs: 500,
    });
    opened.push(s);
    return s;
  }

  const state = async (s: Scheduler, id: string) => (await s.get(id))?.state;

  it('keeps one job per id, and runs it once, at its time, with its payload', async () => {
    const s = await scheduler();
    const ran: unknown[] = [];
    s.handle('greet', async (job) => void ran.push(job.payload));
    const at = new Date(Date.now() + 300);
    const first = await s.schedule({ id: 'live:1:reminder:10m', kind: 'greet', at, payload: { group: '粉丝1群' } });
    const again = await s.schedule({ id: 'live:1:reminder:10m', kind: 'greet', at: new Date(Date.now() + 60 * MIN), payload: { group: 'other' } });
    expect(first).toMatchObject({ id: 'live:1:reminder:10m', kind: 'greet', state: 'pending', at: at.toISOString() });
    expect(again).toMatchObject({ at: at.toISOString(), payload: { group: '粉丝1群' } });
    await s.start();
    expect(ran).toEqual([]); // not before its time
    await until(async () => (await state(s, 'live:1:reminder:10m')) === 'done');
    expect(ran).toEqual([{ group: '粉丝1群' }]);
    expect((await s.list()).filter((j) => j.id === 'live:1:reminder:10m')).toHaveLength(1);
  });

  it('adds many jobs in one step (scheduleAll): each once, an id already there left as it is, a cancelled one revived', async () => {
    const s = await scheduler();
    const at = new Date(Date.now() + 60 * MIN);
    await s.schedule({ id: 'push:kept', kind: 'greet', at, payload: 'first' });
    await s.schedule({ id: 'push:revived', kind: 'greet', at });
    expect(await s.cancel('push:revived')).toBe(true);
    // More rows than one SQLite statement can carry parameters for.
    const specs = Array.from({ length: 5_000 }, (_, i) => ({ id: `push:${i}`, kind: 'greet', at, payload: i }));
    await s.scheduleAll([...specs, { id: 'push:kept', kind: 'greet', at, payload: 'second' }, { id: 'push:revived', kind: 'greet', at }]);
    expect(await s.get('push:4999')).toMatchObject({ state: 'pending', payload: 4999 });
    expect(await s.get('push:kept')).toMatchObject({ state: 'pending', payload: 'first' });
    expect(await state(s, 'push:revived')).toBe('pending');
    expect((await s.list({ limit: 6_000 })).filter((j) => j.state === 'pending')).toHaveLength(5_002);
  }, 60_000);

  it('cancels and reschedules pending jobs only; a rescheduled job never fires at its old time', async () => {
    const s = await scheduler();
    const ran: string[] = [];
    s.handle('greet', async (job) => void ran.push(`${job.id}@${job.at}`));
    await s.schedule({ id: 'a', kind: 'greet', at: new Date(Date.now() + 400) });
    await s.schedule({ id: 'b', kind: 'greet', at: new Date(Date.now() + 400) });
    expect(await s.cancel('a')).toBe(true);
    expect(await s.cancel('a')).toBe(false);
    expect(await s.cancel('nope')).toBe(false);
    const later = new Date(Date.now() + 1_500);
    expect(await s.reschedule('b', later)).toBe(true);
    expect(await s.reschedule('nope', later)).toBe(false);
    await s.start();
    await new Promise((r) => setTimeout(r, 900));
    expect(ran).toEqual([]);
    await until(async () => (await state(s, 'b')) === 'done');
    expect(ran).toEqual([`b@${later.toISOString()}`]);
    expect(await s.get('a')).toMatchObject({ state: 'cancelled', reason: '已取消' });
    expect(await s.cancel('b')).toBe(false); // done: nothing to cancel
    // Scheduling a cancelled id again revives it.
    await s.schedule({ id: 'a', kind: 'greet', at: new Date(Date.now() + 100) });
    await until(async () => (await state(s, 'a')) === 'done');
  });

  it('catches up at start what came due while nothing ran, if less than 10 minutes late and before its deadline; skips the rest with the reason, in one summary', async () => {
    const s = await scheduler();
    const ran: string[] = [];
    s.handle('greet', async (job) => void ran.push(job.id));
    const now = Date.now();
    await s.schedule({ id: 'five-late', kind: 'greet', at: new Date(now - 5 * MIN) });
    await s.schedule({ id: 'fifteen-late', kind: 'greet', at: new Date(now - 15 * MIN), deadline: new Date(now + 60 * MIN) });
    await s.schedule({ id: 'past-deadline', kind: 'greet', at: new Date(now - 2 * MIN), deadline: new Date(now - MIN) });
    await s.start();
    await until(async () => (await Promise.all(['five-late', 'fifteen-late', 'past-deadline'].map((id) => state(s, id)))).every((st) => st !== 'pending' && st !== 'running'));
    expect(ran).toEqual(['five-late']);
    expect(await s.get('fifteen-late')).toMatchObject({ state: 'skipped', reason: expect.stringContaining('晚了 15 分钟') });
    expect(await s.get('past-deadline')).toMatchObject({ state: 'skipped', reason: expect.stringContaining('已过截止时间') });
    await reporter.flush();
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toContain('2 条');
    expect(summaries[0]).toContain('fifteen-late');
    expect(summaries[0]).toContain('past-deadline');
  });

  it('marks a job failed when its handler throws, says why, and goes on', async () => {
    const s = await scheduler();
    s.handle('boom', async () => {
      throw new Error('database exploded');
    });
    s.handle('greet', async () => {});
    await s.schedule({ id: 'x', kind: 'boom', at: new Date() });
    await s.schedule({ id: 'y', kind: 'greet', at: new Date() });
    await s.schedule({ id: 'z', kind: 'unknown-kind', at: new Date() });
    await s.start();
    await until(async () => (await state(s, 'x')) === 'failed' && (await state(s, 'y')) === 'done' && (await state(s, 'z')) === 'failed');
    expect((await s.get('x'))!.reason).not.toContain('exploded');
    expect((await s.get('z'))!.reason).toContain('unknown-kind');
  });

  it('runs each job once across four processes polling one store', async () => {
    const total = 40;
    const s = await scheduler();
    const soon = Date.now() + 1_500;
    for (let i = 0; i < total; i++) await s.schedule({ id: `race:${i}`, kind: 'count', at: new Date(soon + (i % 5) * 20) });
    const runs = [1, 2, 3, 4].map(
      () =>
        new Promise<void>((resolve, reject) =>
          execFile(process.execPath, ['--import', 'tsx', WORKER, 'race', backend.dir, backend.url, backend.namespace, String(total)], { cwd: PACKAGE_ROOT, timeout: 60_000 }, (err) =>
            err ? reject(err) : resolve(),
          ),
        ),
    );
    await Promise.all(runs);
    for (let i = 0; i < total; i++) expect(await store.increment(`ran:race:${i}`, 0)).toBe(1);
    expect(await store.increment('ran-total', 0)).toBe(total);
    const jobs = (await s.list()).filter((j) => j.id.startsWith('race:'));
    expect(jobs.map((j) => j.state)).toEqual(Array(total).fill('done'));
  }, 90_000);

  it('never runs twice a job whose process was killed after claiming it: it becomes interrupted and the operators are told', async () => {
    const s = await scheduler();
    await s.schedule({ id: 'live:9:onair', kind: 'hang', at: new Date() });
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, 'hang', backend.dir, backend.url, backend.namespace], { cwd: PACKAGE_ROOT });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => String(d).includes('claimed') && resolve());
      child.on('exit', () => reject(new Error('the worker exited before claiming')));
    });
    child.kill('SIGKILL');
    let reruns = 0;
    s.handle('hang', async () => void reruns++);
    await s.start();
    const job = await until(async () => {
      const j = await s.get('live:9:onair');
      return j?.state === 'interrupted' ? j : undefined;
    });
    expect(job.reason).toContain('进程中途退出');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(reruns).toBe(0);
    await reporter.flush();
    expect(summaries.join('\n')).toContain('live:9:onair');
    expect(summaries.join('\n')).toContain('不会重复执行');
  }, 60_000);

  const killedAfterClaim = async (mode: 'hang' | 'hang-rerun') => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, mode, backend.dir, backend.url, backend.namespace], { cwd: PACKAGE_ROOT });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => String(d).includes('claimed') && resolve());
      child.on('exit', () => reject(new Error(`the worker exited before claiming: ${stderr}`)));
    });
    child.kill('SIGKILL');
  };

  it('runs once more a rerunnable job whose process was killed while running it, and tells no one: nothing was lost', async () => {
    const s = await scheduler();
    await s.schedule({ id: 'live:9:preannounce', kind: 'hang', at: new Date() });
    await killedAfterClaim('hang-rerun');
    let reruns = 0;
    s.handle('hang', async () => void reruns++, { rerunnable: true });
    await s.start();
    const job = await until(async () => {
      const j = await s.get('live:9:preannounce');
      return j?.state === 'done' ? j : undefined;
    }, 20_000);
    expect(job.state).toBe('done');
    expect(reruns).toBe(1);
    await reporter.flush();
    expect(summaries.join('\n')).not.toContain('live:9:preannounce');
  }, 60_000);

  it('leaves a rerunnable job interrupted, and reported, when its rerun dies too', async () => {
    const s = await scheduler();
    await s.schedule({ id: 'live:9:reminder', kind: 'hang', at: new Date() });
    await killedAfterClaim('hang-rerun');
    await killedAfterClaim('hang-rerun');
    let reruns = 0;
    s.handle('hang', async () => void reruns++, { rerunnable: true });
    await s.start();
    const job = await until(async () => {
      const j = await s.get('live:9:reminder');
      return j?.state === 'interrupted' ? j : undefined;
    }, 20_000);
    expect(job.reason).toContain('进程中途退出');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(reruns).toBe(0);
    await reporter.flush();
    expect(summaries.join('\n')).toContain('live:9:reminder');
  }, 60_000);

  it('closes even while a handler never finishes: the job is left to be reported interrupted, never rerun', async () => {
    const s = await scheduler();
    let started = false;
    s.handle('stuck', async () => {
      started = true;
      await new Promise(() => {});
    });
    await s.schedule({ id: 'stuck-1', kind: 'stuck', at: new Date() });
    await s.start();
    await until(async () => started);
    await (s as unknown as { close(graceMs: number): Promise<void> }).close(200);
  });

  it('lists pending and running jobs first when there are more than asked for', async () => {
    const s = await scheduler();
    s.handle('greet', async () => {});
    for (let i = 0; i < 3; i++) await s.schedule({ id: `old-${i}`, kind: 'greet', at: new Date() });
    await s.start();
    await until(async () => (await Promise.all([0, 1, 2].map((i) => state(s, `old-${i}`)))).every((st) => st === 'done'));
    await s.schedule({ id: 'later', kind: 'greet', at: new Date(Date.now() + 60 * MIN) });
    expect((await s.list({ limit: 2 })).map((j) => j.id)).toContain('later');
  });

  it('lists pending and recent jobs with their state', async () => {
    const s = await scheduler();
    s.handle('greet', async () => {});
    await s.schedule({ id: 'soon', kind: 'greet', at: new Date() });
    await s.schedule({ id: 'tomorrow', kind: 'greet', at: new Date(Date.now() + 24 * 60 * MIN) });
    await s.schedule({ id: 'dropped', kind: 'greet', at: new Date(Date.now() + 60 * MIN) });
    await s.cancel('dropped');
    await s.start();
    await until(async () => (await state(s, 'soon')) === 'done');
    const byId = Object.fromEntries((await s.list()).map((j: Job) => [j.id, j.state]));
    expect(byId).toEqual({ soon: 'done', tomorrow: 'pending', dropped: 'cancelled' });
  });
});

describe('the SQLite scheduler on an injected clock', () => {
  it('adds a push of more jobs than one statement holds all or none: a bad row in the last part adds nothing', async () => {
    const store = await openStore({ dataDir: dir.dir });
    opened.push(store);
    const s = new SqliteScheduler({ store, prompts, logger: silentLogger, tz: 'Asia/Shanghai', now: Date.now, pollMs: MIN });
    opened.push(s);
    const at = new Date(Date.now() + 60 * MIN);
    const specs = Array.from({ length: 9_000 }, (_, i) => ({ id: `wide:${i}`, kind: 'greet', at }));
    // The last job's time is not a time: its row is refused by the table (NOT NULL), in the third statement.
    specs.push({ id: 'wide:bad', kind: 'greet', at: new Date(Number.NaN) });
    await expect(s.scheduleAll(specs)).rejects.toThrow();
    expect(await s.get('wide:0')).toBeUndefined();
    expect(await s.get('wide:8999')).toBeUndefined();
    await s.scheduleAll(specs.slice(0, 9_000));
    for (const id of ['wide:0', 'wide:3999', 'wide:4000', 'wide:8999']) expect((await s.get(id))?.state, id).toBe('pending');
    expect(await s.get('wide:bad')).toBeUndefined();
  });

  it('claims a backlog of due jobs round after round, without waiting a poll for each batch', async () => {
    const store = await openStore({ dataDir: dir.dir });
    opened.push(store);
    // A poll a minute: only the catch-up at start, and what it goes on to claim, can run the jobs in time.
    const s = new SqliteScheduler({ store, prompts, logger: silentLogger, tz: 'Asia/Shanghai', now: Date.now, pollMs: MIN });
    opened.push(s);
    const ran: string[] = [];
    s.handle('count', async (job) => void ran.push(job.id));
    await s.scheduleAll(Array.from({ length: 130 }, (_, i) => ({ id: `backlog:${i}`, kind: 'count', at: new Date(Date.now() - 1_000) })));
    await s.start();
    await until(() => ran.length === 130, 5_000);
    expect(new Set(ran).size).toBe(130);
  });

  it('holds at most 100 running jobs a process, so a backlog is shared with the other processes', async () => {
    const store = await openStore({ dataDir: dir.dir });
    opened.push(store);
    const options = { store, prompts, logger: silentLogger, tz: 'Asia/Shanghai', now: Date.now, pollMs: MIN };
    const a = new SqliteScheduler(options);
    const b = new SqliteScheduler(options);
    opened.push(a, b);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const ran: { a: string[]; b: string[] } = { a: [], b: [] };
    a.handle('slow', async (job) => (ran.a.push(job.id), gate));
    b.handle('slow', async (job) => (ran.b.push(job.id), gate));
    await a.scheduleAll(Array.from({ length: 300 }, (_, i) => ({ id: `slow:${i}`, kind: 'slow', at: new Date(Date.now() - 1_000) })));
    await a.start();
    await until(() => ran.a.length === 100);
    await b.start();
    await until(() => ran.b.length === 100);
    expect(ran.a).toHaveLength(100); // a took no more while its 100 were running
    open();
    await until(() => ran.a.length + ran.b.length === 300, 10_000);
    expect(new Set([...ran.a, ...ran.b]).size).toBe(300);
  });

  it('runs a job when the clock reaches its time, not before, and claims it once between two schedulers', async () => {
    const store = await openStore({ dataDir: dir.dir });
    opened.push(store);
    let now = Date.parse('2026-12-01T12:00:00Z');
    const options = { store, prompts, logger: silentLogger, tz: 'Asia/Shanghai', now: () => now };
    const a = new SqliteScheduler(options);
    const b = new SqliteScheduler(options);
    let ran = 0;
    for (const s of [a, b]) s.handle('greet', async () => void ran++);
    await a.schedule({ id: 'at-noon-plus-ten', kind: 'greet', at: new Date(now + 10 * MIN) });
    now += 9 * MIN;
    expect(await a.tick()).toBe(0);
    now += MIN;
    const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
    expect(ra + rb).toBe(1);
    expect(ran).toBe(1);
    expect((await a.get('at-noon-plus-ten'))!.state).toBe('done');
  });
});
