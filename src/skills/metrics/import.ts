import { readFile, stat } from 'node:fs/promises';
import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import type { Prompts } from '../../kernel/prompts.js';
import { decodeText, type TextEncodingName } from '../../knowledge/decode.js';
import { csvRows, detectDelimiter, type CsvRecord } from './csv.js';
import type { ImportWriter, MetricsDb } from './db.js';
import { BASE_FIELDS, MONEY_FIELDS, type BaseField } from './definitions.js';
import { findEncodingProblem } from './encoding.js';
import { MAX_MATCH_NAME_CHARS } from './names.js';
import { mapHeaders, understoodHeaders } from './headers.js';

export interface ImportMetricsOptions {
  readonly db: MetricsDb;
  /** Called every ~20,000 rows and once at the end; `total` is an estimate (the file's non-empty lines) until then. */
  readonly onProgress?: (done: number, total: number) => void;
  /** The file's name in the summary and in messages (an upload's original name); default: the path. */
  readonly name?: string;
  /** Renders the descriptions inside error messages. */
  readonly prompts: Prompts;
}

export interface ImportSummary {
  readonly file: string;
  readonly encoding: TextEncodingName;
  readonly delimiter: string;
  readonly rows: number;
  /** Keys that were not stored before. */
  readonly added: number;
  /** Keys stored before, whose values this file replaced. */
  readonly replaced: number;
  readonly first?: string;
  readonly last?: string;
  /** Field → the header as written in the file. */
  readonly columns: Record<string, string>;
  /** Headers of columns that were not imported (rates and averages are computed, never imported). */
  readonly ignored: string[];
  /** Totals rows (合计, 总计) skipped. */
  readonly totals: number;
}

const PROGRESS_EVERY = 20_000;
/** Yielding lets a progress bar's timer draw during a long import. */
const YIELD_EVERY = 50_000;
/** A value quoted in an error message is cut to this many characters. */
const MAX_SHOWN = 40;
/** Columns a header may have: back-office exports have a few dozen; more is not a table of days. */
export const MAX_COLUMNS = 1_000;
/** Characters a channel or product name may have: shop titles run to about 60, and every question compares this much of each name. */
export const MAX_NAME_CHARS = MAX_MATCH_NAME_CHARS;
/** Characters any other cell used (a date, a number, a header) may have. */
const MAX_CELL_CHARS = 1_000;
/** Dates outside these years are placeholders (0001-01-01, 9999-12-31), never a shop's day. */
const MIN_YEAR = 2000;
const MAX_YEAR = 2099;
/** Bytes a file may have: about 3 million rows, well below what one string can hold. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;
/** Unused headers listed in a summary or a message, at most. */
export const MAX_LISTED = 20;

/**
 * Imports one CSV/TSV export (UTF-8 with or without BOM, GBK; any delimiter of `,` tab `;`) into the
 * metrics database in one transaction: a bad value, an invalid date or a duplicated key anywhere stops
 * the import with a UserFacingError naming the line and column, and nothing from the file is stored.
 * Importing the same file again changes nothing.
 */
export async function importMetricsFile(path: string, options: ImportMetricsOptions): Promise<ImportSummary> {
  const file = options.name ?? path;
  const { prompts } = options;
  const unreadable = (reasonKey: string, params: Record<string, string | number> = {}) =>
    new UserFacingError(ErrorCode.METRICS_FILE_UNREADABLE, 'errors/metrics-file-unreadable', { file, reason: prompts.render(reasonKey, params) });
  const understood = () =>
    understoodHeaders()
      .map(({ field, names }) => prompts.render('metrics/import-columns-line', { field, names: names.slice(1).join(' / ') }))
      .join('\n');
  const empty = () => new UserFacingError(ErrorCode.METRICS_FILE_EMPTY, 'errors/metrics-file-empty', { file, columns: understood() });

  let bytes: Buffer;
  try {
    // A device or a pipe (/dev/zero) never ends, and a huge file would not fit: refused before reading.
    const info = await stat(path);
    if (info.isFile() && info.size > MAX_FILE_BYTES) {
      throw unreadable('metrics/unreadable-too-large', { size: megabytes(info.size), max: megabytes(MAX_FILE_BYTES) });
    }
    if (!info.isFile() && !info.isDirectory()) throw unreadable('metrics/unreadable-not-file');
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof UserFacingError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw unreadable(READ_ERRORS[code] ?? 'metrics/unreadable-io', { code });
  }
  const named = (pattern: RegExp) => pattern.test(path) || pattern.test(file);
  if (isSpreadsheet(bytes) || named(/\.xls[xm]$/i)) throw unreadable('metrics/unreadable-xlsx');
  const decoded = decodeText(bytes);
  if (!decoded.ok && decoded.reason === 'binary') throw unreadable('metrics/unreadable-binary');
  // Not all UTF-8: a row in another encoding among UTF-8 rows is refused with its line, never guessed.
  const problem = !decoded.ok || decoded.encoding === 'gbk' ? findEncodingProblem(bytes, !decoded.ok) : undefined;
  if (problem?.kind === 'undecodable') throw unreadable('metrics/unreadable-undecodable-line', { line: problem.line });
  if (problem) {
    throw new UserFacingError(ErrorCode.METRICS_ENCODING_MIXED, 'errors/metrics-encoding-mixed', {
      file,
      line: problem.line,
      detail: prompts.render(problem.kind === 'utf8' ? 'metrics/encoding-utf8-among-gbk' : 'metrics/encoding-other-among-utf8'),
    });
  }
  if (!decoded.ok) throw unreadable('metrics/unreadable-undecodable');
  const { text, encoding } = decoded;
  // Some back offices save an HTML table as .xls; their tab-separated ".xls" files are imported as text.
  if (named(/\.xls$/i) && /^\s*</.test(text)) throw unreadable('metrics/unreadable-xlsx');

  // Excel's "sep=;" first line names the delimiter; the header comes after it.
  const firstLine = /[^\r\n]+/.exec(text)?.[0] ?? '';
  const sep = /^\uFEFF?"?sep=(.)"?\s*$/i.exec(firstLine)?.[1];
  const delimiter = sep === ',' || sep === ';' || sep === '\t' ? sep : detectDelimiter(firstLine);
  const records = csvRows(text, delimiter);
  // Not a for-of with break: that would close the generator before the data rows.
  let header: CsvRecord | undefined;
  for (let next = records.next(); !next.done; next = records.next()) {
    if (sep !== undefined && next.value.line === 1) continue;
    if (!isBlank(next.value.fields)) {
      header = next.value;
      break;
    }
  }
  if (!header) throw empty();
  const unclosed = (line: number) => new UserFacingError(ErrorCode.METRICS_QUOTE_UNCLOSED, 'errors/metrics-quote-unclosed', { file, line });
  const tooLong = (line: number, column: string, length: number, max: number) =>
    new UserFacingError(ErrorCode.METRICS_VALUE_TOO_LONG, 'errors/metrics-value-too-long', {
      file,
      line,
      column: shown(column),
      length: length.toLocaleString('en-US'),
      max: max.toLocaleString('en-US'),
    });
  if (header.unclosedQuote !== undefined) throw unclosed(header.unclosedQuote);
  const headers = header.fields;
  if (headers.length > MAX_COLUMNS) {
    throw new UserFacingError(ErrorCode.METRICS_TOO_MANY_COLUMNS, 'errors/metrics-too-many-columns', {
      file,
      line: header.line,
      columns: headers.length.toLocaleString('en-US'),
      max: MAX_COLUMNS.toLocaleString('en-US'),
    });
  }
  for (const [i, h] of headers.entries()) {
    if (h.length > MAX_CELL_CHARS) throw tooLong(header.line, prompts.render('metrics/import-column-extra', { index: i + 1 }), h.length, MAX_CELL_CHARS);
  }
  const mapping = mapHeaders(headers);
  if (!mapping.ok) {
    const { field, first, second } = mapping;
    throw new UserFacingError(ErrorCode.METRICS_HEADERS_UNKNOWN, 'errors/metrics-headers-duplicate', { file, field, first, second });
  }
  const { index, columns } = mapping;
  const measures = BASE_FIELDS.flatMap((field) => {
    const i = index[field];
    return i === undefined ? [] : [{ field, index: i, money: MONEY_FIELDS.has(field), column: columns[field]! }];
  });
  const dateIndex = index.date;
  if (dateIndex === undefined || measures.length === 0) {
    const found = headers.map((h) => shown(h.replace(/^\uFEFF/, ''))).filter(Boolean);
    throw new UserFacingError(ErrorCode.METRICS_HEADERS_UNKNOWN, 'errors/metrics-headers-unknown', {
      file,
      found: listed(found, prompts.render('metrics/import-list-separator'), prompts),
      columns: understood(),
    });
  }

  const invalid = (line: number, column: string, value: string, expectedKey: string) =>
    new UserFacingError(ErrorCode.METRICS_VALUE_INVALID, 'errors/metrics-value-invalid', {
      file,
      line,
      column,
      value: shown(value),
      expected: prompts.render(expectedKey),
    });
  const dateColumn = columns.date!;
  const channelIndex = index.channel;
  const productIndex = index.product;
  const total = Math.max(0, countLines(text) - 1);
  const seen = new Map<string, number>();
  let writer: ImportWriter | undefined;
  let done = 0;
  let totals = 0;
  try {
    for (const { line, fields, unclosedQuote } of records) {
      if (unclosedQuote !== undefined) throw unclosed(unclosedQuote);
      if (isBlank(fields)) continue;
      for (let i = headers.length; i < fields.length; i++) {
        const extra = fields[i]!;
        if (extra.trim() !== '') {
          throw invalid(line, prompts.render('metrics/import-column-extra', { index: i + 1 }), extra, 'metrics/expect-no-extra');
        }
      }
      const rawDate = fields[dateIndex] ?? '';
      if (rawDate.length > MAX_CELL_CHARS) throw tooLong(line, dateColumn, rawDate.length, MAX_CELL_CHARS);
      // A totals row (合计, 总计, Total) repeats the rows above it: counting it would double everything.
      if (TOTALS.test(rawDate.trim())) {
        totals++;
        continue;
      }
      const date = parseDate(rawDate);
      if (date === undefined) throw invalid(line, dateColumn, rawDate, 'metrics/expect-date');
      const year = Number(date.slice(0, 4));
      if (year < MIN_YEAR || year > MAX_YEAR) throw invalid(line, dateColumn, rawDate, 'metrics/expect-date-range');
      const name = (i: number | undefined, column: string | undefined): string => {
        if (i === undefined) return '';
        const value = (fields[i] ?? '').trim();
        if (value.length > MAX_NAME_CHARS) throw tooLong(line, column!, value.length, MAX_NAME_CHARS);
        // A line break inside a name is a quote closed rows later: the rows between would be one name.
        if (/[\r\n]/.test(value)) throw invalid(line, column!, value.replace(/\s+/g, ' '), 'metrics/expect-name-one-line');
        return value;
      };
      const channel = name(channelIndex, columns.channel);
      const product = name(productIndex, columns.product);
      const values: Partial<Record<BaseField, number | null>> = {};
      for (const m of measures) {
        const raw = fields[m.index] ?? '';
        if (raw.length > MAX_CELL_CHARS) throw tooLong(line, m.column, raw.length, MAX_CELL_CHARS);
        const value = m.money ? parseMoney(raw) : parseCount(raw);
        if (value === undefined) throw invalid(line, m.column, raw, m.money ? 'metrics/expect-money' : 'metrics/expect-count');
        values[m.field] = value;
      }
      const key = `${date}\u0001${channel}\u0001${product}`;
      const firstLine = seen.get(key);
      if (firstLine !== undefined) {
        throw new UserFacingError(ErrorCode.METRICS_ROW_DUPLICATE, 'errors/metrics-row-duplicate', {
          file,
          firstLine,
          line,
          key: [date, channel, product].filter(Boolean).join(' / '),
        });
      }
      seen.set(key, line);
      writer ??= options.db.beginImport(measures.map((m) => m.field));
      writer.write({ date, channel, product, values });
      done++;
      if (done % PROGRESS_EVERY === 0) options.onProgress?.(done, Math.max(total, done));
      if (done % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (!writer) throw empty();
    const counts = writer.commit(file);
    options.onProgress?.(done, done);
    return {
      file,
      encoding,
      delimiter,
      rows: counts.rows,
      added: counts.added,
      replaced: counts.replaced,
      ...(counts.first ? { first: counts.first, last: counts.last } : {}),
      columns: Object.fromEntries(Object.entries(columns).filter((e): e is [string, string] => e[1] !== undefined)),
      ignored: [...mapping.ignored],
      totals,
    };
  } catch (err) {
    writer?.rollback();
    throw err;
  }
}

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'metrics/unreadable-missing',
  ENOTDIR: 'metrics/unreadable-missing',
  EISDIR: 'metrics/unreadable-directory',
  EACCES: 'metrics/unreadable-permission',
  EPERM: 'metrics/unreadable-permission',
};

/** An .xlsx (a zip) or an old .xls (an OLE container), whatever the file is called. */
function isSpreadsheet(bytes: Buffer): boolean {
  const zip = bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304;
  const ole = bytes.length >= 8 && bytes.readUInt32BE(0) === 0xd0cf11e0 && bytes.readUInt32BE(4) === 0xa1b11ae1;
  return zip || ole;
}

function megabytes(bytes: number): string {
  return Math.ceil(bytes / (1024 * 1024)).toLocaleString('en-US');
}

function isBlank(fields: readonly string[]): boolean {
  return fields.every((f) => f.trim() === '');
}

/** Up to MAX_LISTED items joined, then how many more: a message is said once, and stays short. */
export function listed(items: readonly string[], separator: string, prompts: Prompts): string {
  const head = items.slice(0, MAX_LISTED).join(separator);
  return items.length <= MAX_LISTED ? head : prompts.render('metrics/list-more', { list: head, more: (items.length - MAX_LISTED).toLocaleString('en-US') });
}

function shown(value: string): string {
  const v = value.trim();
  return v.length > MAX_SHOWN ? `${v.slice(0, MAX_SHOWN)}…` : v;
}

/** Non-empty lines: the number of records plus the header, unless quoted fields hold line breaks. */
function countLines(text: string): number {
  let count = 0;
  for (let pos = 0; pos < text.length; ) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    if (end > pos && !(end === pos + 1 && text.charCodeAt(pos) === 0x0d)) count++;
    pos = end + 1;
  }
  return count;
}

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

const TOTALS = /^(?:合计|总计|汇总|合計|總計|匯總|total|sum|grand total)\b|^(?:合计|总计|汇总|合計|總計|匯總)/i;

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
