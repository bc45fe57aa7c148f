import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, relative, sep, basename, isAbsolute } from 'node:path';
import { FileReadError, readFileBounded } from '../kernel/bounded-read.js';
import { ErrorCode, UserFacingError } from '../kernel/errors.js';
import { splitAudience } from './audience.js';
import { decodeText, type TextEncodingName } from './decode.js';

/** One playbook article as read from disk. */
export interface SourceDocument {
  /** Path below the playbook folder, with `/` separators: stable id of the document. */
  readonly id: string;
  /** Shown in citations: a Markdown file's first `# heading`, otherwise the file name without extension. */
  readonly title: string;
  /** What everyone may read (staff-only lines and front matter blanked); empty for a staff-only file. */
  readonly text: string;
  /** Staff-only text (a staff-only file's whole text, or its marked sections under their headings). */
  readonly staffText?: string;
  readonly encoding: TextEncodingName;
  readonly bytes: Buffer;
  /** Markdown syntax is removed for display. */
  readonly markdown: boolean;
}

export type SkipReason = 'unsupported' | 'binary' | 'undecodable' | 'empty' | 'too-large' | 'unreadable' | 'outside';

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

/** A shop's playbook is tens of articles; more entries than this means the folder is not one (`/`, a home folder). */
export const MAX_PLAYBOOK_ENTRIES = 2000;

class TooManyEntries extends Error {}

async function listFiles(dir: string, budget = { left: MAX_PLAYBOOK_ENTRIES }): Promise<string[]> {
  const out: string[] = [];
  // A subfolder that cannot be listed is left out (its files are not the playbook anyone can read).
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (--budget.left < 0) throw new TooManyEntries();
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, budget)));
    // A linked file is read through its link when it stays inside the folder (checked when read); linked
    // folders are not followed, so a link loop cannot hang the build.
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

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Reads every `.md` and `.txt` file below `dir` (sorted, recursive); what is not text is skipped and reported. */
export async function readPlaybook(dir: string): Promise<PlaybookContents> {
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new UserFacingError(ErrorCode.KB_PLAYBOOK_NOT_A_FOLDER, 'errors/kb-playbook-not-a-folder', { dir });
  if (!info) throw new UserFacingError(ErrorCode.KB_PLAYBOOK_MISSING, 'errors/kb-playbook-missing', { dir });
  const root = await realpath(dir);
  const files = (
    await listFiles(dir).catch((err: unknown) => {
      if (!(err instanceof TooManyEntries)) throw err;
      throw new UserFacingError(ErrorCode.KB_PLAYBOOK_TOO_LARGE, 'errors/kb-playbook-too-large', { dir, max: MAX_PLAYBOOK_ENTRIES });
    })
  ).sort();
  const documents: SourceDocument[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of files) {
    const id = relative(dir, file).split(sep).join('/');
    if (!TEXT_EXTENSIONS.has(extname(file).toLowerCase())) {
      skipped.push({ file: id, reason: 'unsupported' });
      continue;
    }
    // Only what is really inside the folder is the playbook: a link out of it (a private note, /etc/…)
    // would hand any fan who can /ask whatever it points to.
    const real = await realpath(file).catch(() => undefined);
    if (real !== undefined && !isInside(root, real)) {
      skipped.push({ file: id, reason: 'outside' });
      continue;
    }
    const bytes = real === undefined ? undefined : await readFileBounded(real, MAX_FILE_BYTES).catch((err: unknown) => err);
    if (!Buffer.isBuffer(bytes)) {
      skipped.push({ file: id, reason: bytes instanceof FileReadError && bytes.reason === 'too-large' ? 'too-large' : 'unreadable' });
      continue;
    }
    const decoded = decodeText(bytes);
    if (!decoded.ok) {
      skipped.push({ file: id, reason: decoded.reason });
      continue;
    }
    const parts = splitAudience(decoded.text);
    if (parts.publicText.trim() === '' && !parts.staffText?.trim()) {
      skipped.push({ file: id, reason: 'empty' });
      continue;
    }
    const markdown = /\.(md|markdown)$/i.test(id);
    const title = titleOf(id, parts.staffFile ? parts.staffText! : parts.publicText);
    const staff = parts.staffText?.trim() ? { staffText: parts.staffText } : {};
    documents.push({ id, title, text: parts.publicText, ...staff, encoding: decoded.encoding, bytes, markdown });
  }
  if (documents.length === 0) {
    throw new UserFacingError(ErrorCode.KB_PLAYBOOK_EMPTY, 'errors/kb-playbook-empty', { dir });
  }
  return { documents, skipped };
}
