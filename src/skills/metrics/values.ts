/**
 * The cell parsers of the importer: dates, counts and money as back-office exports write them, and the
 * totals rows (合计, 总计) that repeat the rows above them.
 */

/** Dates outside these years are placeholders (0001-01-01, 9999-12-31), never a shop's day. */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2099;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_FORMS = [
  /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/,
  /^(\d{4})()(\d{2})(\d{2})(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/,
  /^(\d{4})(年)(\d{1,2})月(\d{1,2})日(?:\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/,
];

/**
 * A date as YYYY-MM-DD from 2026-11-25, 2026/11/25, 20261125, 2026-11-5 or 2026年11月25日, a time after
 * it ignored; undefined when it is none of these or not a real calendar date (2026-02-30).
 */
export function parseDate(raw: string): string | undefined {
  const iso = ISO_DATE.exec(raw);
  if (iso) return realDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const s = raw.normalize('NFKC').trim();
  for (const form of DATE_FORMS) {
    const m = form.exec(s);
    if (m) return realDate(Number(m[1]), Number(m[3]), Number(m[4]));
  }
  return undefined;
}

function realDate(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12 || day < 1) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (day > days) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A totals row's first cell: counting the row would double everything. */
export const TOTALS = /^(?:合计|总计|汇总|合計|總計|匯總|total|sum|grand total)\b|^(?:合计|总计|汇总|合計|總計|匯總)/i;

const PLAIN_INTEGER = /^\d{1,15}$/;
// Excel writes large numbers as 1.2E+4 when a column is too narrow.
const SCIENTIFIC = /^\d+(?:\.\d+)?e\+?\d{1,2}$/i;
// Digits with optional thousands separators (grouped by three) and a decimal part.
const DECIMAL = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/;
const MONEY = /^¥?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*元?$/;

function isNoValue(s: string): boolean {
  return s === '' || s === '-' || s === '--';
}

/**
 * A count (1,234 or 12.0, full-width digits too): a non-negative integer; null for an empty cell, `-`
 * or `--`; undefined when malformed (abc, 12%, 1.5, -3).
 */
export function parseCount(raw: string): number | null | undefined {
  if (PLAIN_INTEGER.test(raw)) return Number(raw);
  const s = raw.normalize('NFKC').trim();
  if (isNoValue(s)) return null;
  if (SCIENTIFIC.test(s)) {
    const value = Number(s);
    return Number.isSafeInteger(value) ? value : undefined;
  }
  const m = DECIMAL.exec(s);
  if (!m || (m[2] !== undefined && /[^0]/.test(m[2]))) return undefined;
  const value = Number(m[1]!.replaceAll(',', ''));
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * An amount in yuan (￥12,345.60, ¥12345.6, 12345.6元 or plain) as integer fen, rounded half up from the
 * decimal digits themselves so 0.29 is 29, never 28.999…; null for no value; undefined when malformed.
 */
export function parseMoney(raw: string): number | null | undefined {
  // Most cells are plain ASCII: NFKC (slow on a million rows) only when the plain pattern fails.
  let m = MONEY.exec(raw);
  if (!m) {
    const s = raw.normalize('NFKC').trim();
    if (isNoValue(s)) return null;
    m = MONEY.exec(s);
  }
  if (!m) return undefined;
  const fraction = (m[2] ?? '').padEnd(3, '0');
  const fen = Number(m[1]!.replaceAll(',', '')) * 100 + Number(fraction.slice(0, 2)) + (fraction.charCodeAt(2) >= 0x35 ? 1 : 0);
  return Number.isSafeInteger(fen) ? fen : undefined;
}
