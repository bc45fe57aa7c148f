import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/kernel/errors.js';
import { MetricsDb } from '../../src/skills/metrics/db.js';
import { BASE_FIELDS } from '../../src/skills/metrics/definitions.js';
import { prompts, runOpsbot, STACK_TRACE, tempDir } from '../helpers.js';

// `opsbot kpi` and `opsbot metrics` as a careless or hostile user meets them: an existing --chart file,
// errors, a corrupt metrics.sqlite, a stored name of 200,000 characters.

let work: { dir: string; cleanup: () => void };
const NOW = ['--now', '2026-11-25'];
const LONG_CHANNEL = '抖音直播'.repeat(50_000);
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
/** English that must never reach a user: SQLite's and Node's own words, raw codes. */
const RAW = /file is not a database|malformed|disk is full|SQLITE_|E[A-Z]{3,}\b|Error:|undefined/;

/** A shop folder (its data dir under it) holding a few days of metrics. */
function shop(name: string, extra: (write: (channel: string, date: string, revenue: number) => void) => void = () => {}): string {
  const dir = join(work.dir, name);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const db = new MetricsDb(join(dir, 'data', 'metrics.sqlite'));
  const writer = db.beginImport(BASE_FIELDS);
  const write = (channel: string, date: string, revenue: number) => writer.write({ date, channel, product: '保温杯', values: { visitors: 10, orders: 1, revenue } });
  for (const [i, date] of ['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24'].entries()) {
    write('抖音直播', date, 10_000 * (i + 1));
    write('淘宝', date, 1_000 * (i + 1));
  }
  extra(write);
  writer.commit('seed');
  db.close();
  return dir;
}

beforeAll(() => {
  work = tempDir('opsbot-faults-kpi-');
});
afterAll(() => work.cleanup());

describe('kpi --chart never overwrites a file unless --force', () => {
  it('refuses an existing file, names it and the option, exits non-zero, and leaves the file as it was', async () => {
    const dir = shop('chart');
    const existing = join(dir, '渠道.csv');
    writeFileSync(existing, 'date,channel,revenue\n2026-11-24,淘宝,1\n');
    const before = readFileSync(existing);
    const run = await runOpsbot(['kpi', '近7天每天的访客数', ...NOW, '--chart', existing], dir, { LOG_LEVEL: 'warn' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(existing);
    expect(run.stderr).toContain('--force');
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.stdout).toBe('');
    expect(readFileSync(existing).equals(before)).toBe(true);

    const forced = await runOpsbot(['kpi', '近7天每天的访客数', ...NOW, '--chart', existing, '--force'], dir, { LOG_LEVEL: 'warn' });
    expect(forced.code).toBe(0);
    expect(readFileSync(existing).subarray(0, 4).equals(PNG_MAGIC)).toBe(true);
    expect(forced.stdout).toContain('访客数');

    const fresh = join(dir, 'new.png');
    const created = await runOpsbot(['kpi', '近7天每天的访客数', ...NOW, '--chart', fresh], dir, { LOG_LEVEL: 'warn' });
    expect(created.code).toBe(0);
    expect(readFileSync(fresh).subarray(0, 4).equals(PNG_MAGIC)).toBe(true);
  }, 60_000);
});

describe('kpi prints its errors on stderr; --json keeps its shape on stdout', () => {
  let dir: string;
  beforeAll(() => {
    dir = shop('errors');
  });

  it('an unknown question: the list of what can be asked on stderr, nothing on stdout, exit 1', async () => {
    const run = await runOpsbot(['kpi', '你好', ...NOW], dir, { LOG_LEVEL: 'warn' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(prompts.render('metrics/help').split('\n')[0]!);
  });

  it('a question too long: said on stderr; with --json one object in the contract shape on stdout', async () => {
    const long = '昨天销售额'.repeat(200);
    const run = await runOpsbot(['kpi', long, ...NOW], dir, { LOG_LEVEL: 'warn' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('问题太长了');
    const json = await runOpsbot(['kpi', long, ...NOW, '--json'], dir, { LOG_LEVEL: 'warn' });
    expect(json.code).toBe(1);
    const a = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(Object.keys(a)).toEqual(['question', 'metric', 'from', 'to', 'filters', 'value', 'unit', 'text', 'error']);
    expect(a).toMatchObject({ metric: null, value: null, error: { code: ErrorCode.METRICS_QUESTION_TOO_LONG } });
  });

  it('a batch: answers on stdout, the questions that failed on stderr', async () => {
    const batch = join(dir, 'questions.txt');
    writeFileSync(batch, '昨天销售额\n你好\n');
    const run = await runOpsbot(['kpi', '--batch', batch, ...NOW], dir, { LOG_LEVEL: 'warn' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('¥550.00');
    expect(run.stdout).not.toContain('你好');
    expect(run.stderr).toContain('【你好】');
  });
});

describe('a very long stored name does not stall kpi', () => {
  it('answers correctly from a database holding a 200,000-character channel name', async () => {
    const dir = shop('long-name', (write) => write(LONG_CHANNEL, '2026-11-24', 70_000));
    const run = await runOpsbot(['kpi', '昨天淘宝销售额', ...NOW, '--json'], dir, { LOG_LEVEL: 'warn' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ filters: { channel: '淘宝' }, value: 50, from: '2026-11-24' });
    // The breakdown names the long channel cut short, so the answer stays readable in a chat.
    const all = await runOpsbot(['kpi', '昨天各渠道销售额', ...NOW], dir, { LOG_LEVEL: 'warn' });
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('¥1,250.00');
    expect(all.stdout).toContain(`${'抖音直播'.repeat(10)}…`);
    expect(all.stdout.length).toBeLessThan(1_000);
  }, 60_000);
});

describe('a corrupt metrics.sqlite: said in Chinese, naming the file and what to do, never overwritten', () => {
  it.each<[string, (path: string) => void]>([
    ['not a database at all', (path) => writeFileSync(path, Buffer.alloc(8192, 'not a database, a note someone saved here. '))],
    [
      'a database with damaged pages',
      (path) => {
        const bytes = readFileSync(path);
        // Keep the header (so it opens), break every page after the first.
        bytes.fill(0xa5, 4096);
        writeFileSync(path, bytes);
      },
    ],
  ])('%s', async (name, corrupt) => {
    const dir = shop(`corrupt-${name.length}`, (write) => {
      for (let d = 1; d <= 28; d++) for (let c = 0; c < 20; c++) write(`渠道${c}`, `2026-10-${String(d).padStart(2, '0')}`, d * 100);
    });
    const path = join(dir, 'data', 'metrics.sqlite');
    corrupt(path);
    const before = readFileSync(path);
    const csv = join(dir, 'export.csv');
    writeFileSync(csv, 'date,channel,revenue\n2026-11-25,淘宝,1\n');
    // Every command that opens the file says the same; the second case only the two that read and write.
    const commands = name.startsWith('not') ? [['kpi', '昨天销售额', ...NOW], ['metrics', 'status'], ['metrics', 'import', csv]] : [['kpi', '昨天销售额', ...NOW], ['metrics', 'import', csv]];
    for (const args of commands) {
      const run = await runOpsbot(args, dir, { LOG_LEVEL: 'warn' });
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(path);
      expect(run.stderr).toMatch(/损坏/);
      expect(run.stderr).toMatch(/备份|删除|移走/);
      expect(run.stderr).not.toMatch(RAW);
      expect(run.stderr).not.toMatch(STACK_TRACE);
    }
    const json = await runOpsbot(['kpi', '昨天销售额', ...NOW, '--json'], dir, { LOG_LEVEL: 'warn' });
    expect(JSON.parse(json.stdout)).toMatchObject({ metric: null, error: { code: ErrorCode.METRICS_DB_CORRUPT } });
    expect(readFileSync(path).equals(before)).toBe(true);
  }, 60_000);
});

describe('metrics import says what it ignored once, briefly', () => {
  it('an export with 900 unused columns: imported, one short line about them', async () => {
    const dir = shop('wide');
    const header = ['date', 'channel', 'revenue', ...Array.from({ length: 900 }, (_, i) => `备注${i}`)].join(',');
    const csv = join(dir, 'wide.csv');
    writeFileSync(csv, `${header}\n2026-11-25,淘宝,12\n`);
    const run = await runOpsbot(['metrics', 'import', csv], dir, { LOG_LEVEL: 'warn' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 行');
    expect(run.stderr).toContain('另有 880 项');
    expect(run.stderr.length).toBeLessThan(1_000);
  });
});
