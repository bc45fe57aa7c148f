import { MetricsDb } from '../../../src/skills/metrics/db.js';
import { BASE_FIELDS, type BaseField } from '../../../src/skills/metrics/definitions.js';

/**
 * A small shop with values chosen so that sums-then-division and averages of daily ratios differ.
 * Columns: impressions, clicks, visitors, add_to_cart, orders, buyers, units, revenue (fen), refund_amount (fen).
 */
export const FIXTURE_ROWS: readonly [string, string, string, ...number[]][] = [
  ['2026-11-17', '抖音直播', '保温杯', 1000, 80, 50, 5, 5, 5, 5, 50000, 0],
  ['2026-11-22', '抖音直播', '保温杯', 1000, 50, 40, 4, 2, 2, 2, 20000, 0],
  ['2026-11-23', '抖音直播', '保温杯', 1000, 50, 40, 8, 5, 4, 6, 40000, 0],
  ['2026-11-23', '淘宝', '保温杯', 3000, 30, 60, 6, 3, 3, 3, 15000, 5000],
  ['2026-11-24', '抖音直播', '保温杯', 2000, 100, 100, 10, 10, 9, 12, 90000, 9000],
  ['2026-11-24', '抖音直播', '羽绒服', 500, 20, 10, 1, 1, 1, 1, 59900, 0],
];

/** A metrics database holding the fixture rows. */
export function fixtureDb(path = ':memory:'): MetricsDb {
  const db = new MetricsDb(path);
  const writer = db.beginImport(BASE_FIELDS);
  for (const [date, channel, product, ...numbers] of FIXTURE_ROWS) {
    const values = Object.fromEntries(BASE_FIELDS.map((f, i) => [f, numbers[i]!])) as Record<BaseField, number>;
    writer.write({ date, channel, product, values });
  }
  writer.commit('fixture');
  return db;
}
