import { charCount, firstChars } from '../../kernel/text.js';
import { normalizeForMatch } from '../../knowledge/normalize.js';

/** Words too generic to name one channel or product on their own. */
const GENERIC = new Set(['直播', '小店', '商品', '店铺', '旗舰', '旗舰店', '渠道', '平台', '商城', '官方', '产品', '专卖', '专营']);

/**
 * The data's name that the text mentions: the whole name, or a distinctive part of it of two characters
 * or more that covers half of it, is three characters long, or starts it (抖音 → 抖音直播, 雨靴 → 儿童雨靴,
 * 羽绒服 → 2025新款羽绒服, 抖音 → 抖音1号店). The longest match wins; a tie
 * between names is no match.
 */
export function matchName(text: string, names: readonly string[]): { name: string; matched: string } | undefined {
  // Bounded inputs keep a question linear in the number of names, whatever a file once stored.
  text = firstChars(normalizeForMatch(firstChars(text, MAX_MATCH_TEXT_CHARS * 2)), MAX_MATCH_TEXT_CHARS);
  let best: { name: string; matched: string; score: number } | undefined;
  let tie = false;
  for (const name of names) {
    const { n, cut } = matchForm(name);
    if (n.length === 0) continue;
    const sub = longestCommonPart(text, n);
    if (!sub || GENERIC.has(sub)) continue;
    const whole = sub === n && !cut;
    // Half the name, or three characters of it, or its first two (a brand: 抖音 → 抖音1号店).
    const enough = sub.length / n.length >= 0.5 || sub.length >= 3 || n.startsWith(sub);
    if (!whole && (sub.length < 2 || !enough)) continue;
    // Numbers are years, dates and amounts in a question, never a part of a name on their own.
    if (!whole && (/^[\d\s.]+$/.test(sub) || (/^[a-z0-9 ]+$/.test(sub) && sub.length < 4))) continue;
    const score = sub.length + (whole ? 0.5 : 0) + sub.length / n.length / 10;
    if (!best || score > best.score) {
      best = { name, matched: sub, score };
      tie = false;
    } else if (score === best.score) {
      tie = true;
    }
  }
  return best && !tie ? { name: best.name, matched: best.matched } : undefined;
}

/** Characters of a name compared with a question: as many as an import accepts (longer ones stored before are cut). */
export const MAX_MATCH_NAME_CHARS = 200;
/** Characters of a text searched for names: more than a question may have. */
export const MAX_MATCH_TEXT_CHARS = 1_000;

/** A name as matched, cut to MAX_MATCH_NAME_CHARS before the (linear, but not free) normalisation. */
function matchForm(name: string): { n: string; cut: boolean } {
  // Characters as the import counts them; only a bounded head of a long stored name is read.
  const long = charCount(firstChars(name, MAX_MATCH_NAME_CHARS + 1)) > MAX_MATCH_NAME_CHARS;
  const full = normalizeForMatch(long ? firstChars(name, MAX_MATCH_NAME_CHARS * 2) : name).trim();
  const n = firstChars(full, MAX_MATCH_NAME_CHARS);
  return { n, cut: long || n.length < full.length };
}

/**
 * The longest substring of `name` (two characters or more, no space at either end) that occurs in
 * `text`, the first in the name on a tie: one pass over text × name (longest common substring by
 * dynamic programming), where trying every substring was cubic.
 */
function longestCommonPart(text: string, name: string): string | undefined {
  const t = text.length;
  const n = name.length;
  if (t < 2 || n < 2) return undefined;
  // reach[j]: the longest run of name ending at j that occurs somewhere in text.
  const reach = new Int32Array(n);
  let prev = new Int32Array(n + 1);
  let cur = new Int32Array(n + 1);
  for (let i = 0; i < t; i++) {
    const c = text.charCodeAt(i);
    for (let j = 0; j < n; j++) {
      const run = name.charCodeAt(j) === c ? prev[j]! + 1 : 0;
      cur[j + 1] = run;
      if (run > reach[j]!) reach[j] = run;
    }
    [prev, cur] = [cur, prev];
  }
  // Every shorter run ending at j occurs too: take the earliest start that is not a space.
  const nextWord = new Int32Array(n + 1).fill(n);
  for (let k = n - 1; k >= 0; k--) nextWord[k] = SPACE.test(name[k]!) ? nextWord[k + 1]! : k;
  let bestStart = -1;
  let bestLength = 1;
  for (let j = 0; j < n; j++) {
    if (reach[j]! < 2 || SPACE.test(name[j]!)) continue;
    const start = nextWord[j - reach[j]! + 1]!;
    const length = j - start + 1;
    if (length > bestLength || (length === bestLength && start < bestStart)) {
      bestStart = start;
      bestLength = length;
    }
  }
  return bestStart === -1 ? undefined : name.slice(bestStart, bestStart + bestLength);
}

const SPACE = /\s/;
