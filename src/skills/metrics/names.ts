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
  text = normalizeForMatch(text);
  let best: { name: string; matched: string; score: number } | undefined;
  let tie = false;
  for (const name of names) {
    const n = normalizeForMatch(name).trim();
    if (n.length === 0) continue;
    const sub = longestCommonPart(text, n);
    if (!sub || GENERIC.has(sub)) continue;
    const whole = sub === n;
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

/** The longest substring of `name` (two characters or more) that occurs in `text`. */
function longestCommonPart(text: string, name: string): string | undefined {
  for (let len = name.length; len >= 2; len--) {
    for (let i = 0; i + len <= name.length; i++) {
      const part = name.slice(i, i + len);
      if (part.trim().length === len && text.includes(part)) return part;
    }
  }
  return undefined;
}

