import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/kernel/errors.js';
import { MetricsDb, type Dimension, type Filters } from '../../../src/skills/metrics/db.js';
import { monthsOf, sourceFor } from '../../../src/skills/metrics/db-summaries.js';
import { METRIC_NAMES } from '../../../src/skills/metrics/definitions.js';
import { executeQuery } from '../../../src/skills/metrics/execute.js';
import { importMetricsFile } from '../../../src/skills/metrics/import.js';
import type { KpiQuery } from '../../../src/skills/metrics/query.js';
import { prompts, tempDir } from '../../helpers.js';

let dir: string;
let cleanup: () => void;
let dbPath: string;
let db: MetricsDb;
/** The same file answering every question from the raw rows only. */
let raw: MetricsDb;

beforeEach(() => {
  ({ dir, cleanup } = tempDir('opsbot-metrics-summaries-'));
  dbPath = join(dir, 'metrics.db');
  db = new MetricsDb(dbPath);
  raw = new MetricsDb(dbPath, { summaries: false });
});

afterEach(() => {
  db.close();
  raw.close();
  cleanup();
});

async function load(name: string, text: string) {
  const path = join(dir, name);
  writeFileSync(path, text);
  return importMetricsFile(path, { db, prompts });
}

const CHANNELS = ['抖音直播', '淘宝', '京东'];
const PRODUCTS = ['保温杯', '羽绒服', '帆布包', '围巾'];
const HEADER = '日期,渠道,商品,展现量,点击量,访客数,加购人数,订单数,支付买家数,支付件数,支付金额,退款金额';

/** A seeded export: every day of a span × channel × product, some cells empty ("-"), values from `seed`. */
function exportText(from: string, days: number, seed: number, skip = (_d: number, _c: number, _p: number) => false): string {
  let a = seed;
  const rnd = () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = [HEADER];
  const start = Date.parse(`${from}T00:00:00Z`);
  for (let d = 0; d < days; d++) {
    const date = new Date(start + d * 86_400_000).toISOString().slice(0, 10);
    CHANNELS.forEach((channel, c) =>
      PRODUCTS.forEach((product, p) => {
        if (skip(d, c, p)) return;
        const n = (max: number) => (rnd() < 0.05 ? '-' : String(Math.floor(rnd() * max)));
        const money = () => (rnd() < 0.05 ? '' : `${Math.floor(rnd() * 100000) / 100}`);
        lines.push([date, channel, product, n(5000), n(400), n(300), n(60), n(30), n(25), n(40), money(), money()].join(','));
      }),
    );
  }
  return lines.join('\n') + '\n';
}

const PERIODS: readonly [string, string][] = [
  ['2026-10-30', '2026-10-30'],
  ['2026-10-25', '2026-11-03'],
  ['2026-11-01', '2026-11-30'],
  ['2026-01-01', '2026-12-31'],
  // Whole months with days before and after them, or on one side only.
  ['2026-10-22', '2026-12-02'],
  ['2026-10-01', '2026-11-15'],
  ['2026-10-31', '2026-12-01'],
  ['2025-01-01', '2025-01-31'], // no data
];
const FILTERS: readonly Filters[] = [{}, { channel: '淘宝' }, { product: '羽绒服' }, { channel: '抖音直播', product: '保温杯' }];
const BREAKDOWNS: readonly (Dimension | undefined)[] = [undefined, 'channel', 'product', 'date'];

/** Every metric over every period × filter × breakdown (with comparisons and ranks mixed in). */
function queries(): KpiQuery[] {
  const out: KpiQuery[] = [];
  let i = 0;
  for (const [from, to] of PERIODS) {
    for (const filters of FILTERS) {
      for (const breakdown of BREAKDOWNS) {
        for (const metric of METRIC_NAMES) {
          const compare = (['previous', 'year', 'week', undefined] as const)[i++ % 4];
          const rank = breakdown && breakdown !== 'date' && i % 3 === 0 ? ('max' as const) : undefined;
          out.push({ metric, from, to, filters, ...(breakdown ? { breakdown } : {}), ...(compare ? { compare } : {}), ...(rank ? { rank } : {}) });
        }
      }
    }
  }
  return out;
}

/** Every answer from the summaries equals the answer from the raw rows, and the group sums agree too. */
function expectSameAnswers(): void {
  for (const q of queries()) expect(executeQuery(db, q), JSON.stringify(q)).toEqual(executeQuery(raw, q));
  for (const [from, to] of PERIODS) {
    for (const filters of FILTERS) {
      expect(db.sums({ from, to, filters })).toEqual(raw.sums({ from, to, filters }));
      expect(db.span({ from, to, filters })).toEqual(raw.span({ from, to, filters }));
      for (const by of ['channel', 'product', 'date'] as const) expect(db.groupSums({ from, to, filters }, by)).toEqual(raw.groupSums({ from, to, filters }, by));
    }
  }
}

describe('summary tables', () => {
  it('answer only what they hold: raw rows when a question needs both a channel and a product', () => {
    expect(sourceFor({}).table).toBe('metrics_by_channel');
    expect(sourceFor({ channel: '淘宝' }, 'date').table).toBe('metrics_by_channel');
    expect(sourceFor({}, 'product').table).toBe('metrics_by_product');
    expect(sourceFor({ product: '围巾' }).table).toBe('metrics_by_product');
    expect(sourceFor({ channel: '淘宝' }, 'product').table).toBe('daily_metrics');
    expect(sourceFor({ product: '围巾' }, 'channel').table).toBe('daily_metrics');
    expect(sourceFor({ channel: '淘宝', product: '围巾' }).table).toBe('daily_metrics');
  });

  it.each([
    ['2026-11-01', '2026-11-30', { head: ['1', '0'], months: ['2026-11', '2026-11'], tail: ['1', '0'] }],
    ['2026-10-22', '2026-12-02', { head: ['2026-10-22', '2026-10-31'], months: ['2026-11', '2026-11'], tail: ['2026-12-01', '2026-12-02'] }],
    ['2024-02-01', '2024-02-29', { head: ['1', '0'], months: ['2024-02', '2024-02'], tail: ['1', '0'] }],
    ['2025-12-15', '2026-02-28', { head: ['2025-12-15', '2025-12-31'], months: ['2026-01', '2026-02'], tail: ['1', '0'] }],
    ['2026-11-02', '2026-11-30', undefined],
    ['2026-11-01', '2026-11-29', undefined],
    ['2026-10-25', '2026-11-03', undefined],
  ])('split %s – %s into days and whole months', (from, to, expected) => {
    expect(monthsOf(from, to)).toEqual(expected);
  });

  it('give the same answers as the raw rows after an import', async () => {
    await load('a.csv', exportText('2026-10-20', 45, 7));
    expect(db.count()).toBe(45 * CHANNELS.length * PRODUCTS.length);
    expectSameAnswers();
  });

  it('stay equal to the raw rows through a re-import that replaces rows, one that adds, and one that completes columns', async () => {
    await load('a.csv', exportText('2026-10-20', 30, 7, (d, c, p) => (d + c + p) % 5 === 0));
    // Overlapping days with other values: rows replaced and rows added (the ones skipped before).
    const again = await load('b.csv', exportText('2026-11-01', 30, 99));
    expect(again.replaced).toBeGreaterThan(0);
    expect(again.added).toBeGreaterThan(0);
    expectSameAnswers();
    // A traffic-only export for some of the same days keeps the sales columns and replaces the traffic ones.
    const traffic = ['日期,渠道,商品,访客数,展现量', ...CHANNELS.flatMap((c, i) => PRODUCTS.map((p, j) => `2026-11-0${1 + ((i + j) % 5)},${c},${p},${i * 10 + j},-`))];
    await load('c.csv', traffic.join('\n') + '\n');
    expectSameAnswers();
    // The same file again changes nothing.
    const before = executeQuery(db, { metric: 'revenue', from: '2026-01-01', to: '2026-12-31', filters: {}, breakdown: 'product' });
    await load('b2.csv', exportText('2026-11-01', 30, 99));
    expect(executeQuery(db, { metric: 'revenue', from: '2026-01-01', to: '2026-12-31', filters: {}, breakdown: 'product' })).toEqual(before);
    expectSameAnswers();
  });

  it('are left as they were by an import that fails, like the raw rows', async () => {
    await load('a.csv', exportText('2026-10-25', 15, 3));
    const before = executeQuery(db, { metric: 'units', from: '2026-01-01', to: '2026-12-31', filters: {}, breakdown: 'product' });
    const bad = exportText('2026-10-28', 10, 4) + '2026-11-07,淘宝,保温杯,abc,1,1,1,1,1,1,1,1\n';
    await expect(load('bad.csv', bad)).rejects.toMatchObject({ code: ErrorCode.METRICS_VALUE_INVALID });
    expect(executeQuery(db, { metric: 'units', from: '2026-01-01', to: '2026-12-31', filters: {}, breakdown: 'product' })).toEqual(before);
    expectSameAnswers();
  });

  it('are built from the raw rows when a database made before them is opened', () => {
    db.close();
    raw.close();
    // A schema-1 file as an earlier opsbot left it: raw rows and names, no summaries.
    const old = new Database(join(dir, 'old.db'));
    old.exec(`
      CREATE TABLE daily_metrics (date TEXT NOT NULL, channel TEXT NOT NULL, product TEXT NOT NULL, impressions INTEGER, clicks INTEGER,
        visitors INTEGER, add_to_cart INTEGER, orders INTEGER, buyers INTEGER, units INTEGER, revenue INTEGER, refund_amount INTEGER,
        PRIMARY KEY (date, channel, product)) WITHOUT ROWID;
      CREATE TABLE dimension_names (kind TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (kind, name)) WITHOUT ROWID;
      CREATE TABLE imports (id INTEGER PRIMARY KEY, file TEXT NOT NULL, rows INTEGER NOT NULL, added INTEGER NOT NULL, first_date TEXT, last_date TEXT, at TEXT NOT NULL);
      INSERT INTO daily_metrics VALUES ('2026-11-01', '淘宝', '保温杯', 100, 10, 8, 2, 1, 1, 1, 9900, NULL);
      INSERT INTO daily_metrics VALUES ('2026-11-01', '京东', '保温杯', 200, 20, 16, 4, 2, 2, 3, 19900, 1000);
      INSERT INTO daily_metrics VALUES ('2026-11-02', '淘宝', '围巾', 300, NULL, 24, 6, 3, 3, 3, 29900, NULL);
      INSERT INTO dimension_names VALUES ('channel', '淘宝'), ('channel', '京东'), ('product', '保温杯'), ('product', '围巾');
      PRAGMA user_version = 1;
    `);
    old.close();
    db = new MetricsDb(join(dir, 'old.db'));
    raw = new MetricsDb(join(dir, 'old.db'), { summaries: false });
    expect(db.sums({ from: '2026-11-01', to: '2026-11-30' })).toMatchObject({ rows: 3, sums: { revenue: 59700, clicks: 30, refund_amount: 1000 } });
    expectSameAnswers();
  });

  it('catch up, when the file is opened, with an import an earlier opsbot made on it (raw rows only)', async () => {
    await load('a.csv', exportText('2026-11-01', 3, 5));
    db.close();
    raw.close();
    // Rolled back for a day: an opsbot from before the summaries upserts raw rows and notes its import.
    const old = new Database(dbPath);
    old.exec(`
      INSERT INTO daily_metrics (date, channel, product, visitors, orders, revenue) VALUES ('2026-11-02', '淘宝', '围巾', 999, 99, 123400)
        ON CONFLICT (date, channel, product) DO UPDATE SET visitors = excluded.visitors, orders = excluded.orders, revenue = excluded.revenue;
      INSERT INTO daily_metrics (date, channel, product, visitors, orders, revenue) VALUES ('2026-11-20', '拼多多', '新品', 50, 5, 5000);
      INSERT INTO imports (file, rows, added, first_date, last_date, at) VALUES ('old.csv', 2, 1, '2026-11-02', '2026-11-20', '2026-12-04T00:00:00Z');
    `);
    old.close();
    db = new MetricsDb(dbPath);
    raw = new MetricsDb(dbPath, { summaries: false });
    expect(db.sums({ from: '2026-11-20', to: '2026-11-20' })).toMatchObject({ rows: 1, sums: { visitors: 50 } });
    expectSameAnswers();
    // Later imports by this opsbot keep the mark moving: nothing is rebuilt twice, nothing missed.
    await load('b.csv', exportText('2026-11-03', 2, 9));
    expectSameAnswers();
  });

  it('refuse a key twice in one file by its lines even when an earlier import stored that key', async () => {
    await load('a.csv', exportText('2026-11-01', 3, 5));
    const text = `${HEADER}\n2026-11-02,淘宝,围巾,1,1,1,1,1,1,1,1,1\n2026-11-05,淘宝,围巾,1,1,1,1,1,1,1,1,1\n2026-11-02,淘宝,围巾,2,2,2,2,2,2,2,2,2\n`;
    await expect(load('dup.csv', text)).rejects.toMatchObject({ code: ErrorCode.METRICS_ROW_DUPLICATE, params: { firstLine: 2, line: 4 } });
    expectSameAnswers();
  });
});
