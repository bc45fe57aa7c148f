import { normalizeForMatch } from '../../knowledge/normalize.js';
import type { MetricName } from './definitions.js';
import { addDays, makeDay, monthPeriod, weekStart, yearOf, type Period } from './period.js';
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
  [/环比|较上期|比上期|和上期比|跟上期比|(?:和|跟|与|同|较|对比|相比|vs\.?)\s*(?:上上周|上个?月|前一天|前天)(?:比|相比|对比|比较)?|比(?:上上周|上个?月|前一天|前天)|vs\.? previous period|previous period|period[\s-]over[\s-]period/, 'previous'],
  [/同比|去年同期|year[\s-]over[\s-]year|yoy\b|vs\.? last year|same period last year/, 'year'],
  [/(?:和|跟|与|同|较|对比|相比|vs\.?)\s*上一?周(?:比|相比|对比|比较)?|比上一?周|vs\.? last week|compared (?:to|with) last week|week[\s-]over[\s-]week|wow\b/, 'week'],
];

const BREAKDOWN_WORDS: readonly (readonly [RegExp, NonNullable<KpiQuery['breakdown']>])[] = [
  [/各个?渠道|每个渠道|分渠道|按渠道|渠道分布|渠道对比|哪个渠道|哪些渠道|哪个平台|各平台|(?:渠道|平台)[^，,。?？]{0,8}哪(?:个|家)|by channel|per channel|each channel|which channel|channels/, 'channel'],
  [/各个?商品|每个商品|每款|按商品|分商品|哪个商品|哪款|(?:商品|产品|单品|款)[^，,。?？]{0,8}哪(?:个|款|一款)|哪些商品|哪个产品|各个?产品|每个产品|按产品|商品排行|by product|per product|each product|which product|products/, 'product'],
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
    else if (/哪/.test(text) && !/哪些/.test(text)) rank = 'max';
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

/** A year before a month, a date or a named day: 2025年, 25年, 去年, 前年, 今年. */
const YEAR = String.raw`(?:(\d{4}|\d{2})\s*年\s*|(去年|前年|今年)\s*)?`;
/** A date written with 月 and 日/号, or in full with its year (2026-11-20, 2026/11/20, 2026.11.20). */
const CN_DATE = String.raw`${YEAR}(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?`;
const ISO_DATE = String.raw`(\d{4})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{1,2})`;
/** A short numeric date (11.20, 11/20, 11-20): read last, and never a number like 1.5万 or 5.2折. */
const SHORT_DATE = String.raw`(?<![\d.])(\d{1,2})\s*[./-]\s*(\d{1,2})(?![\d.]|\s*(?:万|千|折|%|w|k|元|块|倍))`;
const RANGE_SEP = String.raw`\s*(?:到|至|~|～|-|—|–|to|until|through)\s*`;
const MONTHS_EN = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS: Readonly<Record<string, number>> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };

/** The period a question names, removing its words from the text; undefined when it names none. */
function readPeriod(text: string, today: string, take: (re: RegExp) => RegExpExecArray | null): Period | undefined {
  const year = yearOf(today);
  const yesterday = addDays(today, -1);
  /** The year a question means: written, relative, or (when not written) the last one in which the day is not in the future. */
  const yearFor = (written: string | undefined, relative: string | undefined, m: number, d = 1): number => {
    if (written) return written.length === 2 ? 2000 + Number(written) : Number(written);
    if (relative) return relative === '去年' ? year - 1 : relative === '前年' ? year - 2 : year;
    const candidate = makeDay(year, m, d);
    return candidate && candidate > today ? year - 1 : year;
  };
  const cnDay = (y: string | undefined, rel: string | undefined, m: string, d: string) => makeDay(yearFor(y, rel, Number(m), Number(d)), Number(m), Number(d));
  const relativeEnd = (word: string | undefined): string | undefined =>
    word === undefined ? undefined : /昨/.test(word) ? yesterday : today;

  // Ranges: 11月1日到11月7日, 11月1日到7日, 11月20日到今天, 2026-11-01至2026-11-07, 1月到3月.
  let m = take(new RegExp(`(?:从\\s*)?(?:${CN_DATE}|${ISO_DATE})${RANGE_SEP}(?:${CN_DATE}|${ISO_DATE}|(\\d{1,2})\\s*[日号]|(今天|今日|现在|目前|昨天|昨日))`));
  if (m) {
    const from = m[4] ? cnDay(m[1], m[2], m[3]!, m[4]) : makeDay(Number(m[5]), Number(m[6]), Number(m[7]));
    const fromMonth = m[3] ?? m[6];
    const to = m[11]
      ? cnDay(m[8] ?? m[1], m[9] ?? m[2], m[10]!, m[11])
      : m[12]
        ? makeDay(Number(m[12]), Number(m[13]), Number(m[14]))
        : m[15]
          ? from && makeDay(yearOf(from), Number(fromMonth), Number(m[15]))
          : relativeEnd(m[16]);
    if (from && to) return from <= to ? { from, to } : { from: to, to: from };
  }
  m = take(new RegExp(`${YEAR}(\\d{1,2})\\s*月份?${RANGE_SEP}(\\d{1,2})\\s*月份?(?!\\s*\\d)`));
  if (m) {
    const a = Number(m[3]);
    const b = Number(m[4]);
    if (a >= 1 && a <= 12 && b >= a && b <= 12) {
      const y = yearFor(m[1], m[2], a);
      return { from: monthPeriod(y, a).from, to: monthPeriod(y, b).to };
    }
  }
  m = take(/(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)/);
  if (m) {
    const d = makeDay(Number(m[1]), Number(m[2]), Number(m[3]));
    if (d) return single(d);
  }
  m = take(new RegExp(ISO_DATE));
  if (m) {
    const d = makeDay(Number(m[1]), Number(m[2]), Number(m[3]));
    if (d) return single(d);
  }
  m = take(new RegExp(CN_DATE));
  if (m) {
    const d = cnDay(m[1], m[2], m[3]!, m[4]!);
    if (d) return single(d);
  }
  // English: Nov 20, November 20, 20 Nov, in October.
  m = take(new RegExp(`\\b(${MONTHS_EN.join('|')})[a-z]*\\.?\\s*(\\d{1,2})?(?:st|nd|rd|th)?\\b`));
  if (m) {
    const month = MONTHS_EN.indexOf(m[1]!) + 1;
    if (m[2]) {
      const d = makeDay(yearFor(undefined, undefined, month, Number(m[2])), month, Number(m[2]));
      if (d) return single(d);
    } else return monthPeriod(yearFor(undefined, undefined, month), month);
  }
  m = take(/(?:近|最近|过去|last|past)\s*([零一二两三四五六七八九十\d]+)\s*(?:天|日|days?)/);
  if (m) {
    const n = toNumber(m[1]!);
    if (n && n > 0 && n <= 3660) return { from: addDays(today, -n), to: yesterday };
  }
  m = take(/(?:近|最近|过去)\s*([一二两三四五六七八九十\d]*)\s*个?(?:周|星期|礼拜)|(?:last|past)\s*(\d+)\s*weeks?|past week/);
  if (m) {
    const count = m[1] || m[2];
    const n = count ? toNumber(count) : 1;
    if (n && n > 0 && n <= 520) return { from: addDays(today, -7 * n), to: yesterday };
  }
  if (take(/(?:近|最近|过去)\s*一?\s*个?月|(?:last|past) 30 days/)) return { from: addDays(today, -30), to: yesterday };
  // A weekday: 上周三, 本周一, 这周五.
  m = take(/(上上|上|本|这)\s*(?:周|星期|礼拜)\s*([一二三四五六日天])/);
  if (m) {
    const weeksBack = m[1] === '上上' ? 2 : m[1] === '上' ? 1 : 0;
    return single(addDays(weekStart(today), -7 * weeksBack + WEEKDAYS[m[2]!]! - 1));
  }
  if (take(/本周到目前为止|本周至今|这周到目前为止|本周|这周|这一周|这星期|这个星期|本星期|this week|week to date|wtd\b/)) {
    return { from: weekStart(today), to: today };
  }
  if (take(/上上周|上上个?星期|上上个?礼拜|the week before last/)) {
    const monday = addDays(weekStart(today), -14);
    return { from: monday, to: addDays(monday, 6) };
  }
  if (take(/上一?周|上个?星期|上个?礼拜|last week/)) {
    const monday = addDays(weekStart(today), -7);
    return { from: monday, to: addDays(monday, 6) };
  }
  if (take(/本月|这个月|当月|月初至今|本月至今|this month|month to date|mtd\b/)) return { from: `${today.slice(0, 8)}01`, to: today };
  if (take(/上上个?月/)) return monthPeriod(year, Number(today.slice(5, 7)) - 2);
  if (take(/上个?月|last month/)) return monthPeriod(year, Number(today.slice(5, 7)) - 1);
  // Named days, of this year unless a year is written: 双11, 去年双11, 2025年618.
  m = take(new RegExp(`${YEAR}(?:双\\s*(?:11|十一)|double 11|singles'? day)`));
  if (m) return single(makeDay(namedYear(m[1], m[2], year), 11, 11)!);
  m = take(new RegExp(`${YEAR}(?:双\\s*(?:12|十二)|double 12)`));
  if (m) return single(makeDay(namedYear(m[1], m[2], year), 12, 12)!);
  m = take(new RegExp(`${YEAR}(?<!\\d)618(?!\\d)`));
  if (m) return single(makeDay(namedYear(m[1], m[2], year), 6, 18)!);
  m = take(new RegExp(`${YEAR}(?<![\\d.])(\\d{1,2}|[一二三四五六七八九十]{1,2})\\s*月份?(?!\\s*\\d)`));
  if (m) {
    const month = toNumber(m[3]!);
    if (month && month >= 1 && month <= 12) return monthPeriod(yearFor(m[1], m[2], month), month);
  }
  if (take(/今年|本年|年初至今|this year|year to date|ytd\b/)) return { from: `${year}-01-01`, to: today };
  if (take(/去年|last year/)) return { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` };
  if (take(/今天|今日|today/)) return single(today);
  if (take(/前天|day before yesterday/)) return single(addDays(today, -2));
  if (take(/昨天|昨日|yesterday/)) return single(yesterday);
  m = take(new RegExp(SHORT_DATE));
  if (m) {
    const d = cnDay(undefined, undefined, m[1]!, m[2]!);
    if (d) return single(d);
  }
  return undefined;
}

/** The year of a named day: written, relative, or this year (双11 is this year's, even before it comes). */
function namedYear(written: string | undefined, relative: string | undefined, year: number): number {
  if (written) return written.length === 2 ? 2000 + Number(written) : Number(written);
  if (relative === '去年') return year - 1;
  if (relative === '前年') return year - 2;
  return year;
}

function single(day: string): Period {
  return { from: day, to: day };
}

/** Words of a how-to question: those go to the playbook, not to the numbers. */
const HOW_TO = /怎么|怎样|如何|为什么|为啥|方法|技巧|秘诀|攻略|提高|提升|优化|改善|什么|啥意思|意思|原因|多久|一般|正常|标准|定义|含义|区别|影响|算法|公式|吗\s*[?？]?\s*$|how to|how do|how can|why\b|what is|what's|meaning|improve|tips?\b/;

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
