/**
 * A small CSV/TSV tokenizer for back-office exports (RFC 4180 quoting, CRLF or LF). Written by hand
 * because exports run to a million rows: a line without a quote is split in one call, and only lines
 * with quotes go through the character-by-character path.
 */

export type Delimiter = ',' | '\t' | ';';

/** One record: its fields, and the 1-based line of the file on which it starts. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
  /** The line of a quote that was never closed (its field then runs to the end of the text). */
  readonly unclosedQuote?: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** The delimiter a header line uses: tab if it has one, else ';' when it has ';' but no ',', else ','. */
export function detectDelimiter(headerLine: string): Delimiter {
  if (headerLine.includes('\t')) return '\t';
  if (headerLine.includes(';') && !headerLine.includes(',')) return ';';
  return ',';
}

/**
 * The records of `text`, in order. Quoted fields may hold the delimiter, `""` for a quote, and line
 * breaks; completely empty lines are skipped. Lenient where files are sloppy: a quote inside an unquoted
 * field is kept as is, text after a closing quote is appended, and an unclosed quote runs to the end
 * (the record then says where it opened, so that a caller can refuse it). `firstLine` numbers the text's
 * first line (a piece of a longer text).
 */
export function* csvRows(text: string, delimiter: Delimiter, firstLine = 1): Generator<CsvRecord> {
  const n = text.length;
  const delim = delimiter.charCodeAt(0);
  let pos = 0;
  let line = firstLine;
  // The next quote at or after `pos` (-1: none left), so a file without quotes is searched once.
  let quote = text.indexOf('"');
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = n;
    const contentEnd = end > pos && text.charCodeAt(end - 1) === CR ? end - 1 : end;
    if (contentEnd === pos) {
      pos = end + 1;
      line++;
      continue;
    }
    if (quote !== -1 && quote < pos) quote = text.indexOf('"', pos);
    if (quote === -1 || quote >= contentEnd) {
      yield { line, fields: text.slice(pos, contentEnd).split(delimiter) };
      pos = end + 1;
      line++;
      continue;
    }

    // A line with a quote: field by field; a quoted field may run over several lines.
    const start = line;
    const fields: string[] = [];
    let unclosedQuote: number | undefined;
    let i = pos;
    for (;;) {
      let value: string;
      if (text.charCodeAt(i) === QUOTE) {
        value = '';
        const opened = line;
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          const stop = q === -1 ? n : q;
          value += text.slice(i, stop);
          line += countLineFeeds(text, i, stop);
          if (q === -1) {
            unclosedQuote = opened;
            i = n;
            break;
          }
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
      } else {
        value = '';
      }
      // The unquoted field, or what follows a closing quote, up to the delimiter or the end of the line.
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === delim || c === LF) break;
        j++;
      }
      if (j > i) value += text.slice(i, text.charCodeAt(j - 1) === CR && (j === n || text.charCodeAt(j) === LF) ? j - 1 : j);
      fields.push(value);
      i = j;
      if (i < n && text.charCodeAt(i) === delim) {
        i++;
        continue;
      }
      // End of the record: a line feed or the end of the text.
      if (i < n) {
        i++;
        line++;
      }
      break;
    }
    yield unclosedQuote === undefined ? { line: start, fields } : { line: start, fields, unclosedQuote };
    pos = i;
  }
}

function countLineFeeds(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) if (text.charCodeAt(k) === LF) count++;
  return count;
}
