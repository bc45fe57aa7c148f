import type { Prompts } from '../../kernel/prompts.js';
import type { Unit } from './definitions.js';
import type { BreakdownEntry, KpiResult } from './execute.js';
import { addDays, monthPeriod, weekStart, yearOf, type Period } from './period.js';

/** Most lines of a breakdown a chat message lists; the chart shows them all. */
export const MAX_TEXT_LINES = 31;

const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** A value as a person reads it: 3.45%, ¥1,234.56, 12,345. */
export function formatValue(value: number, unit: Unit): string {
  if (unit === 'ratio') return `${(value * 100).toFixed(2)}%`;
  if (unit === 'yuan') return `${value < 0 ? '-' : ''}¥${money.format(Math.abs(value))}`;
  return count.format(value);
}

/** A relative change with its sign: +12.50%, -3.20%. */
export function formatChange(change: number): string {
  const pct = (change * 100).toFixed(2);
  return change > 0 ? `+${pct}%` : `${pct}%`;
}

/** A day as 11月24日 (with the year when it is not the current one). */
export function formatDay(day: string, currentYear: number, prompts: Prompts): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return prompts.render(y === currentYear ? 'metrics/day' : 'metrics/day-with-year', { y, m, d });
}

/** A period as 11月24日, or 11月16日至11月22日. */
export function formatPeriod(p: Period, currentYear: number, prompts: Prompts): string {
  const from = formatDay(p.from, currentYear, prompts);
  return p.from === p.to ? from : prompts.render('metrics/period-range', { from, to: formatDay(p.to, currentYear, prompts) });
}

/** The periods that have a name, relative to today: 昨天, 上周, 本月… */
function namedPeriods(today: string): [string, Period][] {
  const y = yearOf(today);
  const m = Number(today.slice(5, 7));
  const lastMonday = addDays(weekStart(today), -7);
  return [
    ['today', { from: today, to: today }],
    ['yesterday', { from: addDays(today, -1), to: addDays(today, -1) }],
    ['day-before', { from: addDays(today, -2), to: addDays(today, -2) }],
    ['this-week', { from: weekStart(today), to: today }],
    ['last-week', { from: lastMonday, to: addDays(lastMonday, 6) }],
    ['this-month', { from: `${today.slice(0, 8)}01`, to: today }],
    ['last-month', monthPeriod(y, m - 1)],
    ['this-year', { from: `${y}-01-01`, to: today }],
  ];
}

/** A period as a person says it: 昨天（11月24日）, 上周（11月16日至11月22日）, or just the dates. */
export function describePeriod(p: Period, today: string, prompts: Prompts): string {
  const dates = formatPeriod(p, yearOf(today), prompts);
  const named = namedPeriods(today).find(([, n]) => n.from === p.from && n.to === p.to);
  return named ? prompts.render('metrics/period-named', { name: prompts.render(`metrics/when/${named[0]}`), dates }) : dates;
}

export interface FormatOptions {
  readonly today: string;
  /** Whether the answer goes to a chat (long breakdowns are cut, the chart has them all). */
  readonly chat?: boolean;
  /** What the data covers overall, for the "no data" reply. */
  readonly coverage?: { readonly first: string; readonly last: string };
  /** One line of playbook advice, already worded. */
  readonly advice?: string;
}

/** The reply a person reads for a query's result (the contract's `text`). */
export function formatResult(r: KpiResult, prompts: Prompts, options: FormatOptions): string {
  const year = yearOf(options.today);
  const q = r.query;
  const metric = prompts.render(`metrics/name/${q.metric}`);
  const period = describePeriod(q, options.today, prompts);
  const scope = formatScope(q.filters, prompts);
  const show = (v: number | null) => (v === null ? prompts.render('metrics/no-value') : formatValue(v, r.unit));

  if (r.rows === 0) {
    const coverage = options.coverage
      ? prompts.render('metrics/coverage', { from: options.coverage.first, to: options.coverage.last })
      : prompts.render('metrics/nothing-imported');
    return prompts.render('metrics/answer-no-data', { period, scope, metric, coverage });
  }

  const lines: string[] = [];
  if (q.breakdown && q.rank && q.breakdown !== 'date') {
    const top = r.breakdown?.[0];
    lines.push(
      top
        ? prompts.render(`metrics/answer-rank-${q.rank}`, {
            period,
            scope,
            metric,
            dimension: prompts.render(`metrics/dimension-${q.breakdown}`),
            key: displayKey(top.key, prompts),
            value: show(top.value),
          })
        : prompts.render('metrics/answer-rank-none', { period, scope, metric }),
    );
  } else {
    lines.push(prompts.render('metrics/answer-value', { period, scope, metric, value: show(r.value) }));
  }
  if (r.compare) {
    const c = r.compare;
    lines.push(
      prompts.render('metrics/answer-compare', {
        label: prompts.render(`metrics/compare-${q.compare}`),
        period: formatPeriod(c, year, prompts),
        value: show(c.value),
        change: c.change === null ? prompts.render('metrics/no-change') : formatChange(c.change),
      }),
    );
  }
  if (q.breakdown && !q.rank && r.breakdown) {
    lines.push(prompts.render(`metrics/breakdown-title-${q.breakdown}`, { metric }));
    lines.push(...breakdownLines(r.breakdown, r.compareBreakdown, r.unit, prompts, options, year, q.breakdown === 'date'));
  }
  if (r.covered) lines.push(prompts.render('metrics/answer-partial', { period: formatPeriod(r.covered, year, prompts) }));
  if (options.advice) lines.push(options.advice);
  return lines.join('\n');
}

function breakdownLines(
  entries: readonly BreakdownEntry[],
  before: readonly BreakdownEntry[] | undefined,
  unit: Unit,
  prompts: Prompts,
  options: FormatOptions,
  year: number,
  byDate: boolean,
): string[] {
  const shown = options.chat && entries.length > MAX_TEXT_LINES ? entries.slice(0, MAX_TEXT_LINES) : entries;
  const lines = shown.map((e, i) => {
    const value = e.value === null ? prompts.render('metrics/no-value') : formatValue(e.value, unit);
    const key = byDate ? formatDay(e.key, year, prompts) : displayKey(e.key, prompts);
    const prior = before?.[i];
    const change = prior && e.value !== null && prior.value !== null && prior.value !== 0 ? formatChange((e.value - prior.value) / prior.value) : undefined;
    const line = byDate ? 'metrics/breakdown-day' : 'metrics/breakdown-line';
    return prompts.render(change ? `${line}-change` : line, { n: i + 1, key, value, change: change ?? '' });
  });
  if (shown.length < entries.length) lines.push(prompts.render('metrics/breakdown-more', { more: entries.length - shown.length }));
  return lines;
}

/** The channel and product a query is filtered on, as 「抖音直播 · 保温杯」; empty without filters. */
export function formatScope(filters: { readonly channel?: string; readonly product?: string }, prompts: Prompts): string {
  const names = [filters.channel, filters.product].filter((s): s is string => s !== undefined).map(shortName);
  return names.length ? prompts.render('metrics/scope', { names: names.join(' · ') }) : '';
}

/** Characters of a name shown in an answer or a chart: a name stored long (before imports were bounded) stays readable. */
const MAX_SHOWN_NAME = 40;

function shortName(name: string): string {
  if (name.length <= MAX_SHOWN_NAME) return name;
  const chars = Array.from(name.slice(0, MAX_SHOWN_NAME * 2));
  return chars.length <= MAX_SHOWN_NAME ? name : `${chars.slice(0, MAX_SHOWN_NAME).join('')}…`;
}

/** A channel or product as shown: the data's name, or a word for rows the export left unnamed. */
export function displayKey(key: string, prompts: Prompts): string {
  return key === '' ? prompts.render('metrics/unnamed') : shortName(key);
}
