import { describe, expect, it } from 'vitest';
import { isKpiQuestion, parseQuestion } from '../../../src/skills/metrics/parse.js';
import { noonIn } from '../../../src/kernel/clock.js';
import { periodWeekEarlier, periodYearEarlier, previousComparable, todayIn } from '../../../src/skills/metrics/period.js';

describe('comparison periods', () => {
  it.each([
    ['a day', '2026-11-24', '2026-11-24', '2026-11-23', '2026-11-23'],
    ['a week', '2026-11-16', '2026-11-22', '2026-11-09', '2026-11-15'],
    ['the last 7 days', '2026-11-18', '2026-11-24', '2026-11-11', '2026-11-17'],
    ['a month so far', '2026-11-01', '2026-11-25', '2026-10-01', '2026-10-25'],
    ['a whole month after a shorter one', '2026-10-01', '2026-10-31', '2026-09-01', '2026-09-30'],
    ['March against February', '2026-03-01', '2026-03-31', '2026-02-01', '2026-02-28'],
    ['March 1–30, clamped to February', '2026-03-01', '2026-03-30', '2026-02-01', '2026-02-28'],
    ['January against last December', '2027-01-01', '2027-01-31', '2026-12-01', '2026-12-31'],
  ])('环比 of %s', (_what, from, to, pf, pt) => {
    expect(previousComparable({ from, to })).toEqual({ from: pf, to: pt });
  });

  it('同比 keeps whole months whole and moves 29 February to the 28th', () => {
    expect(periodYearEarlier({ from: '2025-02-01', to: '2025-02-28' })).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(periodYearEarlier({ from: '2024-02-29', to: '2024-02-29' })).toEqual({ from: '2023-02-28', to: '2023-02-28' });
    expect(periodYearEarlier({ from: '2026-11-16', to: '2026-11-22' })).toEqual({ from: '2025-11-16', to: '2025-11-22' });
    expect(periodWeekEarlier({ from: '2026-11-23', to: '2026-11-25' })).toEqual({ from: '2026-11-16', to: '2026-11-18' });
  });

  it('reads today in the shop\'s time zone, and a plain OPSBOT_NOW day as that day there', () => {
    expect(todayIn('Asia/Shanghai', new Date('2026-11-24T17:30:00Z'))).toBe('2026-11-25');
    expect(todayIn('America/Los_Angeles', new Date('2026-11-24T17:30:00Z'))).toBe('2026-11-24');
    for (const tz of ['Asia/Shanghai', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'UTC']) expect(todayIn(tz, noonIn('2026-11-25', tz))).toBe('2026-11-25');
  });
});

// Phrasings a review found misread, kept as a regression table ("today" 2026-11-25 unless given).
const ctx = { today: '2026-11-25', channels: ['抖音直播', '淘宝', '抖音1号店'], products: ['保温杯', '2025新款羽绒服'] };
describe('periods the parser reads as operators mean them', () => {
  it.each([
    ['2025年11月销售额', '2025-11-01', '2025-11-30'],
    ['2025年双11销售额', '2025-11-11', '2025-11-11'],
    ['去年双11销售额', '2025-11-11', '2025-11-11'],
    ['25年11月11日销售额', '2025-11-11', '2025-11-11'],
    ['昨天销售额破1.5万了吗', '2026-11-24', '2026-11-24'],
    ['上周5.2折活动的销售额', '2026-11-16', '2026-11-22'],
    ['11月20日到今天的销售额', '2026-11-20', '2026-11-25'],
    ['11月20日至昨天销售额', '2026-11-20', '2026-11-24'],
    ['从11月1日到现在的销售额', '2026-11-01', '2026-11-25'],
    ['1月到3月销售额', '2026-01-01', '2026-03-31'],
    ['上上周销售额', '2026-11-09', '2026-11-15'],
    ['上周三销售额', '2026-11-18', '2026-11-18'],
    ['近两周销售额', '2026-11-11', '2026-11-24'],
    ['past 2 weeks revenue', '2026-11-11', '2026-11-24'],
    ['revenue in October', '2026-10-01', '2026-10-31'],
    ['revenue on Nov 20', '2026-11-20', '2026-11-20'],
  ])('%s', (q, from, to) => {
    const r = parseQuestion(q, ctx);
    expect(r.ok && { from: r.query.from, to: r.query.to }).toEqual({ from, to });
  });

  it('takes a month or a date still to come this year as last year\'s (asked in January)', () => {
    const jan = { ...ctx, today: '2027-01-05' };
    expect(parseQuestion('12月销售额', jan)).toMatchObject({ query: { from: '2026-12-01', to: '2026-12-31' } });
    expect(parseQuestion('12月20日销售额', jan)).toMatchObject({ query: { from: '2026-12-20', to: '2026-12-20' } });
    expect(parseQuestion('上月销售额', jan)).toMatchObject({ query: { from: '2026-12-01', to: '2026-12-31' } });
  });

  it('keeps comparisons written as 较上月, vs 上周, 跟前天比, 和上上周比', () => {
    expect(parseQuestion('本月销售额较上月', ctx)).toMatchObject({ query: { compare: 'previous', from: '2026-11-01' } });
    expect(parseQuestion('本周销售额 vs 上周', ctx)).toMatchObject({ query: { compare: 'week', from: '2026-11-23' } });
    expect(parseQuestion('昨天的销售额跟前天比', ctx)).toMatchObject({ query: { compare: 'previous', from: '2026-11-24' } });
    expect(parseQuestion('上周销售额和上上周比', ctx)).toMatchObject({ query: { compare: 'previous', from: '2026-11-16' } });
  });

  it('matches longer names by a distinctive part, never by a number alone', () => {
    expect(parseQuestion('羽绒服昨天销量', ctx)).toMatchObject({ query: { filters: { product: '2025新款羽绒服' } } });
    expect(parseQuestion('抖音1号店昨天销售额', ctx)).toMatchObject({ query: { filters: { channel: '抖音1号店' } } });
    expect(parseQuestion('2025年11月销售额', ctx)).toMatchObject({ query: { filters: {} } });
    expect(parseQuestion('销量最好的商品是哪个', ctx)).toMatchObject({ query: { breakdown: 'product', rank: 'max' } });
  });

  it.each([
    ['点击率是什么意思', false],
    ['什么是UV价值', false],
    ['退款多久到账', false],
    ['转化率一般是多少', false],
    ['主图影响点击率吗', false],
    ['转化率低是什么原因', false],
    ['怎么提高转化率', false],
    ['昨天转化率', true],
    ['转化率多少', true],
    ['上周各渠道销售额', true],
    ['为什么昨天转化率这么低', true],
  ])('routes "%s" to the numbers: %s', (q, kpi) => {
    expect(isKpiQuestion(q, ctx)).toBe(kpi);
  });
});
