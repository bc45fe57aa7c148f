import { charCount, longerThan } from '../../kernel/text.js';
import type { CsvRecord } from './csv.js';
import type { MetricRow } from './db.js';
import { BASE_FIELDS, MONEY_FIELDS, type BaseField } from './definitions.js';
import { mapHeaders } from './headers.js';
import type { ImportErrors } from './import-errors.js';
import { MAX_MATCH_NAME_CHARS } from './names.js';
import { MAX_YEAR, MIN_YEAR, parseCount, parseDate, parseMoney, TOTALS } from './values.js';

/** Columns a header may have: back-office exports have a few dozen; more is not a table of days. */
export const MAX_COLUMNS = 1_000;
/** Characters a channel or product name may have: shop titles run to about 60, and every question compares this much of each name. */
export const MAX_NAME_CHARS = MAX_MATCH_NAME_CHARS;
/** Characters any other cell used (a date, a number, a header) may have. */
const MAX_CELL_CHARS = 1_000;

interface Measure {
  readonly field: BaseField;
  readonly index: number;
  readonly money: boolean;
  readonly column: string;
}

/** What a record turned into: a row to store, a totals row skipped, or a blank line. */
export type ReadRow = MetricRow | 'totals' | 'blank';

/**
 * The rows of an export as its header names them: the header checked once (size, fields named twice, a
 * date and at least one measure), then each record checked value by value, the first bad value thrown as
 * the error naming its line and column.
 */
export class RowReader {
  readonly fields: readonly BaseField[];
  /** Field → the header as written in the file. */
  readonly columns: Record<string, string>;
  /** Headers of columns that were not imported. */
  readonly ignored: readonly string[];
  private readonly measures: readonly Measure[];
  private readonly width: number;
  private readonly dateIndex: number;
  private readonly dateColumn: string;
  private readonly channel?: { index: number; column: string };
  private readonly product?: { index: number; column: string };

  constructor(
    header: CsvRecord,
    private readonly errors: ImportErrors,
  ) {
    if (header.unclosedQuote !== undefined) throw errors.unclosed(header.unclosedQuote);
    const headers = header.fields;
    if (headers.length > MAX_COLUMNS) throw errors.tooManyColumns(header.line, headers.length, MAX_COLUMNS);
    for (const [i, h] of headers.entries()) {
      if (longerThan(h, MAX_CELL_CHARS)) throw errors.tooLong(header.line, errors.extraColumn(i + 1), charCount(h), MAX_CELL_CHARS);
    }
    const mapping = mapHeaders(headers);
    if (!mapping.ok) throw errors.headersDuplicate(mapping.field, mapping.first, mapping.second);
    const { index, columns } = mapping;
    this.measures = BASE_FIELDS.flatMap((field) => {
      const i = index[field];
      return i === undefined ? [] : [{ field, index: i, money: MONEY_FIELDS.has(field), column: columns[field]! }];
    });
    if (index.date === undefined || this.measures.length === 0) throw errors.headersUnknown(headers);
    this.fields = this.measures.map((m) => m.field);
    this.columns = Object.fromEntries(Object.entries(columns).filter((e): e is [string, string] => e[1] !== undefined));
    this.ignored = [...mapping.ignored];
    this.width = headers.length;
    this.dateIndex = index.date;
    this.dateColumn = columns.date!;
    if (index.channel !== undefined) this.channel = { index: index.channel, column: columns.channel! };
    if (index.product !== undefined) this.product = { index: index.product, column: columns.product! };
  }

  /** One record as a row, or why it is none; throws the error for its first bad value. */
  read({ line, fields, unclosedQuote }: CsvRecord): ReadRow {
    const { errors } = this;
    if (unclosedQuote !== undefined) throw errors.unclosed(unclosedQuote);
    if (isBlank(fields)) return 'blank';
    for (let i = this.width; i < fields.length; i++) {
      const extra = fields[i]!;
      if (extra.trim() !== '') throw errors.invalid(line, errors.extraColumn(i + 1), extra, 'metrics/expect-no-extra');
    }
    const rawDate = fields[this.dateIndex] ?? '';
    if (longerThan(rawDate, MAX_CELL_CHARS)) throw errors.tooLong(line, this.dateColumn, charCount(rawDate), MAX_CELL_CHARS);
    // A totals row (合计, 总计, Total) repeats the rows above it: counting it would double everything.
    if (TOTALS.test(rawDate.trim())) return 'totals';
    const date = parseDate(rawDate);
    if (date === undefined) throw errors.invalid(line, this.dateColumn, rawDate, 'metrics/expect-date');
    const year = Number(date.slice(0, 4));
    if (year < MIN_YEAR || year > MAX_YEAR) throw errors.invalid(line, this.dateColumn, rawDate, 'metrics/expect-date-range');
    const channel = this.name(fields, line, this.channel);
    const product = this.name(fields, line, this.product);
    const values: Partial<Record<BaseField, number | null>> = {};
    for (const m of this.measures) {
      const raw = fields[m.index] ?? '';
      if (longerThan(raw, MAX_CELL_CHARS)) throw errors.tooLong(line, m.column, charCount(raw), MAX_CELL_CHARS);
      const value = m.money ? parseMoney(raw) : parseCount(raw);
      if (value === undefined) throw errors.invalid(line, m.column, raw, m.money ? 'metrics/expect-money' : 'metrics/expect-count');
      values[m.field] = value;
    }
    return { date, channel, product, values };
  }

  private name(fields: readonly string[], line: number, at: { index: number; column: string } | undefined): string {
    if (at === undefined) return '';
    const value = (fields[at.index] ?? '').trim();
    if (longerThan(value, MAX_NAME_CHARS)) throw this.errors.tooLong(line, at.column, charCount(value), MAX_NAME_CHARS);
    // A line break inside a name is a quote closed rows later: the rows between would be one name.
    if (/[\r\n]/.test(value)) throw this.errors.invalid(line, at.column, value.replace(/\s+/g, ' '), 'metrics/expect-name-one-line');
    return value;
  }
}

/** A record of empty or blank fields only. */
export function isBlank(fields: readonly string[]): boolean {
  return fields.every((f) => f.trim() === '');
}
