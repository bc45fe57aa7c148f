import iconv from 'iconv-lite';

/** A line whose encoding differs from the rest of the file, or that no supported encoding reads. */
export interface EncodingProblem {
  /** 1-based line of the file. */
  readonly line: number;
  /** not-utf8: a line in another encoding among UTF-8 lines; utf8: a UTF-8 line among GBK lines; undecodable: neither. */
  readonly kind: 'not-utf8' | 'utf8' | 'undecodable';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const CJK = /[\u4e00-\u9fff]/;
const LF = 0x0a;

/**
 * The first line that makes a file that is not all UTF-8 ambiguous: one neither UTF-8 nor GB18030 reads,
 * or, when some lines are UTF-8 Chinese and others are not, the first line of the smaller group. A file
 * decoded whole as GBK would turn its UTF-8 rows into new names (抖音直播 → 鎶栭煶鐩存挱), so a mix is
 * refused rather than guessed. Only lines with a Chinese character in valid UTF-8 count as UTF-8: a few
 * GBK bytes can happen to be valid UTF-8, but hardly ever spell Chinese in it.
 */
export function findEncodingProblem(bytes: Buffer): EncodingProblem | undefined {
  let firstUtf8: number | undefined;
  let firstOther: number | undefined;
  let utf8Lines = 0;
  let otherLines = 0;
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    let end = bytes.indexOf(LF, start);
    if (end === -1) end = bytes.length;
    const chunk = bytes.subarray(start, end);
    start = end + 1;
    if (!hasHighBytes(chunk)) continue;
    let text: string | undefined;
    try {
      text = utf8.decode(chunk);
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      if (CJK.test(text)) {
        utf8Lines++;
        firstUtf8 ??= line;
      }
      continue;
    }
    if (iconv.decode(chunk, 'gb18030').includes('\uFFFD')) return { line, kind: 'undecodable' };
    otherLines++;
    firstOther ??= line;
  }
  if (firstUtf8 === undefined || firstOther === undefined) return undefined;
  return otherLines <= utf8Lines ? { line: firstOther, kind: 'not-utf8' } : { line: firstUtf8, kind: 'utf8' };
}

function hasHighBytes(chunk: Buffer): boolean {
  for (let i = 0; i < chunk.length; i++) if (chunk[i]! >= 0x80) return true;
  return false;
}
