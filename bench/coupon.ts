/**
 * Coupon benchmark: claims per second from one drop, through the store's pool (the same atomic take a
 * fan's 领券 makes), on one process and on four at once, on the SQLite file and on Redis; next to
 * redis-benchmark running the very Lua script of the take on the same Redis in the same run (the ceiling:
 * no Node, no client library, no network round trip of ours). Every run is checked: exactly the stock
 * out, no fan twice, no code twice. Run with `npm run bench:coupon`; it rewrites its section of
 * docs/benchmarks.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../src/bot/store/index.js';
import { TAKE_SCRIPT } from '../src/bot/store/redis-pools.js';
import { PACKAGE_ROOT } from '../src/kernel/paths.js';
import { generateCodes } from '../src/skills/coupons/codes.js';
import { tempDir } from '../tests/helpers.js';
import { writeSection } from './report.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const STOCK = Number(process.env.COUPON_BENCH_STOCK ?? 20_000);
const INFLIGHT = 32;
const PROCESSES = 4;
const WORKER = join(PACKAGE_ROOT, 'bench/coupon-worker.ts');

const log = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

interface Run {
  readonly backend: 'sqlite' | 'redis';
  readonly processes: number;
  readonly perSecond: number;
  readonly checked: string;
}

/** Checks the ledger after a run: the whole stock out, each code and each fan once. */
async function check(store: Store, pool: string): Promise<string> {
  const claims = await store.pools.claims(pool);
  const stats = await store.pools.stats(pool);
  const ok = claims.length === STOCK && stats?.taken === STOCK && new Set(claims.map((c) => c.item)).size === STOCK && new Set(claims.map((c) => c.holder)).size === STOCK;
  if (!ok) throw new Error(`the ledger of ${pool} is wrong: ${claims.length} claims, ${stats?.taken} taken`);
  return `${fmt(STOCK)} out, no fan or code twice`;
}

/** One process: STOCK fans, INFLIGHT takes at a time. */
async function oneProcess(store: Store, pool: string): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: INFLIGHT }, async () => {
      while (next < STOCK) {
        const i = next++;
        await store.pools.take(pool, `wechat:fan-${i}`, Date.now());
      }
    }),
  );
  return STOCK / ((performance.now() - t0) / 1000);
}

/** PROCESSES processes, each a quarter of the fans, started together once all are connected. */
async function manyProcesses(dataDir: string, redisUrl: string, namespace: string, pool: string): Promise<number> {
  const share = STOCK / PROCESSES;
  const children = Array.from({ length: PROCESSES }, (_, p) =>
    spawn(process.execPath, ['--import', 'tsx', WORKER, dataDir, redisUrl, namespace, pool, String(p * share), String(share), String(INFLIGHT)], { cwd: PACKAGE_ROOT, stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  // Watched from the spawn on: a child that is done before it is awaited must not be missed.
  const lines = children.map((c) => {
    let out = '';
    const waiting: [string, () => void][] = [];
    c.stdout.on('data', (d: Buffer) => {
      out += String(d);
      for (const [text, resolve] of waiting) if (out.includes(text)) resolve();
    });
    const seen = (text: string) => new Promise<void>((resolve) => waiting.push([text, resolve]));
    return { ready: seen('ready'), done: seen('taken '), closed: new Promise((r) => c.once('close', r)) };
  });
  await Promise.all(lines.map((l) => l.ready));
  const t0 = performance.now();
  for (const c of children) c.stdin.end('go\n');
  await Promise.all(lines.map((l) => l.done));
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(lines.map((l) => l.closed));
  return STOCK / seconds;
}

/** redis-benchmark running the take's script for random fans on a pool with stock to spare: Redis's own rate. */
async function redisBenchmark(store: Store, namespace: string): Promise<number> {
  const pool = 'coupon:bench-rb';
  await store.pools.create(pool, generateCodes(STOCK * 3), { limit: 1 });
  const base = `${namespace}:pool:{${pool}}`;
  const url = new URL(REDIS_URL);
  const csv = execFileSync(
    'redis-benchmark',
    ['-h', url.hostname, '-p', url.port || '6379', '-n', String(STOCK * 2), '-c', String(INFLIGHT), '-r', '1000000000', '--csv', 'EVAL', TAKE_SCRIPT, '4', `${base}:rules`, `${base}:free`, `${base}:held`, `${base}:claims`, 'wechat:rb-__rand_int__', String(Date.now()), '{}'],
    { encoding: 'utf8' },
  );
  // "test","rps",…: the test's name is the whole command (the script spans lines); rps is the first number after it.
  const rps = /","([\d.]+)","/.exec(csv)?.[1];
  if (!rps) throw new Error(`redis-benchmark said: ${csv}`);
  return Number(rps);
}

async function main(): Promise<void> {
  const started = performance.now();
  const runs: Run[] = [];
  const dir = tempDir('opsbot-bench-coupon-');
  try {
    for (const backend of ['sqlite', 'redis'] as const) {
      const namespace = `bench-coupon-${process.pid}-${backend}`;
      const redisUrl = backend === 'redis' ? REDIS_URL : '';
      const store = await openStore({ dataDir: dir.dir, ...(redisUrl ? { redisUrl } : {}), namespace });
      try {
        for (const processes of [1, PROCESSES]) {
          const pool = `coupon:bench-${processes}`;
          await store.pools.create(pool, generateCodes(STOCK), { limit: 1 });
          log(`${backend}: ${processes} process(es), ${fmt(STOCK)} claims…`);
          const perSecond = processes === 1 ? await oneProcess(store, pool) : await manyProcesses(dir.dir, redisUrl, namespace, pool);
          runs.push({ backend, processes, perSecond, checked: await check(store, pool) });
        }
        if (backend === 'redis') {
          log('redis-benchmark: the same Lua script…');
          const rb = await redisBenchmark(store, namespace);
          runs.push({ backend, processes: 0, perSecond: rb, checked: '—' });
        }
      } finally {
        await store.close();
      }
    }
  } finally {
    dir.cleanup();
  }
  const seconds = (performance.now() - started) / 1000;
  const rb = runs.find((r) => r.processes === 0)!.perSecond;
  const redisVersion = execFileSync('redis-benchmark', ['--version'], { encoding: 'utf8' }).trim();
  const cpu = cpus();
  const env = [
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Node: ${process.version}; ${redisVersion}`,
    `- CPU: ${cpu[0]?.model.split(' ').slice(0, 2).join(' ') ?? '?'}, ${cpu.length} cores, ${fmt(totalmem() / 1024 ** 3, 1)} GB RAM`,
    `- Whole run: ${fmt(seconds)} s`,
  ].join('\n');
  const row = (r: Run) =>
    r.processes === 0
      ? `| redis-benchmark, the take's Lua script (${INFLIGHT} connections) | Redis | ${fmt(r.perSecond)} | — | — |`
      : `| opsbot \`pools.take\`, ${r.processes === 1 ? 'one process' : `${r.processes} processes`} (${INFLIGHT} in flight each) | ${r.backend === 'sqlite' ? 'SQLite file' : 'Redis'} | ${fmt(r.perSecond)} | ${r.backend === 'redis' ? `${(r.perSecond / rb).toFixed(2)}×` : '—'} | ${r.checked} |`;
  const report = [
    `A drop of ${fmt(STOCK)} codes claimed by ${fmt(STOCK)} different fans, one per fan. Claims per second, from the first take to the last:`,
    '',
    '| Path | Store | Claims/s | opsbot ÷ redis-benchmark | Ledger after the run |',
    '|---|---|--:|--:|---|',
    ...runs.map(row),
  ].join('\n');
  const doc = [
    '# Coupon benchmarks',
    '',
    'How many fans per second can claim from one drop. Each claim is one atomic step of the store: a BEGIN IMMEDIATE',
    'transaction on the SQLite file (one writer at a time across every process, so four processes share one lock), a Lua',
    'script on Redis. redis-benchmark runs that same script on the same Redis in the same run, with no Node and no client',
    'library: the ceiling the Redis path can approach. The peers in this field keep no coupon ledger at all, so there is',
    'no like-for-like library to race; the ratio is to Redis itself.',
    '',
    'On the SQLite file each claim is its own durable commit (synchronous=FULL: a code a fan was told is on disk), and',
    'four processes queue for one write lock, so more processes do not claim faster; a few hundred claims a second serve a',
    'drop of hundreds of fans in seconds. A shop that runs bigger drops, or several bot processes, sets REDIS_URL. On',
    'two cores, four Node processes and Redis share the CPU, which is why four Redis processes are not faster than one.',
    '',
    `Run it with \`npm run bench:coupon\` (about ${Math.max(1, Math.round(seconds / 60))} min; it rewrites this section). Figures vary between runs and machines; the test suite never asserts speed.`,
    '',
    env,
    '',
    report,
  ].join('\n');
  if (!process.env.COUPON_BENCH_STOCK) writeSection('coupon', doc);
  console.log(`${env}\n\n${report}`);
  log(`done in ${seconds.toFixed(1)} s; wrote docs/benchmarks.md`);
}

await main();
