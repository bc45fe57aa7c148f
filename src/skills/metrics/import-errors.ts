import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import type { Prompts } from '../../kernel/prompts.js';
import { firstChars } from '../../kernel/text.js';
import { understoodHeaders } from './headers.js';

/** A value quoted in an error message is cut to this many characters. */
const MAX_SHOWN = 40;
/** Unused headers listed in a summary or a message, at most. */
export const MAX_LISTED = 20;

/** The errors an import can end with, each naming the file (and the line and column where there is one). */
export class ImportErrors {
  constructor(
    private readonly file: string,
    private readonly prompts: Prompts,
  ) {}

  /** The file cannot be read as an export, for the reason under `reasonKey`. */
  unreadable(reasonKey: string, params: Record<string, string | number> = {}): UserFacingError {
    return new UserFacingError(ErrorCode.METRICS_FILE_UNREADABLE, 'errors/metrics-file-unreadable', { file: this.file, reason: this.prompts.render(reasonKey, params) });
  }

  /** A read failed with a system error: said by its code. */
  readFailed(err: unknown): UserFacingError {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    return this.unreadable(READ_ERRORS[code] ?? 'metrics/unreadable-io', { code });
  }

  /** Lines in two encodings. */
  mixed(line: number, kind: 'utf8' | 'not-utf8'): UserFacingError {
    return new UserFacingError(ErrorCode.METRICS_ENCODING_MIXED, 'errors/metrics-encoding-mixed', {
      file: this.file,
      line,
      detail: this.prompts.render(kind === 'utf8' ? 'metrics/encoding-utf8-among-gbk' : 'metrics/encoding-other-among-utf8'),
    });
  }

  /** No header or no data rows. */
  empty(): UserFacingError {
    return new UserFacingError(ErrorCode.METRICS_FILE_EMPTY, 'errors/metrics-file-empty', { file: this.file, columns: this.understood() });
  }

  unclosed(line: number): UserFacingError {
    return new UserFacingError(ErrorCode.METRICS_QUOTE_UNCLOSED, 'errors/metrics-quote-unclosed', { file: this.file, line });
  }

  tooLong(line: number, column: string, length: number, max: number): UserFacingError {
    return new UserFacingError(ErrorCode.METRICS_VALUE_TOO_LONG, 'errors/metrics-value-too-long', {
      file: this.file,
      line,
      column: shown(column),
      length: length.toLocaleString('en-US'),
      max: max.toLocaleString('en-US'),
    });
  }

  tooManyColumns(line: number, columns: number, max: number): UserFacingError {
    return new UserFacingError(ErrorCode.METRICS_TOO_MANY_COLUMNS, 'errors/metrics-too-many-columns', {
      file: this.file,
      line,
      columns: columns.toLocaleString('en-US'),
      max: max.toLocaleString('en-US'),
    });
  }

  headersDuplicate(field: string, first: string, second: string): UserFacingError {
    return new UserFacingError(ErrorCode.METRICS_HEADERS_UNKNOWN, 'errors/metrics-headers-duplicate', { file: this.file, field, first, second });
  }

  headersUnknown(headers: readonly string[]): UserFacingError {
    const found = headers.map((h) => shown(h.replace(/^\uFEFF/, ''))).filter(Boolean);
    return new UserFacingError(ErrorCode.METRICS_HEADERS_UNKNOWN, 'errors/metrics-headers-unknown', {
      file: this.file,
      found: listed(found, this.prompts.render('metrics/import-list-separator'), this.prompts),
      columns: this.understood(),
    });
  }

  invalid(line: number, column: string, value: string, expectedKey: string): UserFacingError {
    return new UserFacingError(ErrorCode.METRICS_VALUE_INVALID, 'errors/metrics-value-invalid', {
      file: this.file,
      line,
      column,
      value: shown(value),
      expected: this.prompts.render(expectedKey),
    });
  }

  duplicate(firstLine: number, line: number, key: readonly string[]): UserFacingError {
    return new UserFacingError(ErrorCode.METRICS_ROW_DUPLICATE, 'errors/metrics-row-duplicate', {
      file: this.file,
      firstLine,
      line,
      key: key.filter(Boolean).join(' / '),
    });
  }

  /** The name of an extra column, by its 1-based index. */
  extraColumn(index: number): string {
    return this.prompts.render('metrics/import-column-extra', { index });
  }

  private understood(): string {
    return understoodHeaders()
      .map(({ field, names }) => this.prompts.render('metrics/import-columns-line', { field, names: names.slice(1).join(' / ') }))
      .join('\n');
  }
}

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'metrics/unreadable-missing',
  ENOTDIR: 'metrics/unreadable-missing',
  EISDIR: 'metrics/unreadable-directory',
  EACCES: 'metrics/unreadable-permission',
  EPERM: 'metrics/unreadable-permission',
};

/** Up to MAX_LISTED items joined, then how many more: a message is said once, and stays short. */
export function listed(items: readonly string[], separator: string, prompts: Prompts): string {
  const head = items.slice(0, MAX_LISTED).join(separator);
  return items.length <= MAX_LISTED ? head : prompts.render('metrics/list-more', { list: head, more: (items.length - MAX_LISTED).toLocaleString('en-US') });
}

function shown(value: string): string {
  const v = value.trim();
  const cut = firstChars(v, MAX_SHOWN);
  return cut.length < v.length ? `${cut}…` : v;
}
