import type { Prompts } from '../../kernel/prompts.js';
import type { TextEncodingName } from '../../knowledge/decode.js';
import { detectDelimiter, type CsvRecord } from './csv.js';
import { csvBlocks, firstLineOf } from './csv-stream.js';
import type { ImportWriter, MetricsDb } from './db.js';
import { ImportErrors } from './import-errors.js';
import { isBlank, RowReader } from './import-rows.js';
import { openExport } from './import-source.js';

export { listed, MAX_LISTED } from './import-errors.js';
export { MAX_COLUMNS, MAX_NAME_CHARS } from './import-rows.js';
export { MAX_FILE_BYTES } from './import-source.js';
export { parseCount, parseDate, parseMoney } from './values.js';

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

/**
 * Imports one CSV/TSV export (UTF-8 with or without BOM, GBK; any delimiter of `,` tab `;`) into the
 * metrics database in one transaction: a bad value, an invalid date or a duplicated key anywhere stops
 * the import with a UserFacingError naming the line and column, and nothing from the file is stored.
 * Importing the same file again changes nothing. The file is read in chunks (see openExport), and the
 * duplicate check is the database's own (see beginImport), so memory does not grow with the file.
 */
export async function importMetricsFile(path: string, options: ImportMetricsOptions): Promise<ImportSummary> {
  const file = options.name ?? path;
  const errors = new ImportErrors(file, options.prompts);
  const source = await openExport(path, file, errors);
  let writer: ImportWriter | undefined;
  try {
    const chunks = source.chunks();
    const { head, firstLine, ended } = await firstLineOf(chunks);
    // Excel's "sep=;" first line names the delimiter; the header comes after it.
    const sep = /^\uFEFF?"?sep=(.)"?\s*$/i.exec(firstLine)?.[1];
    const delimiter = sep === ',' || sep === ';' || sep === '\t' ? sep : detectDelimiter(firstLine);
    const total = Math.max(0, source.lines - 1);
    let reader: RowReader | undefined;
    let done = 0;
    let totals = 0;
    const isHeader = (record: CsvRecord) => !(sep !== undefined && record.line === 1) && !isBlank(record.fields);
    for await (const block of csvBlocks(head, chunks, delimiter, ended)) {
      for (const record of block) {
        if (!reader) {
          if (isHeader(record)) reader = new RowReader(record, errors);
          continue;
        }
        const row = reader.read(record);
        if (row === 'blank') continue;
        if (row === 'totals') {
          totals++;
          continue;
        }
        writer ??= options.db.beginImport(reader.fields);
        const firstSeen = writer.write(row, record.line);
        if (firstSeen !== undefined) throw errors.duplicate(firstSeen, record.line, [row.date, row.channel, row.product]);
        done++;
        if (done % PROGRESS_EVERY === 0) options.onProgress?.(done, Math.max(total, done));
        if (done % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (!reader || !writer) throw errors.empty();
    const counts = writer.commit(file);
    options.onProgress?.(done, done);
    return {
      file,
      encoding: source.encoding,
      delimiter,
      rows: counts.rows,
      added: counts.added,
      replaced: counts.replaced,
      ...(counts.first ? { first: counts.first, last: counts.last } : {}),
      columns: reader.columns,
      ignored: [...reader.ignored],
      totals,
    };
  } catch (err) {
    writer?.rollback();
    throw err;
  } finally {
    await source.close().catch(() => {});
  }
}
