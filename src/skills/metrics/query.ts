import { z } from 'zod';
import { METRIC_NAMES } from './definitions.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

/**
 * A KPI question as a typed query: what the offline parser and the model both produce, and the one
 * thing the executor runs. The model never writes SQL; it fills this in.
 */
export const KpiQuerySchema = z.object({
  metric: z.enum(METRIC_NAMES),
  /** The period, inclusive, in the shop's time zone. */
  from: day,
  to: day,
  filters: z
    .object({
      /** A channel or product as the question named it; the executor matches it to the data's names. */
      channel: z.string().min(1).optional(),
      product: z.string().min(1).optional(),
    })
    .default({}),
  /** Split the value by channel, by product, or by date (每天 / 趋势). */
  breakdown: z.enum(['channel', 'product', 'date']).optional(),
  /**
   * previous: the period of equal length just before (环比); year: the same dates a year earlier (同比);
   * week: the same period seven days earlier (和上周比).
   */
  compare: z.enum(['previous', 'year', 'week']).optional(),
  /** With a breakdown: only the highest or the lowest entry (哪个商品…最高 / 最低). */
  rank: z.enum(['max', 'min']).optional(),
});

export type KpiQuery = z.infer<typeof KpiQuerySchema>;
