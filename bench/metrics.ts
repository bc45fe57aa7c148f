/**
 * Metrics benchmark: importing a 1,000,000-row back-office export (GBK-free UTF-8 CSV, Chinese headers,
 * ￥ amounts) into the SQLite metrics database, and answering KPI questions on it (p50/p99), next to
 * peers measured in the same run: csv-parse and Papa Parse tokenizing the same text, a plain
 * csv-parse + better-sqlite3 loader with no validation, and node-sqlite3 running the same aggregate SQL.
 * Run with `npm run bench:metrics`; it rewrites its section of docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse as csvParse } from 'csv-parse/sync';
import Papa from 'papaparse';
import sqlite3 from 'sqlite3';
import { createClock } from '../src/kernel/clock.js';
import { csvRows } from '../src/skills/metrics/csv.js';
import { MetricsDb } from '../src/skills/metrics/db.js';
import { BASE_FIELDS } from '../src/skills/metrics/definitions.js';
import { MetricsService } from '../src/skills/metrics/service.js';
import { prompts, silentLogger, tempDir } from '../tests/helpers.js';
import { machineDescription } from './machine.js';
import { writeSection } from './report.js';

const ROWS = 1_000_000;
const DAYS = 500;
const CHANNELS = ['抖音直播', '淘宝', '天猫旗舰店', '京东', '拼多多', '快手', '微信小店', '小红书'];
const PRODUCTS = 250; // 500 days × 8 channels × 250 products = 1,000,000 rows
const QUERY_ROUNDS = 20;
const TODAY = '2026-11-25';
const SEED = 20261125;

const QUESTIONS = [
  '昨天转化率',
  '上周各渠道销售额',
  '本月抖音的客单价 环比',
  '近30天每天的访客数',
  '今年哪个商品销量最高',
  '双11 各渠道点击率',
  '上个月退款率 同比',
  '本周销售额和上周比',
  '近7天淘宝的加购率',
  '10月UV价值',
  // One channel and the products together: read from the raw rows (no summary holds both).
  '今年抖音直播哪个商品销量最高',
  '近30天淘宝各商品销售额',
  '上个月京东哪个商品退款率最高',
];

function log(message: string): void {
  process.stderr.write(`[bench:metrics] ${message}\n`);
}

/** mulberry32: a small seeded generator, so every run imports the same data. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function day(offset: number): string {
  return new Date(Date.UTC(2026, 10, 24) - offset * 86_400_000).toISOString().slice(0, 10);
}

/** The export as a back office writes it: Chinese headers, ￥ amounts with separators, CRLF. */
function makeExport(): string {
  const rnd = random(SEED);
  const lines = ['日期,渠道,商品名称,展现量,点击量,访客数,加购人数,订单数,支付买家数,支付件数,支付金额,退款金额,点击率'];
  const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  for (let d = 0; d < DAYS; d++) {
    const date = day(d);
    for (const channel of CHANNELS) {
      for (let p = 0; p < PRODUCTS; p++) {
        const impressions = 500 + Math.floor(rnd() * 20_000);
        const clicks = Math.floor(impressions * (0.01 + rnd() * 0.06));
        const visitors = Math.floor(clicks * (0.6 + rnd() * 0.3));
        const cart = Math.floor(visitors * rnd() * 0.2);
        const buyers = Math.floor(visitors * rnd() * 0.08);
        const orders = buyers + Math.floor(rnd() * 2);
        const units = orders + Math.floor(rnd() * 3);
        const revenue = units * (19.9 + Math.floor(rnd() * 300));
        const refund = rnd() < 0.1 ? revenue * 0.3 : 0;
        const ctr = ((clicks / impressions) * 100).toFixed(2);
        lines.push(`${date},${channel},商品${String(p).padStart(3, '0')},${impressions},${clicks},${visitors},${cart},${orders},${buyers},${units},"￥${money.format(revenue)}",${refund.toFixed(2)},${ctr}%`);
      }
    }
  }
  return lines.join('\r\n') + '\r\n';
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

function timed<T>(fn: () => T): { ms: number; value: T } {
  const t = performance.now();
  const value = fn();
  return { ms: performance.now() - t, value };
}

async function timedAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

const fmt = (n: number, digits = 2) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

interface ImportRun {
  readonly ms: number;
  readonly cpuMs: number;
  readonly rows: number;
  readonly added: number;
  readonly replaced: number;
  readonly rssBefore: number;
  readonly rssPeakDelta: number;
  readonly heapPeakDelta: number;
}

/** One import in a child process (bench/metrics-import.ts), so that its memory is the importer's alone. */
function importInChild(file: string, dbPath: string): ImportRun {
  const script = join(import.meta.dirname, 'metrics-import.ts');
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', script, file, dbPath], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as ImportRun;
}

const megabytes = (bytes: number) => fmt(bytes / 1024 ** 2, 0);

/** The figures before the summary tables and the streamed import (issue 14), measured by this bench on the same machine. */
const BEFORE = [
  'Before the summary tables, the streamed import and the duplicate check in SQLite (this bench run on the code of commit',
  'f5f4223, 2026-12-04, same machine, load average 3.3 at start): first import 11.86 s, re-import 9.35 s; peak RSS',
  'delta 474 MB and peak heap delta 376 MB (first import); 今年哪个商品销量最高 p50 510.93 ms / p99 540.67 ms, all 200',
  'questions p99 537.15 ms. Alternated first imports with bench/metrics-import.ts under a load average of 5–6 (old, new,',
  'old, new): 11.48 / 23.00 s wall (9.78 / 11.09 s CPU) before, 12.00 / 12.42 s wall (9.75 / 9.64 s CPU) after.',
].join('\n');

async function main(): Promise<void> {
  const started = performance.now();
  const machine = machineDescription();
  const work = tempDir('opsbot-bench-metrics-');
  try {
    log(`generating ${ROWS.toLocaleString('en-US')} rows`);
    const text = makeExport();
    const file = join(work.dir, 'export.csv');
    writeFileSync(file, text);
    const mb = Buffer.byteLength(text) / 1024 / 1024;

    // --- Full import through opsbot, twice (the second replaces every row: a re-import), each in a child process.
    log('importing with opsbot (validate, upsert, summaries, one transaction) in a child process');
    const dbPath = join(work.dir, 'metrics.sqlite');
    const first = importInChild(file, dbPath);
    log(`  ${(first.ms / 1000).toFixed(1)} s, ${first.rows} rows, peak RSS +${megabytes(first.rssPeakDelta)} MB`);
    const again = importInChild(file, dbPath);
    log(`  re-import ${(again.ms / 1000).toFixed(1)} s (added ${again.added}), peak RSS +${megabytes(again.rssPeakDelta)} MB`);
    const db = new MetricsDb(dbPath);

    // --- Tokenizing the same text.
    log('tokenizing: opsbot csvRows, csv-parse, Papa Parse');
    const ours = timed(() => {
      let n = 0;
      for (const r of csvRows(text, ',')) n += r.fields.length > 0 ? 1 : 0;
      return n;
    });
    const csvParseRun = timed(() => (csvParse(text, { relax_column_count: true }) as unknown[]).length);
    const papaRun = timed(() => Papa.parse(text, { skipEmptyLines: true }).data.length);

    // --- Peer: a plain loader (csv-parse + better-sqlite3), no validation, no upsert, no names table.
    log('peer loader: csv-parse + better-sqlite3 INSERT');
    const peer = timed(() => {
      const raw = new Database(join(work.dir, 'peer.sqlite'));
      raw.pragma('journal_mode = WAL');
      raw.exec(`CREATE TABLE m (date TEXT, channel TEXT, product TEXT, ${BASE_FIELDS.map((f) => `${f} INTEGER`).join(', ')}, PRIMARY KEY (date, channel, product)) WITHOUT ROWID`);
      const insert = raw.prepare(`INSERT OR REPLACE INTO m VALUES (${Array(3 + BASE_FIELDS.length).fill('?').join(', ')})`);
      const records = csvParse(text, { from_line: 2, relax_column_count: true }) as string[][];
      const money = (s: string) => Math.round(Number(s.replace(/[￥,]/g, '')) * 100);
      raw.transaction(() => {
        for (const r of records) insert.run(r[0], r[1], r[2], +r[3]!, +r[4]!, +r[5]!, +r[6]!, +r[7]!, +r[8]!, +r[9]!, money(r[10]!), money(r[11]!));
      })();
      raw.close();
      return records.length;
    });

    // --- Questions on 1M rows.
    log(`questions: ${QUESTIONS.length} × ${QUERY_ROUNDS}`);
    const service = new MetricsService({ dataDir: work.dir, tz: 'Asia/Shanghai', clock: createClock(), prompts, logger: silentLogger, db });
    const perQuestion: { q: string; times: number[] }[] = [];
    for (const q of QUESTIONS) {
      await service.ask(q, { today: TODAY }); // warm: statements prepared once
      const times: number[] = [];
      for (let i = 0; i < QUERY_ROUNDS; i++) times.push((await timedAsync(() => service.ask(q, { today: TODAY }))).ms);
      perQuestion.push({ q, times: times.sort((a, b) => a - b) });
    }
    const all = perQuestion.flatMap((p) => p.times).sort((a, b) => a - b);

    // --- The same aggregate SQL through better-sqlite3 (what opsbot uses) and node-sqlite3.
    log('aggregate SQL: better-sqlite3 vs node-sqlite3');
    const sql = `SELECT channel, SUM(revenue), SUM(buyers), SUM(visitors) FROM daily_metrics WHERE date BETWEEN ? AND ? GROUP BY channel`;
    const periods = [
      ['2026-11-24', '2026-11-24'],
      ['2026-11-16', '2026-11-22'],
      ['2026-10-01', '2026-10-31'],
      ['2026-01-01', '2026-11-24'],
    ] as const;
    const better = new Database(join(work.dir, 'metrics.sqlite'), { readonly: true });
    const stmt = better.prepare(sql);
    const betterTimes: number[] = [];
    for (let i = 0; i < QUERY_ROUNDS; i++) for (const [a, b] of periods) betterTimes.push(timed(() => stmt.all(a, b)).ms);
    better.close();
    const node = new sqlite3.Database(join(work.dir, 'metrics.sqlite'), sqlite3.OPEN_READONLY);
    const nodeTimes: number[] = [];
    for (let i = 0; i < QUERY_ROUNDS; i++) {
      for (const [a, b] of periods) {
        nodeTimes.push((await timedAsync(() => new Promise<void>((res, rej) => node.all(sql, [a, b], (err) => (err ? rej(err) : res()))))).ms);
      }
    }
    await new Promise<void>((r) => node.close(() => r()));
    betterTimes.sort((a, b) => a - b);
    nodeTimes.sort((a, b) => a - b);
    db.close();

    const seconds = (performance.now() - started) / 1000;
    const env = [...machine, `- Whole run: ${seconds.toFixed(0)} s`].join('\n');
    const report = [
      '## Import',
      '',
      `Export: ${ROWS.toLocaleString('en-US')} rows (${DAYS} days × ${CHANNELS.length} channels × ${PRODUCTS} products), ${fmt(mb, 1)} MB of UTF-8 CSV with Chinese headers, ￥ amounts with thousands separators (quoted), CRLF and an ignored 点击率 column; seed ${SEED}.`,
      '',
      '| Step | Time (s) | CPU (s) | Rows/s | opsbot/peer |',
      '|---|--:|--:|--:|--:|',
      `| opsbot \`importMetricsFile\` (decode, tokenize, validate every value, duplicate check, upsert, names, summaries; one transaction) | ${fmt(first.ms / 1000)} | ${fmt(first.cpuMs / 1000)} | ${Math.round(ROWS / (first.ms / 1000)).toLocaleString('en-US')} | ${ratio(first.ms, peer.ms)} |`,
      `| opsbot re-import of the same file (every row replaced, nothing added) | ${fmt(again.ms / 1000)} | ${fmt(again.cpuMs / 1000)} | ${Math.round(ROWS / (again.ms / 1000)).toLocaleString('en-US')} | ${ratio(again.ms, peer.ms)} |`,
      `| peer: csv-parse + better-sqlite3 \`INSERT OR REPLACE\`, no validation | ${fmt(peer.ms / 1000)} | — | ${Math.round(ROWS / (peer.ms / 1000)).toLocaleString('en-US')} | — |`,
      '',
      'Importer memory, each import run in a child process of its own that opens the database and then imports (bench/metrics-import.ts): **peak RSS delta** = the',
      'process\'s peak resident set (getrusage maxRSS) minus its RSS just before the import; **peak heap delta** = the largest V8 `heapUsed` sampled at each',
      'progress report (every 20,000 rows) minus `heapUsed` before the import.',
      '',
      '| Import | Peak RSS delta (MB) | Peak heap delta (MB) |',
      '|---|--:|--:|',
      `| first import (into an empty database) | ${megabytes(first.rssPeakDelta)} | ${megabytes(first.heapPeakDelta)} |`,
      `| re-import (every row replaced) | ${megabytes(again.rssPeakDelta)} | ${megabytes(again.heapPeakDelta)} |`,
      '',
      'CPU is the import process\'s user + system time: on a shared machine it moves less than the wall time.',
      '',
      BEFORE,
      '',
      'Tokenizing the same text (no database):',
      '',
      '| Tokenizer | Time (s) | opsbot/peer |',
      '|---|--:|--:|',
      `| opsbot \`csvRows\` | ${fmt(ours.ms / 1000)} | — |`,
      `| csv-parse (sync) | ${fmt(csvParseRun.ms / 1000)} | ${ratio(ours.ms, csvParseRun.ms)} |`,
      `| Papa Parse | ${fmt(papaRun.ms / 1000)} | ${ratio(ours.ms, papaRun.ms)} |`,
      '',
      '## Questions on 1,000,000 rows',
      '',
      `\`MetricsService.ask\` end to end (offline parse, SQL sums, ratios, wording; no model, no chart), ${QUERY_ROUNDS} runs of each question after one warm-up, "today" = ${TODAY}.`,
      'Sums come from the summary tables (date × channel, date × product, month × product) wherever a question does not need both a channel and a product:',
      '',
      '| Question | p50 (ms) | p99 (ms) |',
      '|---|--:|--:|',
      ...perQuestion.map((p) => `| ${p.q} | ${fmt(percentile(p.times, 0.5))} | ${fmt(percentile(p.times, 0.99))} |`),
      `| **all ${all.length}** | **${fmt(percentile(all, 0.5))}** | **${fmt(percentile(all, 0.99))}** |`,
      '',
      `The same aggregate (revenue, buyers and visitors by channel for a day, a week, a month and the year) through two SQLite drivers on the same file, ${betterTimes.length} runs each:`,
      '',
      '| Driver | p50 (ms) | p99 (ms) | opsbot/peer p50 |',
      '|---|--:|--:|--:|',
      `| better-sqlite3 (opsbot's) | ${fmt(percentile(betterTimes, 0.5))} | ${fmt(percentile(betterTimes, 0.99))} | — |`,
      `| node-sqlite3 | ${fmt(percentile(nodeTimes, 0.5))} | ${fmt(percentile(nodeTimes, 0.99))} | ${ratio(percentile(betterTimes, 0.5), percentile(nodeTimes, 0.5))} |`,
    ].join('\n');
    const doc = [
      '# Metrics benchmarks',
      '',
      'How fast opsbot imports a large back-office export and answers KPI questions on it. Ratios are opsbot ÷ peer: below 1×',
      'opsbot is faster. The peer loader does far less than opsbot\'s importer (no encoding detection, no header mapping, no',
      'per-value checks with line and column, no duplicate-key check), so its row says what the validation costs.',
      '',
      `Run it with \`npm run bench:metrics\` (about ${Math.max(1, Math.round(seconds / 60))} min; it rewrites this section). Figures vary between runs and machines; the test suite never asserts speed.`,
      '',
      env,
      '',
      report,
    ].join('\n');
    writeSection('metrics', doc);
    console.log(`${env}\n\n${report}`);
    log(`done in ${seconds.toFixed(1)} s; wrote docs/benchmarks.md`);
  } finally {
    work.cleanup();
  }
}

await main();
