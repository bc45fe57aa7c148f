import { isUtf8 } from 'node:buffer';
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { decodeText, type TextEncodingName } from '../../knowledge/decode.js';
import { findEncodingProblem } from './encoding.js';
import type { ImportErrors } from './import-errors.js';

/** Bytes a file may have: about 3 million rows. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;
/** Bytes scanned at a time (a Buffer outside the JS heap). */
const CHUNK_BYTES = 1024 * 1024;
/**
 * Bytes decoded at a time: small enough that a piece's text and the records cut from it die young (in
 * V8's new space) instead of piling up in the large-object space until a full collection (a piece of
 * 32 KB decodes to at most 64 KB of UTF-16, under V8's large-object size).
 */
const TEXT_CHUNK_BYTES = 32 * 1024;
/** Bytes of a scan chunk tested for control characters at once: a string of this size is young garbage, never a large object. */
const TEST_BYTES = 32 * 1024;
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

interface ByteScan {
  readonly bytes: number;
  readonly head: Buffer;
  readonly nul: boolean;
  readonly utf16: boolean;
  readonly utf8: boolean;
  readonly controls: number;
  readonly lines: number;
}

/** A byte that counts as a control character (tab, line feed and carriage return do not); NUL among them. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/**
 * One pass over the bytes: whether they are all UTF-8 (checked line by line: a line feed is never inside
 * a sequence), whether any is NUL, how many are control characters, and the non-empty lines. Native
 * searches do the work (indexOf, a regular expression over the bytes as Latin-1); bytes are counted one
 * by one only in a chunk that has a control character, which text exports hardly ever have.
 */
async function scanBytes(fh: FileHandle, errors: ImportErrors): Promise<ByteScan> {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let head = Buffer.alloc(0);
  let total = 0;
  let nul = false;
  let utf8 = true;
  let controls = 0;
  let lines = 0;
  // Where the current line starts (absolute), and the byte before the chunk (for a line of one carriage return).
  let lineStart = 0;
  let previous = -1;
  let pending: Buffer[] = [];
  for (;;) {
    const bytesRead = read(fh, buf, total, errors);
    if (bytesRead === 0) break;
    const offset = total;
    total += bytesRead;
    if (total > MAX_FILE_BYTES) throw errors.unreadable('metrics/unreadable-too-large', { size: megabytes(total), max: megabytes(MAX_FILE_BYTES) });
    const chunk = buf.subarray(0, bytesRead);
    if (head.length < 8) head = Buffer.concat([head, chunk.subarray(0, 8 - head.length)]);
    if (hasControl(chunk)) {
      for (const b of chunk) {
        if (b === 0) nul = true;
        else if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) controls++;
      }
    }
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
      const length = offset + i - lineStart;
      const last = i > 0 ? chunk[i - 1]! : previous;
      // A line counts when it has more than a carriage return.
      if (length > 1 || (length === 1 && last !== 0x0d)) lines++;
      lineStart = offset + i + 1;
    }
    previous = chunk[bytesRead - 1]!;
    if (utf8) {
      const end = chunk.lastIndexOf(0x0a);
      if (end === -1) pending.push(Buffer.from(chunk));
      else {
        utf8 = isUtf8(pending.length > 0 ? Buffer.concat([...pending, chunk.subarray(0, end + 1)]) : chunk.subarray(0, end + 1));
        pending = end + 1 < bytesRead ? [Buffer.from(chunk.subarray(end + 1))] : [];
      }
    }
  }
  if (utf8 && pending.length > 0) utf8 = isUtf8(Buffer.concat(pending));
  const length = total - lineStart;
  if (length > 1 || (length === 1 && previous !== 0x0d)) lines++;
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  return { bytes: total, head, nul, utf16, utf8, controls, lines };
}

function hasControl(chunk: Buffer): boolean {
  for (let i = 0; i < chunk.length; i += TEST_BYTES) if (CONTROL.test(chunk.toString('latin1', i, i + TEST_BYTES))) return true;
  return false;
}

/** UTF-16 code units the UTF-8 bytes from `start` decode to: what decodeText's control ratio divides by. */
async function countUnits(fh: FileHandle, start: number, bytes: number, errors: ImportErrors): Promise<number> {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let units = 0;
  for (let position = start; position < bytes; ) {
    const n = read(fh, buf.subarray(0, Math.min(CHUNK_BYTES, bytes - position)), position, errors);
    if (n === 0) break;
    position += n;
    for (let i = 0; i < n; i++) {
      const b = buf[i]!;
      // A continuation byte adds nothing; a four-byte sequence is a surrogate pair.
      if (b < 0x80 || b >= 0xc0) units += b >= 0xf0 ? 2 : 1;
    }
  }
  return units;
}

/**
 * Reads at `position` synchronously: the file is a regular file (devices and pipes are refused before),
 * so a read does not block for long, and a thread-pool round trip per chunk would cost more than the read
 * on a busy machine (twice the wall time for a 76 MB file under load). The import yields to the event loop
 * between rows instead.
 */
function read(fh: FileHandle, buf: Buffer, position: number, errors: ImportErrors): number {
  try {
    return readSync(fh.fd, buf, 0, buf.length, position);
  } catch (err) {
    throw errors.readFailed(err);
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

function megabytes(bytes: number): string {
  return Math.ceil(bytes / (1024 * 1024)).toLocaleString('en-US');
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
