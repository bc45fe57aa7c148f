import type { Filters, MetricsDb } from './db.js';
import { METRICS, valueOf, type Unit } from './definitions.js';
import { matchName } from './names.js';
import { daysOf, periodWeekEarlier, periodYearEarlier, previousComparable, type Period } from './period.js';
import type { KpiQuery } from './query.js';

export interface BreakdownEntry {
  readonly key: string;
  readonly value: number | null;
}

/** What a query found: the figures before any wording. */
export interface KpiResult {
  /** The query as run: filters hold the data's own names. */
  readonly query: KpiQuery;
  readonly unit: Unit;
  readonly value: number | null;
  /** Rows the value came from (0: no data for the period). */
  readonly rows: number;
  readonly compare?: { readonly from: string; readonly to: string; readonly value: number | null; readonly change: number | null };
  /** Channels and products by value, highest first; dates in order with every day of the period. */
  readonly breakdown?: readonly BreakdownEntry[];
  /** The same breakdown over the comparison period, keyed alike (for a chart of both). */
  readonly compareBreakdown?: readonly BreakdownEntry[];
  /** The previous period's value for a ratio (as 环比 compares), to notice a drop even when no comparison was asked. */
  readonly previous?: { readonly from: string; readonly to: string; readonly value: number | null };
  /** The days of the period that have data, when that is fewer than the whole period. */
  readonly covered?: { readonly from: string; readonly to: string };
}

/** The comparison period a query asks for. */
export function comparisonPeriod(q: KpiQuery): Period | undefined {
  if (q.compare === 'previous') return previousComparable(q);
  if (q.compare === 'year') return periodYearEarlier(q);
  if (q.compare === 'week') return periodWeekEarlier(q);
  return undefined;
}

/** Relative change from `before` to `now`; null when either is unknown or `before` is 0. */
export function changeOf(now: number | null, before: number | null): number | null {
  if (now === null || before === null || before === 0) return null;
  return (now - before) / before;
}

/**
 * Runs a typed query. Every figure is computed from sums over the period (sums first, then division),
 * so a period's conversion rate is its buyers over its visitors, never an average of daily rates.
 */
export function executeQuery(db: MetricsDb, query: KpiQuery): KpiResult {
  const filters = resolveFilters(db, query.filters);
  const q: KpiQuery = { ...query, filters };
  const { metric } = q;
  const unit = METRICS[metric].unit;
  const total = db.sums({ from: q.from, to: q.to, filters });
  const value = total.rows > 0 ? valueOf(metric, total.sums) : null;

  const cmpPeriod = comparisonPeriod(q);
  let compare: KpiResult['compare'];
  if (cmpPeriod) {
    const before = db.sums({ ...cmpPeriod, filters });
    const v = before.rows > 0 ? valueOf(metric, before.sums) : null;
    compare = { ...cmpPeriod, value: v, change: changeOf(value, v) };
  }

  let previous: KpiResult['previous'];
  if (METRICS[metric].kind === 'ratio' && !q.breakdown) {
    const p = previousComparable(q);
    if (q.compare === 'previous' && compare) previous = { ...p, value: compare.value };
    else {
      const before = db.sums({ ...p, filters });
      previous = { ...p, value: before.rows > 0 ? valueOf(metric, before.sums) : null };
    }
  }

  let breakdown: BreakdownEntry[] | undefined;
  let compareBreakdown: BreakdownEntry[] | undefined;
  if (q.breakdown) {
    const groups = db.groupSums({ from: q.from, to: q.to, filters }, q.breakdown);
    if (q.breakdown === 'date') {
      const byDay = new Map(groups.map((g) => [g.key, valueOf(metric, g.sums)]));
      breakdown = daysOf(q).map((d) => ({ key: d, value: byDay.get(d) ?? null }));
    } else {
      breakdown = groups.map((g) => ({ key: g.key, value: valueOf(metric, g.sums) })).sort(byValueDesc);
      if (q.rank) {
        const known = breakdown.filter((e) => e.value !== null);
        const pick = q.rank === 'max' ? known[0] : known[known.length - 1];
        breakdown = pick ? [pick] : [];
      }
      if (cmpPeriod) {
        const before = new Map(db.groupSums({ ...cmpPeriod, filters }, q.breakdown).map((g) => [g.key, valueOf(metric, g.sums)]));
        compareBreakdown = breakdown.map((e) => ({ key: e.key, value: before.get(e.key) ?? null }));
      }
    }
  }

  let covered: KpiResult['covered'];
  const span = total.rows > 0 ? db.span({ from: q.from, to: q.to, filters }) : undefined;
  if (span && (span.first > q.from || span.last < q.to)) covered = { from: span.first, to: span.last };

  return {
    query: q,
    unit,
    value,
    rows: total.rows,
    ...(compare ? { compare } : {}),
    ...(breakdown ? { breakdown } : {}),
    ...(compareBreakdown ? { compareBreakdown } : {}),
    ...(previous ? { previous } : {}),
    ...(covered ? { covered } : {}),
  };
}

function byValueDesc(a: BreakdownEntry, b: BreakdownEntry): number {
  if (a.value === null) return b.value === null ? a.key.localeCompare(b.key) : 1;
  if (b.value === null) return -1;
  return b.value - a.value || a.key.localeCompare(b.key);
}

/** Filters as the data names them: a model's "抖音" becomes 抖音直播; an unknown name stays as given (and finds nothing). */
function resolveFilters(db: MetricsDb, filters: Filters): Filters {
  const out: { channel?: string; product?: string } = {};
  for (const kind of ['channel', 'product'] as const) {
    const given = filters[kind];
    if (given === undefined) continue;
    const names = db.names(kind);
    out[kind] = names.includes(given) ? given : (matchName(given, names)?.name ?? given);
  }
  return out;
}
