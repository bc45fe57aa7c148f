import { BASE_FIELDS, type BaseField } from './definitions.js';

/** What a column of an export can hold: the key columns, or one of the base measures. */
export type ColumnField = 'date' | 'channel' | 'product' | BaseField;

export const COLUMN_FIELDS: readonly ColumnField[] = ['date', 'channel', 'product', ...BASE_FIELDS];

/**
 * The headers Chinese back offices (淘宝生意参谋, 抖店, 拼多多, 有赞 …) write for each field. The English
 * field name always works too, in any case and with spaces for underscores.
 */
export const HEADER_ALIASES: Readonly<Record<ColumnField, readonly string[]>> = {
  date: ['日期', '统计日期', '时间'],
  channel: ['渠道', '来源', '平台'],
  product: ['商品', '商品名称', '商品名', '产品'],
  impressions: ['曝光量', '展现量', '曝光数', '展现数', '曝光'],
  clicks: ['点击量', '点击数', '点击次数'],
  visitors: ['访客数', '访客', 'UV'],
  add_to_cart: ['加购数', '加购人数', '加购件数'],
  orders: ['订单数', '支付订单数', '下单数'],
  buyers: ['支付买家数', '买家数', '成交人数'],
  units: ['销量', '支付件数', '销售件数'],
  revenue: ['销售额', '支付金额', '成交金额', 'GMV'],
  refund_amount: ['退款金额', '退款额'],
};

// A unit or note in brackets at the end of a header: 销售额(元), 支付金额（元） (NFKC makes those the same), 曝光[次].
const TRAILING_UNIT = /\s*(?:\([^()]*\)|\[[^[\]]*\]|【[^【】]*】)$/;

/**
 * A header as looked up: BOM and surrounding spaces gone, full-width forms made half-width (NFKC), a
 * trailing unit in brackets removed, lower case, runs of spaces and underscores as one `_`.
 */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .normalize('NFKC')
    .trim()
    .replace(TRAILING_UNIT, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '_');
}

const LOOKUP: ReadonlyMap<string, ColumnField> = new Map(
  COLUMN_FIELDS.flatMap((field) => [field, ...HEADER_ALIASES[field]].map((name) => [normalizeHeader(name), field] as const)),
);

/** The field a header stands for, or undefined for a column opsbot does not use (点击率, 客单价 …). */
export function fieldOfHeader(header: string): ColumnField | undefined {
  return LOOKUP.get(normalizeHeader(header));
}

export type HeaderMapping =
  | {
      readonly ok: true;
      /** The column index of each field the file has. */
      readonly index: Readonly<Partial<Record<ColumnField, number>>>;
      /** Field → the header as written (trimmed, without a BOM). */
      readonly columns: Readonly<Partial<Record<ColumnField, string>>>;
      /** Headers of columns that are not used, as written; empty headers are left out. */
      readonly ignored: readonly string[];
    }
  /** Two columns stand for the same field (日期 and 时间, 销售额 and 支付金额): which one is meant is unclear. */
  | { readonly ok: false; readonly field: ColumnField; readonly first: string; readonly second: string };

/** Maps a header row to fields. */
export function mapHeaders(headers: readonly string[]): HeaderMapping {
  const index: Partial<Record<ColumnField, number>> = {};
  const columns: Partial<Record<ColumnField, string>> = {};
  const ignored: string[] = [];
  for (const [i, raw] of headers.entries()) {
    const written = raw.replace(/^\uFEFF/, '').trim();
    const field = fieldOfHeader(written);
    if (field === undefined) {
      if (written !== '') ignored.push(written);
      continue;
    }
    const seen = columns[field];
    if (seen !== undefined) return { ok: false, field, first: seen, second: written };
    index[field] = i;
    columns[field] = written;
  }
  return { ok: true, index, columns, ignored };
}

/** Every field with the names it is recognised by (the English name first), for messages listing them. */
export function understoodHeaders(): { field: ColumnField; names: string[] }[] {
  return COLUMN_FIELDS.map((field) => ({ field, names: [field, ...HEADER_ALIASES[field]] }));
}
