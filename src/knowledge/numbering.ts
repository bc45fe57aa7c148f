import { normalizeForMatch } from './normalize.js';

/** Chinese numerals used to number parts and points (一、 （二）). */
export const CN_NUM = '一二三四五六七八九十';

/**
 * The level of a numbered point's marker in the numbering of Chinese documents (GB/T 9704: 一、 above
 * （一） above 1. above (1), and ① below them), 1 = highest; `undefined` for a line that is not a numbered point.
 */
export function listRank(line: string): number | undefined {
  const raw = line.trim();
  // Before NFKC, which turns ① into 1.
  if (/^[\u2460-\u2473]/.test(raw)) return 5;
  const t = raw.normalize('NFKC');
  if (new RegExp(`^[${CN_NUM}]+、`).test(t)) return 1;
  if (new RegExp(`^\\([${CN_NUM}]+\\)`).test(t)) return 2;
  if (/^\d{1,2}\s*[、.](?!\d)/.test(t)) return 3;
  if (/^\(?\d{1,2}\s*\)/.test(t)) return 4;
  return undefined;
}

/** A table-of-contents line is this short. */
const MAX_CONTENTS_LINE = 40;

/** A point's wording without its number, for matching a contents line with its heading ("5、优缺点" = "5. 优缺点"). */
function titleKey(line: string): string {
  const t = normalizeForMatch(line).replace(/\s+/g, '');
  return t.replace(new RegExp(`^(?:[${CN_NUM}]+、|\\([${CN_NUM}]+\\)|\\(?\\d{1,2}[、.)])`), '');
}

/**
 * The indices of an article's table of contents: a run of three or more short numbered lines, two or
 * more of which come back later in the article as headings. It is navigation, not content: left in, it
 * becomes a passage of bare titles, cited under the last of them.
 */
export function tableOfContents(lines: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (let start = 0; start < lines.length; ) {
    let end = start;
    while (end < lines.length && lines[end]!.length <= MAX_CONTENTS_LINE && listRank(lines[end]!) !== undefined) end++;
    if (end - start >= 3) {
      const later = new Set(lines.slice(end).map(titleKey));
      const recurring = lines.slice(start, end).filter((l) => later.has(titleKey(l))).length;
      if (recurring >= 2) for (let i = start; i < end; i++) out.add(i);
    }
    start = Math.max(end, start + 1);
  }
  return out;
}
