/**
 * The metrics operators ask about: nine base measures stored per day × channel × product, and six
 * ratios computed from their sums over a period (sums first, then division: never an average of daily
 * ratios). Definitions for people are in docs/metrics-glossary.md.
 */

/** Measures stored per row. Money is kept in fen (integers), so sums are exact. */
export const BASE_FIELDS = [
  'impressions',
  'clicks',
  'visitors',
  'add_to_cart',
  'orders',
  'buyers',
  'units',
  'revenue',
  'refund_amount',
] as const;
export type BaseField = (typeof BASE_FIELDS)[number];

export const MONEY_FIELDS: ReadonlySet<BaseField> = new Set(['revenue', 'refund_amount']);

export const METRIC_NAMES = [
  'impressions',
  'clicks',
  'ctr',
  'visitors',
  'add_to_cart',
  'add_to_cart_rate',
  'orders',
  'buyers',
  'cvr',
  'units',
  'revenue',
  'aov',
  'refund_amount',
  'refund_rate',
  'uv_value',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export type Unit = 'ratio' | 'yuan' | 'count';

export type MetricDefinition =
  | { readonly kind: 'sum'; readonly field: BaseField; readonly unit: Unit }
  | { readonly kind: 'ratio'; readonly numerator: BaseField; readonly denominator: BaseField; readonly unit: Unit };

export const METRICS: Readonly<Record<MetricName, MetricDefinition>> = {
  impressions: { kind: 'sum', field: 'impressions', unit: 'count' },
  clicks: { kind: 'sum', field: 'clicks', unit: 'count' },
  ctr: { kind: 'ratio', numerator: 'clicks', denominator: 'impressions', unit: 'ratio' },
  visitors: { kind: 'sum', field: 'visitors', unit: 'count' },
  add_to_cart: { kind: 'sum', field: 'add_to_cart', unit: 'count' },
  add_to_cart_rate: { kind: 'ratio', numerator: 'add_to_cart', denominator: 'visitors', unit: 'ratio' },
  orders: { kind: 'sum', field: 'orders', unit: 'count' },
  buyers: { kind: 'sum', field: 'buyers', unit: 'count' },
  cvr: { kind: 'ratio', numerator: 'buyers', denominator: 'visitors', unit: 'ratio' },
  units: { kind: 'sum', field: 'units', unit: 'count' },
  revenue: { kind: 'sum', field: 'revenue', unit: 'yuan' },
  aov: { kind: 'ratio', numerator: 'revenue', denominator: 'buyers', unit: 'yuan' },
  refund_amount: { kind: 'sum', field: 'refund_amount', unit: 'yuan' },
  refund_rate: { kind: 'ratio', numerator: 'refund_amount', denominator: 'revenue', unit: 'ratio' },
  uv_value: { kind: 'ratio', numerator: 'revenue', denominator: 'visitors', unit: 'yuan' },
};

/** Sums of the base fields over some rows; `null` where no row had a value. Money in fen. */
export type Sums = Readonly<Record<BaseField, number | null>>;

/**
 * A metric's value from sums: a sum (money in yuan), or a ratio of two sums. `null` when there is no
 * data, or a ratio's denominator is zero (a rate of nothing is unknown, not 0).
 */
export function valueOf(metric: MetricName, sums: Sums): number | null {
  const def = METRICS[metric];
  if (def.kind === 'sum') {
    const v = sums[def.field];
    if (v === null) return null;
    return MONEY_FIELDS.has(def.field) ? v / 100 : v;
  }
  const num = sums[def.numerator];
  const den = sums[def.denominator];
  if (num === null || den === null || den === 0) return null;
  const scale = (MONEY_FIELDS.has(def.numerator) ? 0.01 : 1) / (MONEY_FIELDS.has(def.denominator) ? 0.01 : 1);
  return (num / den) * scale;
}

/** True for the ratios (rates and per-person values), whose drop earns a line of advice. */
export function isRatio(metric: MetricName): boolean {
  return METRICS[metric].kind === 'ratio';
}
