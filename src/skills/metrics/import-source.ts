import { open, type FileHandle } from 'node:fs/promises';
import { decodeText, type TextEncodingName } from '../../knowledge/decode.js';
import { findEncodingProblem } from './encoding.js';
import type { ImportErrors } from './import-errors.js';
import { countUnits, MAX_FILE_BYTES, megabytes, read, scanBytes } from './import-scan.js';

export { MAX_FILE_BYTES } from './import-scan.js';

/**
 * Bytes decoded at a time: small enough that a piece's text and the records cut from it die young (in
 * V8's new space) instead of piling up in the large-object space until a full collection (a piece of
 * 32 KB decodes to at most 64 KB of UTF-16, under V8's large-object size).
 */
const TEXT_CHUNK_BYTES = 32 * 1024;
/** Above this share of control characters a file is binary (as decodeText judges). */
const MAX_CONTROL_RATIO = 0.05;

/** An export opened for import: its encoding, a line count for progress, and its text in pieces. */
export interface ExportText {
  readonly encoding: TextEncodingName;
  /** Non-empty lines: the number of records plus the header, unless quoted fields hold line breaks. */
  readonly lines: number;
  /** The text in order, in pieces of about TEXT_CHUNK_BYTES (the BOM left out). */
  chunks(): AsyncGenerator<string>;
  close(): Promise<void>;
}

/**
 * Opens an export and checks it as a whole before any row is read, so a file is refused for what it is
 * (too large, not a file, a spreadsheet, binary, mixed encodings) before any line's value: one handle,
 * size-bounded reads. A UTF-8 file (nearly every export) is checked in one streaming pass over its bytes
 * and then decoded chunk by chunk, so memory stays at a few chunks whatever its size; other encodings
 * (GBK, UTF-16) need the whole file to be judged, and are read whole within MAX_FILE_BYTES.
 */
export async function openExport(path: string, file: string, errors: ImportErrors): Promise<ExportText> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw errors.readFailed(err);
  }
  try {
    // A device or a pipe (/dev/zero) never ends, and a huge file would not fit: refused before reading.
    const info = await fh.stat();
    if (info.isFile() && info.size > MAX_FILE_BYTES) throw errors.unreadable('metrics/unreadable-too-large', { size: megabytes(info.size), max: megabytes(MAX_FILE_BYTES) });
    if (!info.isFile() && !info.isDirectory()) throw errors.unreadable('metrics/unreadable-not-file');
    const scan = await scanBytes(fh, errors);
    const named = (pattern: RegExp) => pattern.test(path) || pattern.test(file);
    if (isSpreadsheet(scan.head) || named(/\.xls[xm]$/i)) throw errors.unreadable('metrics/unreadable-xlsx');
    const htmlXls = named(/\.xls$/i);
    if (scan.nul || scan.utf16 || !scan.utf8) return await wholeFile(fh, scan.bytes, htmlXls, errors);
    const bom = scan.head[0] === 0xef && scan.head[1] === 0xbb && scan.head[2] === 0xbf;
    // Counted only for a file with control characters: most have none.
    const units = scan.controls > 0 ? await countUnits(fh, bom ? 3 : 0, scan.bytes, errors) : 0;
    if (units > 0 && scan.controls / units > MAX_CONTROL_RATIO) throw errors.unreadable('metrics/unreadable-binary');
    return {
      encoding: bom ? 'utf-8-bom' : 'utf-8',
      lines: scan.lines,
      chunks: () => htmlChecked(utf8Chunks(fh, bom ? 3 : 0, scan.bytes, errors), htmlXls, errors),
      close: () => fh.close(),
    };
  } catch (err) {
    await fh.close().catch(() => {});
    throw err;
  }
}

/** The UTF-8 text from `start` up to the `bytes` the scan saw, decoded a chunk at a time. */
async function* utf8Chunks(fh: FileHandle, start: number, bytes: number, errors: ImportErrors): AsyncGenerator<string> {
  // Fatal: a file changed into something else since the scan is refused, never read with replacement characters.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const buf = Buffer.allocUnsafe(TEXT_CHUNK_BYTES);
  for (let position = start; position < bytes; ) {
    const n = read(fh, buf.subarray(0, Math.min(TEXT_CHUNK_BYTES, bytes - position)), position, errors);
    if (n === 0) break;
    position += n;
    yield decode(() => decoder.decode(buf.subarray(0, n), { stream: true }), errors);
  }
  const rest = decode(() => decoder.decode(), errors);
  if (rest) yield rest;
}

function decode(run: () => string, errors: ImportErrors): string {
  try {
    return run();
  } catch {
    throw errors.unreadable('metrics/unreadable-undecodable');
  }
}

/** A file not all UTF-8: read whole, decoded and checked as one (GBK, UTF-16, mixed, binary). */
async function wholeFile(fh: FileHandle, size: number, htmlXls: boolean, errors: ImportErrors): Promise<ExportText> {
  const bytes = Buffer.allocUnsafe(size);
  for (let position = 0; position < size; ) {
    const n = read(fh, bytes.subarray(position), position, errors);
    if (n === 0) throw errors.unreadable('metrics/unreadable-io', { code: 'EIO' });
    position += n;
  }
  await fh.close();
  const decoded = decodeText(bytes);
  if (!decoded.ok && decoded.reason === 'binary') throw errors.unreadable('metrics/unreadable-binary');
  // Not all UTF-8: a row in another encoding among UTF-8 rows is refused with its line, never guessed.
  const problem = !decoded.ok || decoded.encoding === 'gbk' ? findEncodingProblem(bytes, !decoded.ok) : undefined;
  if (problem?.kind === 'undecodable') throw errors.unreadable('metrics/unreadable-undecodable-line', { line: problem.line });
  if (problem) throw errors.mixed(problem.line, problem.kind);
  if (!decoded.ok) throw errors.unreadable('metrics/unreadable-undecodable');
  const { text, encoding } = decoded;
  async function* one(): AsyncGenerator<string> {
    yield text;
  }
  return { encoding, lines: countLines(text), chunks: () => htmlChecked(one(), htmlXls, errors), close: async () => {} };
}

/** Some back offices save an HTML table as .xls; their tab-separated ".xls" files are imported as text. */
async function* htmlChecked(chunks: AsyncGenerator<string>, htmlXls: boolean, errors: ImportErrors): AsyncGenerator<string> {
  if (!htmlXls) return yield* chunks;
  // The text up to its first non-blank character decides; it is then passed on as it came.
  let lead = '';
  let checked = false;
  for await (const chunk of chunks) {
    if (checked) {
      yield chunk;
      continue;
    }
    lead += chunk;
    if (/^\s*$/.test(lead)) continue;
    if (/^\s*</.test(lead)) throw errors.unreadable('metrics/unreadable-xlsx');
    checked = true;
    yield lead;
  }
  if (!checked && lead) yield lead;
}

/** An .xlsx (a zip) or an old .xls (an OLE container), whatever the file is called. */
function isSpreadsheet(bytes: Buffer): boolean {
  const zip = bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304;
  const ole = bytes.length >= 8 && bytes.readUInt32BE(0) === 0xd0cf11e0 && bytes.readUInt32BE(4) === 0xa1b11ae1;
  return zip || ole;
}


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
