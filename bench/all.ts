/**
 * `npm run bench`: every benchmark, one after another on the same machine, each rewriting its own section of
 * docs/benchmarks.md; then an overview section at the top with the machine's description and each bench's
 * wall time and outcome. Benchmarks run sequentially (never in parallel), because on a 2-core machine two at
 * once would measure each other. Progress goes to stderr.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../src/kernel/paths.js';
import { machineDescription } from './machine.js';
import { orderSections, writeSection } from './report.js';

interface Bench {
  readonly name: string;
  readonly what: string;
}

/** In the order their sections appear in docs/benchmarks.md. */
const BENCHES: readonly Bench[] = [
  { name: 'startup', what: 'start-up of ask / reply / kpi and start to healthz, against a bare grammY import' },
  { name: 'kb', what: 'retrieval against MiniSearch, wink, Orama and LangChain BM25Retriever (playbook and 50,000 synthetic chunks)' },
  { name: 'throughput', what: 'messages/s through the full router (SQLite, Redis) against bare grammY handleUpdate' },
  { name: 'scheduler', what: '10,000 jobs across 4 processes: each run once, lateness p50/p99' },
  { name: 'metrics', what: 'import of 1,000,000 rows, question p50/p99' },
  { name: 'coupon', what: 'coupon claims/s (SQLite, Redis; 1 and 4 processes)' },
];

function run(command: string, args: string[], cwd = PACKAGE_ROOT): Promise<number> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', () => done(127));
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

const only = process.argv.slice(2);
const selected = only.length ? BENCHES.filter((b) => only.includes(b.name)) : BENCHES;
if (only.length && selected.length !== only.length) {
  console.error(`unknown benchmark: ${only.filter((n) => !BENCHES.some((b) => b.name === n)).join(', ')}; choose from: ${BENCHES.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

const machine = machineDescription();
const peers = resolve(PACKAGE_ROOT, 'bench/peers');
if (!existsSync(resolve(peers, 'node_modules'))) {
  console.error('[bench] installing the peer libraries (npm ci in bench/peers) …');
  if ((await run('npm', ['ci', '--no-audit', '--no-fund'], peers)) !== 0) {
    console.error('[bench] npm ci in bench/peers failed; the retrieval comparison needs it');
    process.exit(1);
  }
}

const started = Date.now();
const rows: string[] = [];
let failed = 0;
for (const [i, bench] of selected.entries()) {
  console.error(`\n[bench ${i + 1}/${selected.length}] ${bench.name} …`);
  const t0 = Date.now();
  const code = await run('npm', ['run', '--silent', `bench:${bench.name}`]);
  const seconds = (Date.now() - t0) / 1000;
  if (code !== 0) failed++;
  console.error(`[bench ${i + 1}/${selected.length}] ${bench.name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${seconds.toFixed(0)} s`);
  rows.push(`| [${bench.name}](#bench-${bench.name}) | ${bench.what} | ${seconds.toFixed(0)} | ${code === 0 ? 'ok' : `failed (exit ${code})`} |`);
}

if (!only.length) {
  writeSection('overview', [
    '# opsbot benchmarks',
    '',
    'Every figure on this page comes from `npm run bench`, which runs the benchmarks below one after another on one',
    'otherwise idle machine and rewrites this page (each section also names its own machine and date, so a section',
    're-run alone with `npm run bench:<name>` says when it was measured). Ratios are opsbot ÷ peer, measured in the',
    'same run on the same data. The test suite never asserts speed.',
    '',
    ...machine,
    `- Whole run: ${((Date.now() - started) / 1000).toFixed(0)} s`,
    '',
    '| Benchmark | What it measures | Wall time (s) | Outcome |',
    '|---|---|--:|---|',
    ...rows,
  ].join('\n'));
}
orderSections(['overview', ...BENCHES.map((b) => b.name)]);
console.error(failed ? `\n[bench] ${failed} benchmark(s) failed` : '\n[bench] all done; docs/benchmarks.md rewritten');
process.exitCode = failed ? 1 : 0;
