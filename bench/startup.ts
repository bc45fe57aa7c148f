/**
 * Start-up benchmark: how long `opsbot ask`, `reply` and `kpi` take from process start to answer, and
 * `opsbot start` (no WeChat, no Telegram, offline) from process start to /healthz green, side by side in
 * the same run with a bare `node -e "import('grammy')"` (the floor a grammY bot pays before its first
 * line), each as a ratio to it. Runs interleave (one of each, N times) so a noisy moment hits them all.
 * As installed, bin/opsbot.js runs the compiled build (made by `npm install`, see bin/compiled.js); the
 * same commands from the sources through tsx are measured too (what runs after an edit, before the next
 * build), warm and with tsx's cache empty. Run with `npm run bench:startup`; it rewrites its section of
 * docs/benchmarks.md.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { OPSBOT_BIN, PACKAGE_ROOT, freePort, tempDir } from '../tests/helpers.js';
import { machineDescription } from './machine.js';
import { writeSection } from './report.js';

const RUNS = Number(process.env.STARTUP_BENCH_RUNS ?? 7);
const COLD_RUNS = Number(process.env.STARTUP_BENCH_COLD_RUNS ?? 3);
const QUESTION = '直播预告应该提前多久发？';
const MESSAGE = '我昨天下的单什么时候发货？';
const KPI = '昨天转化率';

const log = (line: string) => process.stderr.write(`${line}\n`);
const work = tempDir('opsbot-bench-startup-');
const baseEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  OPSBOT_DATA_DIR: join(work.dir, 'data'),
  ...extra,
});

// Each measured process writes its own CPU time (all threads, user + system) at exit: on a shared
// machine wall time also counts the waits for a core, CPU time is what the process itself cost.
const CPU_HOOK = join(work.dir, 'cpu-at-exit.mjs');
const CPU_FILE = join(work.dir, 'cpu.txt');
writeFileSync(CPU_HOOK, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.cpuUsage(); writeFileSync(${JSON.stringify(CPU_FILE)}, String((u.user + u.system) / 1000)); });\n`);

interface Timing {
  readonly wall: number;
  readonly cpu?: number;
}

/** Wall time of one process from spawn to exit and its CPU time, in ms; fails loudly if it fails. */
function timed(args: readonly string[], env: NodeJS.ProcessEnv, cwd = work.dir): Timing {
  rmSync(CPU_FILE, { force: true });
  const t0 = performance.now();
  const run = spawnSync(process.execPath, ['--import', CPU_HOOK, ...args], { cwd, env, encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return { wall, cpu: Number(readFileSync(CPU_FILE, 'utf8')) };
}

/** `opsbot start` from spawn to the first 200 from /healthz, in ms; then SIGTERM and wait for the exit. */
async function timeToHealthy(env: NodeJS.ProcessEnv): Promise<Timing> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [OPSBOT_BIN, 'start'], { cwd: work.dir, env: { ...env, OPSBOT_HTTP_PORT: String(port) }, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let ms: number | undefined;
  try {
    while (ms === undefined) {
      if (child.exitCode !== null) throw new Error(`opsbot start exited ${child.exitCode} before /healthz answered`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (res?.ok) ms = performance.now() - t0;
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  return { wall: ms };
}

/** Metrics up to yesterday (local time), so 昨天转化率 has an answer. */
function sampleExport(): string {
  const lines = ['日期,渠道,商品名称,访客数,加购人数,订单数,支付买家数,支付件数,支付金额'];
  for (let d = 60; d >= 1; d--) {
    const day = new Date(Date.now() - d * 86_400_000);
    const date = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    for (const [channel, product] of [['抖音直播', '保温杯'], ['淘宝', '羽绒服']] as const) {
      const visitors = 500 + ((d * 37) % 300);
      const buyers = 10 + ((d * 13) % 40);
      lines.push(`${date},${channel},${product},${visitors},${buyers * 2},${buyers + 2},${buyers},${buyers + 3},${buyers * 99}`);
    }
  }
  return lines.join('\n');
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const min = (xs: readonly number[]) => Math.min(...xs);

interface Row {
  readonly name: string;
  readonly command: string;
  readonly ms: Timing[];
}

async function main(): Promise<void> {
  // BENCH_NOTE: a line about the run's conditions (other work sharing the CPU), kept with the figures.
  const machine = machineDescription([
    ...(process.env.BENCH_NOTE ? [process.env.BENCH_NOTE] : []),
    `Runs: ${RUNS} of each, interleaved, after one warm-up of each (cold row: ${COLD_RUNS} runs, each with an empty tsx cache)`,
    'Data: the shipped playbook, index built; 60 days of sample metrics up to yesterday; no model, no WeChat, no Telegram, offline',
  ]);
  const env = baseEnv();
  const fromSource = baseEnv({ OPSBOT_FROM_SOURCE: '1' });
  log('preparing: build:cli, kb build, metrics import');
  execFileSync(process.execPath, [join(PACKAGE_ROOT, 'scripts', 'build-cli.js')], { stdio: 'inherit' });
  timed([OPSBOT_BIN, 'kb', 'build'], env);
  const csv = join(work.dir, 'export.csv');
  writeFileSync(csv, sampleExport());
  timed([OPSBOT_BIN, 'metrics', 'import', csv], env);

  const rows: Row[] = [
    { name: 'bare grammY import', command: `node -e "import('grammy')"`, ms: [] },
    { name: 'ask', command: `opsbot ask "${QUESTION}"`, ms: [] },
    { name: 'reply', command: `opsbot reply "${MESSAGE}"`, ms: [] },
    { name: 'kpi', command: `opsbot kpi ${KPI}`, ms: [] },
    { name: 'start → /healthz green', command: 'opsbot start (no WeChat, no Telegram)', ms: [] },
    { name: 'ask, from the sources (tsx, warm cache)', command: `OPSBOT_FROM_SOURCE=1 opsbot ask "${QUESTION}"`, ms: [] },
    { name: 'reply, from the sources (tsx, warm cache)', command: `OPSBOT_FROM_SOURCE=1 opsbot reply "${MESSAGE}"`, ms: [] },
    { name: 'kpi, from the sources (tsx, warm cache)', command: `OPSBOT_FROM_SOURCE=1 opsbot kpi ${KPI}`, ms: [] },
  ];
  const [bare, ask, reply, kpi, start, askSrc, replySrc, kpiSrc] = rows as [Row, Row, Row, Row, Row, Row, Row, Row];
  // One warm-up of each, so every row measures a warm disk and a warm tsx cache.
  const once = async (record: boolean) => {
    const put = (row: Row, ms: Timing) => void (record && row.ms.push(ms));
    put(bare, timed(['-e', "import('grammy')"], env, PACKAGE_ROOT));
    put(ask, timed([OPSBOT_BIN, 'ask', QUESTION], env));
    put(reply, timed([OPSBOT_BIN, 'reply', MESSAGE], env));
    put(kpi, timed([OPSBOT_BIN, 'kpi', KPI], env));
    put(start, await timeToHealthy(env));
    put(askSrc, timed([OPSBOT_BIN, 'ask', QUESTION], fromSource));
    put(replySrc, timed([OPSBOT_BIN, 'reply', MESSAGE], fromSource));
    put(kpiSrc, timed([OPSBOT_BIN, 'kpi', KPI], fromSource));
  };
  await once(false);
  for (let i = 0; i < RUNS; i++) {
    log(`run ${i + 1}/${RUNS}`);
    await once(true);
  }
  // The first run from the sources (after an edit, or an install without esbuild): tsx's cache, in
  // $TMPDIR/tsx-<uid>, is empty; a fresh TMPDIR per run gives that.
  const cold: Row = { name: 'ask, from the sources, first run (tsx cache empty)', command: `OPSBOT_FROM_SOURCE=1 opsbot ask "${QUESTION}"`, ms: [] };
  for (let i = 0; i < COLD_RUNS; i++) {
    log(`cold run ${i + 1}/${COLD_RUNS}`);
    cold.ms.push(timed([OPSBOT_BIN, 'ask', QUESTION], baseEnv({ OPSBOT_FROM_SOURCE: '1', TMPDIR: mkdtempSync(join(work.dir, 'tmp-')) })));
  }
  rows.push(cold);

  const wall = (r: Row) => r.ms.map((t) => t.wall);
  const cpu = (r: Row) => r.ms.flatMap((t) => (t.cpu === undefined ? [] : [t.cpu]));
  const floor = median(wall(bare));
  const cpuFloor = median(cpu(bare));
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const table = [
    '| What | Command | wall median | wall min | × bare grammY (wall median) | CPU median | × bare grammY (CPU median) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => {
      const c = cpu(r);
      const cpuCells = c.length ? `${ms(median(c))} | ${(median(c) / cpuFloor).toFixed(1)}×` : '— | —';
      return `| ${r.name} | \`${r.command}\` | ${ms(median(wall(r)))} | ${ms(min(wall(r)))} | ${(median(wall(r)) / floor).toFixed(1)}× | ${cpuCells} |`;
    }),
  ];
  const section = [
    '## Start-up',
    '',
    ...machine,
    `- Load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min)`,
    '',
    'Wall time from process start to exit (for `start`: to the first 200 from `/healthz`), and the process\'s own CPU time (all threads; not for `start`, which runs on). Goals: `ask`, `reply` and `kpi` within 5× a bare grammY import; `start` ready in under 2 s.',
    'The first five rows are the CLI as installed (the compiled build `npm install` makes); the rows "from the sources" are what runs after an edit until `npm run build:cli`.',
    '',
    ...table,
  ].join('\n');
  process.stdout.write(`${section}\n`);
  writeSection('startup', section);
}

try {
  await main();
} finally {
  work.cleanup();
}
