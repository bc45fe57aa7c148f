import { normalizeForMatch } from './normalize.js';

/** A rewriting tool's swaps (`lexicon/rewrites.txt`), normalized. */
export interface Rewrites {
  /** Every rewritten form → its ordinary word. */
  readonly all: ReadonlyMap<string, string>;
  /** The forms no ordinary text has (优短缺, 民众号): folded in any text, and the sign of a rewritten document. */
  readonly telltales: ReadonlySet<string>;
}

const SECTIONS = { '[telltale]': true, '[ambiguous]': false } as const;

/**
 * Reads `rewrites.txt`: one pair a line, the rewritten form then the ordinary word, under a `[telltale]` or
 * an `[ambiguous]` header (lines before any header are telltales). An unknown header is an error: a typo
 * would otherwise quietly fold real words in every text.
 */
export function parseRewrites(lines: readonly string[]): Rewrites {
  const all = new Map<string, string>();
  const telltales = new Set<string>();
  let telltale = true;
  for (const line of lines) {
    if (line.startsWith('[')) {
      if (!(line in SECTIONS)) throw new Error(`rewrites.txt: unknown section ${line} (expected ${Object.keys(SECTIONS).join(' or ')})`);
      telltale = SECTIONS[line as keyof typeof SECTIONS];
      continue;
    }
    const [from, to] = line.split(/\s+/).map(normalizeForMatch);
    if (!from || to === undefined) continue;
    all.set(from, to);
    if (telltale) telltales.add(from);
    else telltales.delete(from);
  }
  return { all, telltales };
}

/** A pattern matching any of `forms`, the longer ones first (优短缺 before 短缺); `undefined` for none. */
export function alternation(forms: Iterable<string>): RegExp | undefined {
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  return sorted.length > 0 ? new RegExp(sorted.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gu') : undefined;
}

/** Telltales a document needs, and how many distinct ones, to be taken for machine-rewritten. */
export const REWRITTEN_MIN_OCCURRENCES = 3;
export const REWRITTEN_MIN_FORMS = 2;

/**
 * True when `text` holds at least `REWRITTEN_MIN_OCCURRENCES` telltales of at least `REWRITTEN_MIN_FORMS`
 * distinct forms: one odd word repeated is a typo or a name, several of them are a rewriting tool's work.
 * `text` is normalized first; a longer form is counted once, not with a shorter one inside it.
 */
export function looksRewritten(text: string, telltales: Iterable<string>, pattern = alternation(telltales)): boolean {
  if (!pattern) return false;
  const found = normalizeForMatch(text).match(pattern) ?? [];
  return found.length >= REWRITTEN_MIN_OCCURRENCES && new Set(found).size >= REWRITTEN_MIN_FORMS;
}
