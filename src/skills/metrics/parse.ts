import { normalizeForMatch } from '../../knowledge/normalize.js';
import type { MetricName } from './definitions.js';
import {
  addDays,
  makeDay,
  monthPeriod,
  weekStart,
  yearOf,
  type Period,
} from './period.js';
import { matchName } from './names.js';
import type { KpiQuery } from './query.js';

/** What the parser knows besides the question: today, and the names the data holds. */
export interface ParseContext {
  /** Today in the shop's time zone (YYYY-MM-DD). */
  readonly today: string;
  readonly channels: readonly string[];
  readonly products: readonly string[];
}

export type ParseResult =
  | {
      readonly ok: true;
      readonly query: KpiQuery;
      /** The question named a period (otherwise it is the default, yesterday). */
      readonly periodGiven: boolean;
    }
  | { readonly ok: false; readonly reason: 'no-metric' };

/** Metric words, most specific first: 点击率 before 点击, 客单价 before 订单, UV价值 before UV. */
const METRIC_WORDS: readonly (readonly [RegExp, MetricName])[] = [
  [/uv\s*价值|uv\s*value|uv_value|每个?访客价值|value per visitor/, 'uv_value'],
  [/加购率|add[\s_-]*to[\s_-]*cart[\s_-]*rate/, 'add_to_cart_rate'],
  [/退款率|退货率|refund[\s_-]*rate/, 'refund_rate'],
  [/点击率|ctr\b|click[\s-]*through/, 'ctr'],
  [/转化率|转化|成交率|cvr\b|conversion/, 'cvr'],
  [/客单价|客单|aov\b|average order value|avg\.? order value/, 'aov'],
  [/退款金额|退款额|退款|退了多少|refunds?\b|refund_amount/, 'refund_amount'],
  [/加购数|加购人数|加购件数|加购|加购物车|add[\s_-]*to[\s_-]*carts?\b|add_to_cart/, 'add_to_cart'],
  [/支付买家数|买家数|买家|成交人数|付款人数|buyers?\b/, 'buyers'],
  [/访客数|访客|浏览人数|进店人数|\buv\b|visitors?\b/, 'visitors'],
  [/曝光量|曝光数|曝光|展现量|展现数|展现|impressions?\b/, 'impressions'],
  [/点击量|点击数|点击次数|点击|clicks?\b/, 'clicks'],
  [/订单数|订单量|订单|单量|多少单|几单|orders?\b/, 'orders'],
  [/销量|销售件数|支付件数|件数|卖了多少件|卖了几件|卖出多少件|units?(?: sold)?\b/, 'units'],
  [/销售额|成交额|成交金额|支付金额|gmv|营业额|营收|销售收入|收入|卖了多少钱|卖了多少|销售情况|卖得怎么样|流水|revenue|sales|turnover/, 'revenue'],
];

/** Comparison phrases; removed before the period is read, so 上周 in 和上周比 is not the period. */
const COMPARE_WORDS: readonly (readonly [RegExp, NonNullable<KpiQuery['compare']>])[] = [
  [/环比|较上期|比上期|和上期比|跟上期比|vs\.? previous period|previous period|period[\s-]over[\s-]period/, 'previous'],
  [/同比|去年同期|year[\s-]over[\s-]year|yoy\b|vs\.? last year|same period last year/, 'year'],
  [/(?:和|跟|与|同|较|对比|相比)上一?周(?:比|相比|对比|比较)?|比上一?周|vs\.? last week|compared (?:to|with) last week|week[\s-]over[\s-]week|wow\b/, 'week'],
];

const BREAKDOWN_WORDS: readonly (readonly [RegExp, NonNullable<KpiQuery['breakdown']>])[] = [
  [/各个?渠道|每个渠道|分渠道|按渠道|渠道分布|渠道对比|哪个渠道|哪些渠道|哪个平台|各平台|by channel|per channel|each channel|which channel|channels/, 'channel'],
  [/各个?商品|每个商品|每款|按商品|分商品|哪个商品|哪款|哪些商品|哪个产品|各个?产品|每个产品|按产品|商品排行|by product|per product|each product|which product|products/, 'product'],
  [/每天|每日|逐日|按天|按日|分天|趋势|走势|曲线|daily|per day|by day|each day|trend/, 'date'],
];

const MAX_WORDS = /最高|最多|最好|最大|第一|top\b|best|highest|most|largest/;
const MIN_WORDS = /最低|最少|最差|最小|倒数|lowest|least|worst|smallest/;

const CN_DIGITS: Readonly<Record<string, number>> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** A small Chinese numeral (一 … 九十九) or Arabic digits as a number. */
function toNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  if (!/^[零一二两三四五六七八九十]+$/.test(s)) return undefined;
  if (!s.includes('十')) return s.length === 1 ? CN_DIGITS[s] : undefined;
  const [tens, ones] = s.split('十') as [string, string];
  const t = tens === '' ? 1 : CN_DIGITS[tens];
  const o = ones === '' ? 0 : CN_DIGITS[ones];
  return t === undefined || o === undefined ? undefined : t * 10 + o;
}

/**
 * Parses a KPI question (simplified or traditional Chinese, or plain English) into a typed query, offline.
 * Filters name the data's own channels and products, matched loosely (抖音 → 抖音直播).
 */
export function parseQuestion(question: string, ctx: ParseContext): ParseResult {
  let text = ` ${normalizeForMatch(question).replace(/\s+/g, ' ')} `;
  const take = (re: RegExp): RegExpExecArray | null => {
    const m = re.exec(text);
    if (m) text = text.slice(0, m.index) + ' ' + text.slice(m.index + m[0].length);
    return m;
  };

  const filters: { channel?: string; product?: string } = {};
  for (const kind of ['channel', 'product'] as const) {
    const found = matchName(text, kind === 'channel' ? ctx.channels : ctx.products);
    if (found) {
      filters[kind] = found.name;
      text = text.replace(found.matched, ' ');
    }
  }

  let compare: KpiQuery['compare'];
  for (const [re, c] of COMPARE_WORDS) if (!compare && take(re)) compare = c;

  let breakdown: KpiQuery['breakdown'];
  for (const [re, b] of BREAKDOWN_WORDS) {
    if (re.test(text)) {
      breakdown = b;
      break;
    }
  }
  let rank: KpiQuery['rank'];
  if (breakdown === 'channel' || breakdown === 'product') {
    if (MIN_WORDS.test(text)) rank = 'min';
    else if (MAX_WORDS.test(text) && /哪|which|top|best|highest|most|largest|排名第一|第一/.test(text)) rank = 'max';
  }

  const period = readPeriod(text, ctx.today, take);

  let metric: MetricName | undefined;
  for (const [re, m] of METRIC_WORDS) {
    if (re.test(text)) {
      metric = m;
      break;
    }
  }
  if (!metric) return { ok: false, reason: 'no-metric' };

  const p = period ?? { from: addDays(ctx.today, -1), to: addDays(ctx.today, -1) };
  const query: KpiQuery = {
    metric,
    from: p.from,
    to: p.to,
    filters,
    ...(breakdown ? { breakdown } : {}),
    ...(compare ? { compare } : {}),
    ...(rank ? { rank } : {}),
  };
  return { ok: true, query, periodGiven: period !== undefined };
}

const DATE_PART = String.raw`(?:(\d{4})\s*[年./-]\s*)?(\d{1,2})\s*(?:月|[./-])\s*(\d{1,2})\s*[日号]?`;

/** The period a question names, removing its words from the text; undefined when it names none. */
function readPeriod(text: string, today: string, take: (re: RegExp) => RegExpExecArray | null): Period | undefined {
  const year = yearOf(today);
  const day = (y: string | undefined, m: string | undefined, d: string | undefined): string | undefined =>
    m && d ? makeDay(y ? Number(y) : year, Number(m), Number(d)) : undefined;

  // A range: 11月1日到11月7日, 2026-11-01至2026-11-07, 11月1日到7日.
  let m = take(new RegExp(`${DATE_PART}\\s*(?:到|至|~|～|-|—|–|to|until)\\s*(?:${DATE_PART}|(\\d{1,2})\\s*[日号])`));
  if (m) {
    const from = day(m[1], m[2], m[3]);
    const to = m[6] ? day(m[4] ?? m[1], m[5], m[6]) : day(m[1], m[2], m[7]);
    if (from && to) return from <= to ? { from, to } : { from: to, to: from };
  }
  m = take(/(\d{4})(\d{2})(\d{2})/);
  if (m) {
    const d = day(m[1], m[2], m[3]);
    if (d) return { from: d, to: d };
  }
  m = take(new RegExp(DATE_PART));
  if (m) {
    const d = day(m[1], m[2], m[3]);
    if (d) return { from: d, to: d };
  }
  m = take(/(?:近|最近|过去|last|past)\s*([零一二两三四五六七八九十\d]+)\s*(?:天|日|days?)/);
  if (m) {
    const n = toNumber(m[1]!);
    if (n && n > 0 && n <= 3660) return { from: addDays(today, -n), to: addDays(today, -1) };
  }
  if (take(/(?:近|最近|过去)\s*一?\s*(?:周|星期|礼拜)|past week/)) {
    return { from: addDays(today, -7), to: addDays(today, -1) };
  }
  if (take(/(?:近|最近|过去)\s*一?\s*个?月|(?:last|past) 30 days/)) return { from: addDays(today, -30), to: addDays(today, -1) };
  if (take(/本周到目前为止|本周至今|这周到目前为止|本周|这周|这一周|这星期|这个星期|本星期|this week|week to date|wtd\b/)) {
    return { from: weekStart(today), to: today };
  }
  if (take(/上一?周|上个?星期|上个?礼拜|last week/)) {
    const monday = addDays(weekStart(today), -7);
    return { from: monday, to: addDays(monday, 6) };
  }
  if (take(/本月|这个月|当月|月初至今|this month|month to date|mtd\b/)) return { from: `${today.slice(0, 8)}01`, to: today };
  if (take(/上个?月|last month/)) return monthPeriod(year, Number(today.slice(5, 7)) - 1);
  if (take(/今年|本年|年初至今|this year|year to date|ytd\b/)) return { from: `${year}-01-01`, to: today };
  if (take(/去年|last year/)) return { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` };
  if (take(/双\s*(?:11|十一)|double 11|singles'? day/)) return single(makeDay(year, 11, 11)!);
  if (take(/双\s*(?:12|十二)|double 12/)) return single(makeDay(year, 12, 12)!);
  if (take(/(?<!\d)618(?!\d)/)) return single(makeDay(year, 6, 18)!);
  m = take(/(?<![\d.])(\d{1,2}|[一二三四五六七八九十]{1,2})\s*月份?(?!\s*\d)/);
  if (m) {
    const month = toNumber(m[1]!);
    if (month && month >= 1 && month <= 12) return monthPeriod(year, month);
  }
  if (take(/今天|今日|today/)) return single(today);
  if (take(/前天|day before yesterday/)) return single(addDays(today, -2));
  if (take(/昨天|昨日|yesterday/)) return single(addDays(today, -1));
  return undefined;
}

function single(day: string): Period {
  return { from: day, to: day };
}

/** Words of a how-to question: those go to the playbook, not to the numbers. */
const HOW_TO = /怎么|怎样|如何|为什么|为啥|方法|技巧|秘诀|攻略|提高|提升|优化|改善|how to|how do|how can|why\b|improve|tips?\b/;

/**
 * True when a staff member's plain message is a question for the numbers rather than for the playbook:
 * a metric, and no how-to words unless a period is named too ("为什么昨天转化率低" asks for the number).
 */
export function isKpiQuestion(question: string, ctx: ParseContext): boolean {
  const parsed = parseQuestion(question, ctx);
  if (!parsed.ok) return false;
  const howTo = HOW_TO.test(normalizeForMatch(question));
  return !howTo || parsed.periodGiven || parsed.query.compare !== undefined || parsed.query.breakdown !== undefined;
}
