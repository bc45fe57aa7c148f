import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep, basename } from 'node:path';
import { ErrorCode, UserFacingError } from '../kernel/errors.js';
import { decodeText, type TextEncodingName } from './decode.js';

/** One playbook article as read from disk. */
export interface SourceDocument {
  /** Path below the playbook folder, with `/` separators: stable id of the document. */
  readonly id: string;
  /** Shown in citations: a Markdown file's first `# heading`, otherwise the file name without extension. */
  readonly title: string;
  readonly text: string;
  readonly encoding: TextEncodingName;
  readonly bytes: Buffer;
  /** Markdown syntax is removed for display. */
  readonly markdown: boolean;
}

export type SkipReason = 'unsupported' | 'binary' | 'undecodable' | 'empty' | 'too-large' | 'unreadable';

export interface SkippedFile {
  readonly file: string;
  readonly reason: SkipReason;
}

export interface PlaybookContents {
  readonly documents: SourceDocument[];
  readonly skipped: SkippedFile[];
}

const TEXT_EXTENSIONS = new Set(['.md', '.markdown', '.txt']);
/** A playbook article is a few dozen KB; a file this large is an export or a mistake. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    // A linked file is read through its link (a broken one is reported unreadable); linked folders are not
    // followed, so a link loop cannot hang the build.
    else if (entry.isFile() || (entry.isSymbolicLink() && !(await stat(full).catch(() => undefined))?.isDirectory())) {
      out.push(full);
    }
  }
  return out;
}

function titleOf(id: string, text: string): string {
  if (/\.(md|markdown)$/i.test(id)) {
    const heading = /^#\s+(.+)$/m.exec(text);
    if (heading?.[1]) return heading[1].trim();
  }
  return basename(id).replace(/\.[^.]+$/, '');
}

/** Reads every `.md` and `.txt` file below `dir` (sorted, recursive); what is not text is skipped and reported. */
export async function readPlaybook(dir: string): Promise<PlaybookContents> {
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new UserFacingError(ErrorCode.KB_PLAYBOOK_NOT_A_FOLDER, 'errors/kb-playbook-not-a-folder', { dir });
  if (!info) throw new UserFacingError(ErrorCode.KB_PLAYBOOK_MISSING, 'errors/kb-playbook-missing', { dir });
  const files = (await listFiles(dir)).sort();
  const documents: SourceDocument[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of files) {
    const id = relative(dir, file).split(sep).join('/');
    if (!TEXT_EXTENSIONS.has(extname(file).toLowerCase())) {
      skipped.push({ file: id, reason: 'unsupported' });
      continue;
    }
    const bytes = await readFile(file).catch(() => undefined);
    if (!bytes) {
      skipped.push({ file: id, reason: 'unreadable' });
      continue;
    }
    if (bytes.byteLength > MAX_FILE_BYTES) {
      skipped.push({ file: id, reason: 'too-large' });
      continue;
    }
    const decoded = decodeText(bytes);
    if (!decoded.ok) {
      skipped.push({ file: id, reason: decoded.reason });
      continue;
    }
    if (decoded.text.trim() === '') {
      skipped.push({ file: id, reason: 'empty' });
      continue;
    }
    const markdown = /\.(md|markdown)$/i.test(id);
    documents.push({ id, title: titleOf(id, decoded.text), text: decoded.text, encoding: decoded.encoding, bytes, markdown });
  }
  if (documents.length === 0) {
    throw new UserFacingError(ErrorCode.KB_PLAYBOOK_EMPTY, 'errors/kb-playbook-empty', { dir });
  }
  return { documents, skipped };
}
