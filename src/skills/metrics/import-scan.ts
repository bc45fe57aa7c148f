import { isUtf8 } from 'node:buffer';
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { ImportErrors } from './import-errors.js';

/** Bytes a file may have: about 3 million rows. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;
/** Bytes scanned at a time (a Buffer outside the JS heap). */
export const CHUNK_BYTES = 1024 * 1024;
/** Bytes of a scan chunk tested for control characters at once: a string of this size is young garbage, never a large object. */
const TEST_BYTES = 32 * 1024;

/** What one pass over an export's bytes found. */
export interface ByteScan {
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
export async function scanBytes(fh: FileHandle, errors: ImportErrors): Promise<ByteScan> {
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
export async function countUnits(fh: FileHandle, start: number, bytes: number, errors: ImportErrors): Promise<number> {
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
export function read(fh: FileHandle, buf: Buffer, position: number, errors: ImportErrors): number {
  try {
    return readSync(fh.fd, buf, 0, buf.length, position);
  } catch (err) {
    throw errors.readFailed(err);
  }
}


/** A size in MB, rounded up, as the messages say it. */
export function megabytes(bytes: number): string {
  return Math.ceil(bytes / (1024 * 1024)).toLocaleString('en-US');
}
