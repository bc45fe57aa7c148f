import iconv from 'iconv-lite';

/** A line whose encoding differs from the rest of the file, or that no supported encoding reads. */
export interface EncodingProblem {
  /** 1-based line of the file. */
  readonly line: number;
  /** not-utf8: a line in another encoding among UTF-8 lines; utf8: a UTF-8 line among GBK lines; undecodable: neither. */
  readonly kind: 'not-utf8' | 'utf8' | 'undecodable';
}

const LF = 0x0a;

/**
 * The first line that makes a file that is not all UTF-8 ambiguous: one neither UTF-8 nor GB18030 reads
 * (looked for only when `undecodable`, the whole file having failed both), or, when some lines are
 * UTF-8 Chinese and others are not, the first line of the smaller group. A file decoded whole as GBK
 * would turn its UTF-8 rows into new names (抖音直播 → 鎶栭煶鐩存挱), so a mix is refused rather than
 * guessed. Only lines with a Chinese character in valid UTF-8 count as UTF-8: a few GBK bytes can happen
 * to be valid UTF-8, but hardly ever spell Chinese in it. One pass over the bytes, no decoding, so a
 * million-row GBK export is checked in well under a second.
 */
export function findEncodingProblem(bytes: Uint8Array, undecodable = false): EncodingProblem | undefined {
  let firstUtf8: number | undefined;
  let firstOther: number | undefined;
  let utf8Lines = 0;
  let otherLines = 0;
  let line = 1;
  let start = 0;
  let high = false;
  let valid = true;
  let chinese = false;
  const n = bytes.length;
  for (let i = 0; i <= n; ) {
    const b = i < n ? bytes[i]! : LF;
    if (b === LF) {
      if (high && valid && chinese) {
        utf8Lines++;
        firstUtf8 ??= line;
      } else if (high && !valid) {
        if (undecodable && iconv.decode(Buffer.from(bytes.subarray(start, i)), 'gb18030').includes('\uFFFD')) return { line, kind: 'undecodable' };
        otherLines++;
        firstOther ??= line;
      }
      i++;
      line++;
      start = i;
      high = false;
      valid = true;
      chinese = false;
      continue;
    }
    if (b < 0x80) {
      i++;
      continue;
    }
    high = true;
    if (!valid) {
      i++;
      continue;
    }
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      valid = false;
      i++;
      continue;
    }
    // U+4E00–U+9FFF (and the rest of U+4000–U+9FFF) are E4–E9 followed by two continuation bytes.
    if (length === 3 && b >= 0xe4 && b <= 0xe9) chinese = true;
    i += length;
  }
  if (firstUtf8 === undefined || firstOther === undefined) return undefined;
  return otherLines <= utf8Lines ? { line: firstOther, kind: 'not-utf8' } : { line: firstUtf8, kind: 'utf8' };
}

/** The length of the well-formed UTF-8 sequence starting at `i` (lead byte ≥ 0x80), or 0 when it is not one. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  let need: number;
  let low = 0x80;
  let high = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) need = 1;
  else if (b >= 0xe0 && b <= 0xef) {
    need = 2;
    if (b === 0xe0) low = 0xa0; // overlong
    if (b === 0xed) high = 0x9f; // surrogates
  } else if (b >= 0xf0 && b <= 0xf4) {
    need = 3;
    if (b === 0xf0) low = 0x90;
    if (b === 0xf4) high = 0x8f;
  } else return 0;
  const second = bytes[i + 1];
  if (second === undefined || second < low || second > high) return 0;
  for (let k = 2; k <= need; k++) {
    const c = bytes[i + k];
    if (c === undefined || c < 0x80 || c > 0xbf) return 0;
  }
  return need + 1;
}
