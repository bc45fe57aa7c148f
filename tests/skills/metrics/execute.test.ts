import { afterAll, describe, expect, it } from 'vitest';
import { MetricsDb } from '../../../src/skills/metrics/db.js';
import { valueOf } from '../../../src/skills/metrics/definitions.js';
import { executeQuery } from '../../../src/skills/metrics/execute.js';
import type { KpiQuery } from '../../../src/skills/metrics/query.js';
import { fixtureDb } from './fixture.js';

const db = fixtureDb();
afterAll(() => db.close());

const run = (q: Partial<KpiQuery> & Pick<KpiQuery, 'metric' | 'from' | 'to'>) => executeQuery(db, { filters: {}, ...q });

// Every expected value below is computed by hand from tests/skills/metrics/fixture.ts.
describe('executeQuery on the fixture (hand-computed values)', () => {
  it('divides the sums, never averages daily ratios', () => {
    // 11-23..11-24: buyers 4+3+9+1 = 17, visitors 40+60+100+10 = 210. Daily rates average to 0.0805.
    const r = run({ metric: 'cvr', from: '2026-11-23', to: '2026-11-24' });
    expect(r.value).toBeCloseTo(17 / 210, 12);
    expect(r.unit).toBe('ratio');
    expect(r.rows).toBe(4);
    // ctr 11-24: clicks 120 / impressions 2500 = 0.048 (the rows' ratios average to 0.045).
    expect(run({ metric: 'ctr', from: '2026-11-24', to: '2026-11-24' }).value).toBeCloseTo(0.048, 12);
  });

  it.each([
    ['revenue', '2026-11-23', '2026-11-24', 2049, 'yuan'],
    ['refund_amount', '2026-11-23', '2026-11-24', 140, 'yuan'],
    ['refund_rate', '2026-11-23', '2026-11-24', 140 / 2049, 'ratio'],
    ['aov', '2026-11-24', '2026-11-24', 1499 / 10, 'yuan'],
    ['uv_value', '2026-11-24', '2026-11-24', 1499 / 110, 'yuan'],
    ['add_to_cart_rate', '2026-11-23', '2026-11-24', 25 / 210, 'ratio'],
    ['units', '2026-11-23', '2026-11-24', 22, 'count'],
    ['orders', '2026-11-22', '2026-11-24', 21, 'count'],
    ['impressions', '2026-11-17', '2026-11-24', 8500, 'count'],
    ['clicks', '2026-11-22', '2026-11-23', 130, 'count'],
    ['visitors', '2026-11-24', '2026-11-24', 110, 'count'],
    ['add_to_cart', '2026-11-24', '2026-11-24', 11, 'count'],
    ['buyers', '2026-11-22', '2026-11-24', 19, 'count'],
  ] as const)('%s from %s to %s is %d', (metric, from, to, expected, unit) => {
    const r = run({ metric, from, to });
    expect(r.value).toBeCloseTo(expected, 10);
    expect(r.unit).toBe(unit);
  });

  it('filters by channel and product, matching the data\'s names loosely', () => {
    expect(run({ metric: 'revenue', from: '2026-11-23', to: '2026-11-24', filters: { channel: '淘宝' } }).value).toBe(150);
    const loose = run({ metric: 'revenue', from: '2026-11-23', to: '2026-11-24', filters: { channel: '抖音' } });
    expect(loose.query.filters).toEqual({ channel: '抖音直播' });
    expect(loose.value).toBeCloseTo(1899, 10);
    expect(run({ metric: 'units', from: '2026-11-24', to: '2026-11-24', filters: { product: '羽绒服' } }).value).toBe(1);
    // A name the data does not have stays as given and finds nothing.
    const unknown = run({ metric: 'revenue', from: '2026-11-24', to: '2026-11-24', filters: { channel: '拼多多' } });
    expect(unknown).toMatchObject({ value: null, rows: 0, query: { filters: { channel: '拼多多' } } });
  });

  it('breaks down by channel and product, highest first, each from its own sums', () => {
    const byChannel = run({ metric: 'revenue', from: '2026-11-23', to: '2026-11-24', breakdown: 'channel' });
    expect(byChannel.breakdown).toEqual([
      { key: '抖音直播', value: 1899 },
      { key: '淘宝', value: 150 },
    ]);
    // 保温杯 16/200 = 0.08, 羽绒服 1/10 = 0.1.
    const byProduct = run({ metric: 'cvr', from: '2026-11-23', to: '2026-11-24', breakdown: 'product' });
    expect(byProduct.breakdown!.map((e) => e.key)).toEqual(['羽绒服', '保温杯']);
    expect(byProduct.breakdown![1]!.value).toBeCloseTo(0.08, 12);
    expect(run({ metric: 'cvr', from: '2026-11-23', to: '2026-11-24', breakdown: 'product', rank: 'max' }).breakdown).toEqual([{ key: '羽绒服', value: 0.1 }]);
    expect(run({ metric: 'cvr', from: '2026-11-23', to: '2026-11-24', breakdown: 'product', rank: 'min' }).breakdown).toEqual([{ key: '保温杯', value: 0.08 }]);
  });

  it('breaks down by date with every day of the period, a day without data as null', () => {
    const r = run({ metric: 'revenue', from: '2026-11-21', to: '2026-11-24', breakdown: 'date' });
    expect(r.breakdown).toEqual([
      { key: '2026-11-21', value: null },
      { key: '2026-11-22', value: 200 },
      { key: '2026-11-23', value: 550 },
      { key: '2026-11-24', value: 1499 },
    ]);
    expect(r.covered).toEqual({ from: '2026-11-22', to: '2026-11-24' });
  });

  it('compares with the previous period, the same days last week, and a year earlier', () => {
    // 11-24 vs 11-23: (1499 − 550) / 550.
    const prev = run({ metric: 'revenue', from: '2026-11-24', to: '2026-11-24', compare: 'previous' });
    expect(prev.compare).toMatchObject({ from: '2026-11-23', to: '2026-11-23', value: 550 });
    expect(prev.compare!.change).toBeCloseTo(949 / 550, 12);
    // ctr 11-24 (0.048) vs 11-17 (80/1000 = 0.08): −40%.
    const week = run({ metric: 'ctr', from: '2026-11-24', to: '2026-11-24', compare: 'week' });
    expect(week.compare).toMatchObject({ from: '2026-11-17', to: '2026-11-17' });
    expect(week.compare!.value).toBeCloseTo(0.08, 12);
    expect(week.compare!.change).toBeCloseTo(-0.4, 12);
    // Two days against the two before: 11-23..24 vs 11-21..22.
    expect(run({ metric: 'revenue', from: '2026-11-23', to: '2026-11-24', compare: 'previous' }).compare).toMatchObject({ from: '2026-11-21', to: '2026-11-22', value: 200 });
    // No data a year earlier: value and change are null, never 0.
    expect(run({ metric: 'revenue', from: '2026-11-24', to: '2026-11-24', compare: 'year' }).compare).toEqual({ from: '2025-11-24', to: '2025-11-24', value: null, change: null });
  });

  it('keeps the previous period of a ratio, to notice a drop without being asked', () => {
    // ctr 11-23: 80/4000 = 0.02, after 11-22's 50/1000 = 0.05.
    const r = run({ metric: 'ctr', from: '2026-11-23', to: '2026-11-23' });
    expect(r.value).toBeCloseTo(0.02, 12);
    expect(r.previous).toMatchObject({ from: '2026-11-22', to: '2026-11-22' });
    expect(r.previous!.value).toBeCloseTo(0.05, 12);
    expect(run({ metric: 'revenue', from: '2026-11-23', to: '2026-11-23' }).previous).toBeUndefined();
  });

  it('answers a period without data with null, never 0', () => {
    const r = run({ metric: 'revenue', from: '2026-10-01', to: '2026-10-31' });
    expect(r).toMatchObject({ value: null, rows: 0 });
    expect(r.covered).toBeUndefined();
  });

  it('gives null for a ratio over nothing, and for a column the exports never had', () => {
    const empty = new MetricsDb(':memory:');
    const writer = empty.beginImport(['revenue', 'buyers', 'visitors']);
    writer.write({ date: '2026-11-24', channel: '', product: '', values: { revenue: 10000, buyers: 0, visitors: 0 } });
    writer.commit('zero');
    expect(executeQuery(empty, { metric: 'cvr', from: '2026-11-24', to: '2026-11-24', filters: {} }).value).toBeNull();
    expect(executeQuery(empty, { metric: 'aov', from: '2026-11-24', to: '2026-11-24', filters: {} }).value).toBeNull();
    expect(executeQuery(empty, { metric: 'ctr', from: '2026-11-24', to: '2026-11-24', filters: {} }).value).toBeNull();
    expect(executeQuery(empty, { metric: 'revenue', from: '2026-11-24', to: '2026-11-24', filters: {} }).value).toBe(100);
    empty.close();
  });

  it('computes money from fen exactly', () => {
    expect(valueOf('revenue', { impressions: null, clicks: null, visitors: null, add_to_cart: null, orders: null, buyers: null, units: null, revenue: 1234560, refund_amount: null })).toBe(12345.6);
  });
});
