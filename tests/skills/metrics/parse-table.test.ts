import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, type MetricName } from '../../../src/skills/metrics/definitions.js';
import { parseQuestion } from '../../../src/skills/metrics/parse.js';
import { KpiQuerySchema, type KpiQuery } from '../../../src/skills/metrics/query.js';

// An independent table of operator phrasings for the offline KPI question parser, written from the
// issue's specification (not from the parser). "Today" is Wednesday 2026-11-25 in the shop's time zone.
const ctx = {
  today: '2026-11-25',
  channels: ['抖音直播', '淘宝', '微信小店', '快手'],
  products: ['保温杯', '羽绒服', '儿童雨靴'],
} as const;

interface Period {
  from: string;
  to: string;
}
const span = (from: string, to: string = from): Period => ({ from, to });

// Every expected period, computed by hand from the specification.
const TODAY = span('2026-11-25');
const YESTERDAY = span('2026-11-24'); // also the default when the question names no period
const DAY_BEFORE = span('2026-11-23');
const THIS_WEEK = span('2026-11-23', '2026-11-25'); // Monday to today
const LAST_WEEK = span('2026-11-16', '2026-11-22');
const THIS_MONTH = span('2026-11-01', '2026-11-25');
const LAST_MONTH = span('2026-10-01', '2026-10-31');
const THIS_YEAR = span('2026-01-01', '2026-11-25');
// 近N天: the N full days ending yesterday.
const LAST_3 = span('2026-11-22', '2026-11-24');
const LAST_7 = span('2026-11-18', '2026-11-24');
const LAST_10 = span('2026-11-15', '2026-11-24');
const LAST_14 = span('2026-11-11', '2026-11-24');
const LAST_30 = span('2026-10-26', '2026-11-24');
const NOV_3 = span('2026-11-03');
const NOV_20 = span('2026-11-20');
const NOV_1_TO_7 = span('2026-11-01', '2026-11-07');
const NOV_10_TO_16 = span('2026-11-10', '2026-11-16');
const SEPTEMBER = span('2026-09-01', '2026-09-30');
const OCTOBER = span('2026-10-01', '2026-10-31');
const DOUBLE_11 = span('2026-11-11');
const DOUBLE_12 = span('2026-12-12');
const D618 = span('2026-06-18');

interface Expected extends Period {
  metric: MetricName;
  /** The data's names; omitted means `{}`. */
  filters?: { channel?: string; product?: string };
  breakdown?: KpiQuery['breakdown'];
  compare?: KpiQuery['compare'];
  rank?: KpiQuery['rank'];
}
type Extra = Pick<Expected, 'filters' | 'breakdown' | 'compare' | 'rank'>;
const q = (metric: MetricName, period: Period, extra: Extra = {}): Expected => ({ metric, ...period, ...extra });

type Row = readonly [text: string, expected: Expected];

const SIMPLIFIED: readonly Row[] = [
  // Every metric word, with the plain periods.
  ['昨天销售额多少', q('revenue', YESTERDAY)],
  ['今天的成交额是多少？', q('revenue', TODAY)],
  ['今天卖了多少钱', q('revenue', TODAY)],
  ['上周营业额', q('revenue', LAST_WEEK)],
  ['本月GMV多少', q('revenue', THIS_MONTH)],
  ['今年GMV', q('revenue', THIS_YEAR)],
  ['前天曝光量多少', q('impressions', DAY_BEFORE)],
  ['这周的曝光', q('impressions', THIS_WEEK)],
  ['上个月展现量是多少', q('impressions', LAST_MONTH)],
  ['近7天展现', q('impressions', LAST_7)],
  ['昨天点击多少', q('clicks', YESTERDAY)],
  ['本周点击量', q('clicks', THIS_WEEK)],
  ['上月点击数是多少呀', q('clicks', LAST_MONTH)],
  ['今天点击率多少', q('ctr', TODAY)],
  ['近七天的CTR', q('ctr', LAST_7)],
  ['访客数', q('visitors', YESTERDAY)],
  ['今天访客多少了', q('visitors', TODAY)],
  ['10月的UV', q('visitors', OCTOBER)],
  ['昨天加购多少', q('add_to_cart', YESTERDAY)],
  ['本月加购数', q('add_to_cart', THIS_MONTH)],
  ['上周加购率是多少', q('add_to_cart_rate', LAST_WEEK)],
  ['最近30天加购率', q('add_to_cart_rate', LAST_30)],
  ['今天有多少订单', q('orders', TODAY)],
  ['本周到目前为止的订单数', q('orders', THIS_WEEK)],
  ['昨天单量多少', q('orders', YESTERDAY)],
  ['买家数多少', q('buyers', YESTERDAY)],
  ['上周支付买家数', q('buyers', LAST_WEEK)],
  ['转化率多少', q('cvr', YESTERDAY)],
  ['本月支付转化率是多少？', q('cvr', THIS_MONTH)],
  ['今天销量', q('units', TODAY)],
  ['11月20日的件数', q('units', NOV_20)],
  ['客单价', q('aov', YESTERDAY)],
  ['上周客单价多少呢', q('aov', LAST_WEEK)],
  ['昨天退款多少', q('refund_amount', YESTERDAY)],
  ['本月退款金额', q('refund_amount', THIS_MONTH)],
  ['退款率多少', q('refund_rate', YESTERDAY)],
  ['上个月的退款率', q('refund_rate', LAST_MONTH)],
  ['UV价值多少', q('uv_value', YESTERDAY)],
  ['今年的UV价值', q('uv_value', THIS_YEAR)],
  ['昨天 销售额 多少？', q('revenue', YESTERDAY)],
  ['本周的点击率呢？？', q('ctr', THIS_WEEK)],
  ['今天有订单吗', q('orders', TODAY)],

  // Dates, ranges, months, named days, 近N天.
  ['11月20号卖了多少钱', q('revenue', NOV_20)],
  ['2026-11-20 的订单数', q('orders', NOV_20)],
  ['11.20 客单价多少', q('aov', NOV_20)],
  ['11月3号的加购', q('add_to_cart', NOV_3)],
  ['11月1日到11月7日的销售额', q('revenue', NOV_1_TO_7)],
  ['11月1日至11月7日 订单', q('orders', NOV_1_TO_7)],
  ['11月1日-11月7日访客数', q('visitors', NOV_1_TO_7)],
  ['11月1日~11月7日转化率', q('cvr', NOV_1_TO_7)],
  ['2026-11-01至2026-11-07的退款', q('refund_amount', NOV_1_TO_7)],
  ['10月份销量多少', q('units', OCTOBER)],
  ['10月退款金额', q('refund_amount', OCTOBER)],
  ['9月份UV价值是多少', q('uv_value', SEPTEMBER)],
  ['双11成交额', q('revenue', DOUBLE_11)],
  ['双十一订单数多少', q('orders', DOUBLE_11)],
  ['双12的访客', q('visitors', DOUBLE_12)],
  ['618销售额是多少', q('revenue', D618)],
  ['近3天的点击率', q('ctr', LAST_3)],
  ['最近三十天销售额', q('revenue', LAST_30)],
  ['近14天的曝光量', q('impressions', LAST_14)],
  ['近十天订单', q('orders', LAST_10)],

  // Filters: the data's names, matched loosely.
  ['抖音昨天的GMV', q('revenue', YESTERDAY, { filters: { channel: '抖音直播' } })],
  ['淘宝上周销售额', q('revenue', LAST_WEEK, { filters: { channel: '淘宝' } })],
  ['雨靴这个月销量', q('units', THIS_MONTH, { filters: { product: '儿童雨靴' } })],
  ['保温杯近7天退款率', q('refund_rate', LAST_7, { filters: { product: '保温杯' } })],
  ['微信小店本月订单数', q('orders', THIS_MONTH, { filters: { channel: '微信小店' } })],
  ['快手今天访客数', q('visitors', TODAY, { filters: { channel: '快手' } })],
  ['抖音直播保温杯昨天销量', q('units', YESTERDAY, { filters: { channel: '抖音直播', product: '保温杯' } })],
  ['羽绒服的加购率', q('add_to_cart_rate', YESTERDAY, { filters: { product: '羽绒服' } })],
  ['儿童雨靴上周客单价', q('aov', LAST_WEEK, { filters: { product: '儿童雨靴' } })],
  ['微信上周的加购数', q('add_to_cart', LAST_WEEK, { filters: { channel: '微信小店' } })],

  // Breakdowns.
  ['各渠道销售额', q('revenue', YESTERDAY, { breakdown: 'channel' })],
  ['上周每个渠道的转化率', q('cvr', LAST_WEEK, { breakdown: 'channel' })],
  ['本月分渠道订单数', q('orders', THIS_MONTH, { breakdown: 'channel' })],
  ['按渠道看一下今天的访客', q('visitors', TODAY, { breakdown: 'channel' })],
  ['各商品销量', q('units', YESTERDAY, { breakdown: 'product' })],
  ['这个月每个商品的退款金额', q('refund_amount', THIS_MONTH, { breakdown: 'product' })],
  ['按商品看上周GMV', q('revenue', LAST_WEEK, { breakdown: 'product' })],
  ['近7天每天的销售额', q('revenue', LAST_7, { breakdown: 'date' })],
  ['本月每日订单数', q('orders', THIS_MONTH, { breakdown: 'date' })],
  ['最近30天转化率趋势', q('cvr', LAST_30, { breakdown: 'date' })],
  ['近14天客单价走势', q('aov', LAST_14, { breakdown: 'date' })],
  ['11月10日至11月16日每天的曝光', q('impressions', NOV_10_TO_16, { breakdown: 'date' })],
  ['淘宝各商品销售额', q('revenue', YESTERDAY, { filters: { channel: '淘宝' }, breakdown: 'product' })],
  ['羽绒服近7天每天的访客', q('visitors', LAST_7, { filters: { product: '羽绒服' }, breakdown: 'date' })],

  // Ranks.
  ['上周哪个商品销售额最高', q('revenue', LAST_WEEK, { breakdown: 'product', rank: 'max' })],
  ['哪个渠道转化率最低', q('cvr', YESTERDAY, { breakdown: 'channel', rank: 'min' })],
  ['本月哪个渠道退款最少', q('refund_amount', THIS_MONTH, { breakdown: 'channel', rank: 'min' })],
  ['哪个商品点击率最高？', q('ctr', YESTERDAY, { breakdown: 'product', rank: 'max' })],
  ['今天哪个渠道单量最少', q('orders', TODAY, { breakdown: 'channel', rank: 'min' })],
  ['这个月哪个商品销量最多', q('units', THIS_MONTH, { breakdown: 'product', rank: 'max' })],

  // Comparisons; with 和上周比 the period is whatever else the question says.
  ['本月销售额环比', q('revenue', THIS_MONTH, { compare: 'previous' })],
  ['上周转化率环比怎么样', q('cvr', LAST_WEEK, { compare: 'previous' })],
  ['上月GMV同比', q('revenue', LAST_MONTH, { compare: 'year' })],
  ['今年销量同比增长多少', q('units', THIS_YEAR, { compare: 'year' })],
  ['本周销售额和上周比', q('revenue', THIS_WEEK, { compare: 'week' })],
  ['昨天的转化率和上周比', q('cvr', YESTERDAY, { compare: 'week' })],
  ['今天访客跟上周比怎么样', q('visitors', TODAY, { compare: 'week' })],
  ['这周订单比上周多吗', q('orders', THIS_WEEK, { compare: 'week' })],
  ['GMV跟上周比', q('revenue', YESTERDAY, { compare: 'week' })],
  ['各渠道销售额环比', q('revenue', YESTERDAY, { breakdown: 'channel', compare: 'previous' })],

  // How-to questions with a metric word still parse; the caller decides the routing.
  ['怎么提高转化率', q('cvr', YESTERDAY)],
  ['点击率低怎么办？', q('ctr', YESTERDAY)],
  ['客单价是什么意思', q('aov', YESTERDAY)],
  ['退款率太高了怎么处理', q('refund_rate', YESTERDAY)],
];

const TRADITIONAL: readonly Row[] = [
  ['昨天銷售額多少', q('revenue', YESTERDAY)],
  ['上週轉化率是多少？', q('cvr', LAST_WEEK)],
  ['本週點擊率', q('ctr', THIS_WEEK)],
  ['這個月客單價多少呢', q('aov', THIS_MONTH)],
  ['前天訪客數', q('visitors', DAY_BEFORE)],
  ['上個月退款金額', q('refund_amount', LAST_MONTH)],
  ['今天訂單數多少', q('orders', TODAY)],
  ['本月點擊數', q('clicks', THIS_MONTH)],
  ['今天展現量', q('impressions', TODAY)],
  ['這週加購數', q('add_to_cart', THIS_WEEK)],
  ['這週退款率', q('refund_rate', THIS_WEEK)],
  ['支付買家數多少', q('buyers', YESTERDAY)],
  ['上個月買家數', q('buyers', LAST_MONTH)],
  ['上週UV價值多少', q('uv_value', LAST_WEEK)],
  ['11月20號的銷售額', q('revenue', NOV_20)],
  ['雙十一成交額', q('revenue', DOUBLE_11)],
  ['近七天曝光量趨勢', q('impressions', LAST_7, { breakdown: 'date' })],
  ['近30天每天的訪客數', q('visitors', LAST_30, { breakdown: 'date' })],
  ['各渠道銷量', q('units', YESTERDAY, { breakdown: 'channel' })],
  ['每個商品的客單價', q('aov', YESTERDAY, { breakdown: 'product' })],
  ['哪個商品銷售額最高', q('revenue', YESTERDAY, { breakdown: 'product', rank: 'max' })],
  ['哪個渠道轉化率最低', q('cvr', YESTERDAY, { breakdown: 'channel', rank: 'min' })],
  ['本月營業額環比', q('revenue', THIS_MONTH, { compare: 'previous' })],
  ['上週GMV同比', q('revenue', LAST_WEEK, { compare: 'year' })],
  ['昨天的點擊率和上週比', q('ctr', YESTERDAY, { compare: 'week' })],
  ['本週銷售額和上週比', q('revenue', THIS_WEEK, { compare: 'week' })],
  ['抖音上週加購率', q('add_to_cart_rate', LAST_WEEK, { filters: { channel: '抖音直播' } })],
  ['羽絨服今年銷量', q('units', THIS_YEAR, { filters: { product: '羽绒服' } })],
  ['淘寶昨天單量', q('orders', YESTERDAY, { filters: { channel: '淘宝' } })],
];

const ENGLISH: readonly Row[] = [
  ['revenue yesterday', q('revenue', YESTERDAY)],
  ['Revenue?', q('revenue', YESTERDAY)],
  ['What was the conversion rate last week?', q('cvr', LAST_WEEK)],
  ['CTR this week', q('ctr', THIS_WEEK)],
  ['click-through rate last week', q('ctr', LAST_WEEK)],
  ['How do I improve CTR?', q('ctr', YESTERDAY)],
  ['impressions today', q('impressions', TODAY)],
  ['past 14 days impressions', q('impressions', LAST_14)],
  ['how many clicks last month', q('clicks', LAST_MONTH)],
  ['visitors this month', q('visitors', THIS_MONTH)],
  ['UV last month', q('visitors', LAST_MONTH)],
  ['add to cart this year', q('add_to_cart', THIS_YEAR)],
  ['add-to-cart rate last 7 days', q('add_to_cart_rate', LAST_7)],
  ['orders by channel last week', q('orders', LAST_WEEK, { breakdown: 'channel' })],
  ['daily orders this month', q('orders', THIS_MONTH, { breakdown: 'date' })],
  ['orders yesterday vs last week', q('orders', YESTERDAY, { compare: 'week' })],
  ['buyers past 7 days', q('buyers', LAST_7)],
  ['units sold by product this month', q('units', THIS_MONTH, { breakdown: 'product' })],
  ['GMV trend last 30 days', q('revenue', LAST_30, { breakdown: 'date' })],
  ['sales this week vs last week', q('revenue', THIS_WEEK, { compare: 'week' })],
  ['What are sales for 抖音 today?', q('revenue', TODAY, { filters: { channel: '抖音直播' } })],
  ['AOV last month vs previous period', q('aov', LAST_MONTH, { compare: 'previous' })],
  ['average order value today', q('aov', TODAY)],
  ['CVR by channel', q('cvr', YESTERDAY, { breakdown: 'channel' })],
  ['refunds last month year over year', q('refund_amount', LAST_MONTH, { compare: 'year' })],
  ['refund rate YoY', q('refund_rate', YESTERDAY, { compare: 'year' })],
  ['refund rate by product', q('refund_rate', YESTERDAY, { breakdown: 'product' })],
  ['uv value yesterday', q('uv_value', YESTERDAY)],
];

const NO_METRIC: readonly string[] = [
  '今天天气怎么样',
  '你好',
  'hello',
  '',
  '上周',
  '在吗？',
  '谢谢',
  '上周怎么样',
  '各渠道',
  '淘宝',
  '近7天',
  '怎么发货',
  '今天幾號',
  '這週怎麼樣',
  'thanks!',
  'what about last week?',
];

function check(text: string, exp: Expected): void {
  const result = parseQuestion(text, ctx);
  expect(result.ok, `parsed: ${JSON.stringify(result)}`).toBe(true);
  if (!result.ok) return;
  const query = result.query;
  expect(KpiQuerySchema.safeParse(query).success).toBe(true);
  expect(query).toMatchObject({ metric: exp.metric, from: exp.from, to: exp.to });
  const filters = exp.filters ?? {};
  expect(query.filters).toEqual(filters);
  expect(Object.keys(query.filters).sort()).toEqual(Object.keys(filters).sort());
  expect(query.breakdown).toBe(exp.breakdown);
  expect(query.compare).toBe(exp.compare);
  expect(query.rank).toBe(exp.rank);
}

describe('parseQuestion: the phrasing table', () => {
  it.each(SIMPLIFIED)('simplified: %s', check);
  it.each(TRADITIONAL)('traditional: %s', check);
  it.each(ENGLISH)('English: %s', check);

  it.each(NO_METRIC.map((text) => [text] as const))('no metric: %j', (text) => {
    expect(parseQuestion(text, ctx)).toEqual({ ok: false, reason: 'no-metric' });
  });
});

describe('the table itself', () => {
  it('covers every metric at least twice and has enough of each kind', () => {
    const all = [...SIMPLIFIED, ...TRADITIONAL, ...ENGLISH];
    for (const metric of METRIC_NAMES) {
      expect(all.filter(([, e]) => e.metric === metric).length, metric).toBeGreaterThanOrEqual(2);
    }
    expect(all.length + NO_METRIC.length).toBeGreaterThanOrEqual(100);
    expect(TRADITIONAL.length).toBeGreaterThanOrEqual(15);
    expect(ENGLISH.length).toBeGreaterThanOrEqual(15);
    expect(NO_METRIC.length).toBeGreaterThanOrEqual(8);
    expect(new Set([...all.map(([t]) => t), ...NO_METRIC]).size).toBe(all.length + NO_METRIC.length);
  });
});
