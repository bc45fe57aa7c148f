import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../../src/kernel/clock.js';
import { MetricsDb } from '../../src/skills/metrics/db.js';
import { BASE_FIELDS } from '../../src/skills/metrics/definitions.js';
import { matchName } from '../../src/skills/metrics/names.js';
import { isKpiQuestion } from '../../src/skills/metrics/parse.js';
import { MetricsService } from '../../src/skills/metrics/service.js';
import { prompts, silentLogger, tempDir } from '../helpers.js';

// Names stored before imports were bounded (or written by another tool) must not make questions slow:
// the matcher compares a bounded part of each name, so these answer as quickly as any other.

const LONG_CHANNEL = '抖音直播'.repeat(50_000); // 200,000 characters
const LONG_PRODUCT = '保温杯'.repeat(7_000); // 21,000 characters
const HUGE_PRODUCT = 'x'.repeat(50 * 1024 * 1024); // a 50 MB cell

const data = tempDir('opsbot-faults-names-');
let db: MetricsDb;
let metrics: MetricsService;

beforeAll(() => {
  db = new MetricsDb(join(data.dir, 'metrics.sqlite'));
  const writer = db.beginImport(BASE_FIELDS);
  const row = (channel: string, product: string, revenue: number) =>
    writer.write({ date: '2026-11-24', channel, product, values: { orders: 1, revenue } });
  row('抖音直播', '羽绒服', 10_000);
  row('淘宝', '羽绒服', 20_000);
  row(LONG_CHANNEL, '羽绒服', 40_000);
  row('淘宝', LONG_PRODUCT, 80_000);
  row('淘宝', HUGE_PRODUCT, 160_000);
  writer.commit('test');
  metrics = new MetricsService({ dataDir: data.dir, tz: 'Asia/Shanghai', clock: createClock(new Date('2026-11-25T04:00:00Z')), prompts, logger: silentLogger, db });
});
afterAll(() => {
  metrics.close();
  data.cleanup();
});

describe('KPI questions on a database holding very long names', () => {
  it('answers for a short channel next to a 200,000-character one, with the right filter and value', async () => {
    const before = db.count();
    const douyin = (await metrics.ask('昨天抖音直播销售额')).answer;
    expect(douyin).toMatchObject({ filters: { channel: '抖音直播' }, value: 100 });
    const taobao = (await metrics.ask('昨天淘宝销售额')).answer;
    expect(taobao).toMatchObject({ filters: { channel: '淘宝' }, value: 2_600 });
    expect(db.count()).toBe(before);
  });

  it('answers a breakdown that lists the long names, and a product question', async () => {
    const byChannel = (await metrics.ask('昨天各渠道销售额')).answer;
    expect(byChannel.value).toBe(3_100);
    expect(byChannel.breakdown?.map((e) => e.value).sort((a, b) => Number(a) - Number(b))).toEqual([100, 400, 2_600]);
    const product = (await metrics.ask('昨天羽绒服销售额')).answer;
    expect(product).toMatchObject({ filters: { product: '羽绒服' }, value: 700 });
  });

  it('still finds a long name by a part of it, and never takes a cut name as named whole', () => {
    expect(matchName('保温杯保温杯保温杯的销量', ['羽绒服', LONG_PRODUCT])?.name).toBe(LONG_PRODUCT);
    // The first 200 characters of a longer name are not the whole name: a short exact name wins.
    const cut = '抖音直播'.repeat(50);
    expect(matchName(`${cut}销售额`, [cut, LONG_CHANNEL])?.name).toBe(cut);
  });

  it('reads a 100,000-character staff message without trying every substring', () => {
    const message = `昨天淘宝销售额${'哈'.repeat(100_000)}`;
    expect(isKpiQuestion(message, metrics.context('2026-11-25'))).toBe(true);
    expect(matchName(message, metrics.context('2026-11-25').channels)?.name).toBe('淘宝');
  });

  it('keeps the loose matching it had: parts, brands, ties and generic words', () => {
    expect(matchName('抖音昨天的销售额', ['抖音直播', '淘宝'])?.name).toBe('抖音直播');
    expect(matchName('雨靴卖了多少', ['儿童雨靴', '羽绒服'])?.name).toBe('儿童雨靴');
    expect(matchName('羽绒服销量', ['2025新款羽绒服', '保温杯'])?.name).toBe('2025新款羽绒服');
    expect(matchName('抖音的订单', ['抖音1号店', '淘宝'])?.name).toBe('抖音1号店');
    expect(matchName('直播销售额', ['抖音直播', '快手直播'])).toBeUndefined();
    expect(matchName('抖音销售额', ['抖音1号店', '抖音2号店'])).toBeUndefined();
    expect(matchName('a b 销售额', ['a b c'])).toBeUndefined();
    expect(matchName('昨天 红书 的销售额', ['小 红书'])?.matched).toBe('红书');
  });
});

describe('a name of 200 characters outside the BMP', () => {
  it('is named whole, as the import took it, not taken for a cut name', () => {
    const name = '𠀀𠀁'.repeat(100);
    expect(matchName(`${name}的销售额`, ['淘宝', name])).toEqual({ name, matched: name });
  });
});
