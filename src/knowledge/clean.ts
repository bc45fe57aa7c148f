import { normalizeForMatch, splitSentences } from './normalize.js';
import { tableOfContents } from './numbering.js';

/** A paragraph (one line of the article) as written, with its 1-based line number. */
export interface Paragraph {
  readonly text: string;
  readonly line: number;
}

export type RemovalReason = 'title' | 'footer' | 'boilerplate' | 'duplicate' | 'contents';

export interface CleanResult {
  readonly paragraphs: Paragraph[];
  readonly removed: { readonly line: number; readonly reason: RemovalReason; readonly text: string }[];
}

/** What cleaning removes, from `lexicon/boilerplate.txt`: footer starts, whole paragraphs, single sentences. */
export interface BoilerplateRules {
  /** A line that starts the page footer: it and the rest go (in the second half of an article only). */
  readonly footer: readonly RegExp[];
  /** A whole paragraph that is an ad, blurb, attribution, breadcrumb, caption or contact line. */
  readonly paragraph: readonly RegExp[];
  /** An ad sentence inside a useful paragraph. */
  readonly sentence: readonly RegExp[];
}

/** Parses the boilerplate file: regular expressions under `[footer]`, `[paragraph]` and `[sentence]`. */
export function parseBoilerplate(text: string): BoilerplateRules {
  const rules: Record<keyof BoilerplateRules, RegExp[]> = { footer: [], paragraph: [], sentence: [] };
  let section: keyof BoilerplateRules | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const header = /^\[(footer|paragraph|sentence)\]$/.exec(line);
    if (header) {
      section = header[1] as keyof BoilerplateRules;
      return;
    }
    if (!section) throw new Error(`boilerplate line ${i + 1}: a rule before any [section]`);
    rules[section].push(new RegExp(line, 'u'));
  });
  return rules;
}

const URL = /\b(?:https?:\/\/|www\.)[^\s，。,、)）]+/gi;
const PHONE = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)/g;

/** A paragraph this long is content, and a verbatim repeat of it is a paste accident. */
const MIN_DUPLICATE_LENGTH = 40;

/**
 * Markdown syntax a person should not read in an answer: links and images, emphasis, inline code,
 * quotes, list markers, table pipes; code fences and table rules go entirely. `#` headings stay, the
 * splitter reads structure from them.
 */
export function stripMarkdown(line: string): string {
  if (/^(```|~~~)/.test(line) || /^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$/.test(line)) return '';
  let out = line
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/^>\s?/, '')
    .replace(/^(\s*)([-*+]|\d+\.)\s+(?=\S)/, (m, _sp, marker: string) => (/\d/.test(marker) ? m.trimStart() : ''));
  if (/^\|.*\|$/.test(out)) out = out.slice(1, -1).split('|').map((c) => c.trim()).filter(Boolean).join('，');
  return out.trim();
}

function stripInline(text: string): string {
  return text.replace(URL, '').replace(PHONE, '').trim();
}

function withoutAdSentences(text: string, rules: readonly RegExp[]): string {
  const isAd = (t: string) => rules.some((re) => re.test(normalizeForMatch(t)));
  // Sentence by sentence: a rule anchored at a sentence's start (an introduction, a sign-off) must meet
  // the sentence, not the paragraph.
  const sentences = splitSentences(text);
  if (!sentences.some(isAd)) return text;
  return sentences.filter((s) => !isAd(s)).join('');
}

/**
 * Cleans one article for the index, keeping the original wording of what stays: drops the title line,
 * footers, boilerplate paragraphs and ad sentences (by `rules`), URLs and phone numbers, a table of
 * contents, and paragraphs pasted twice.
 */
export function cleanDocument(text: string, rules: BoilerplateRules, title = '', markdown = false): CleanResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const removed: { line: number; reason: RemovalReason; text: string }[] = [];
  const candidates: Paragraph[] = [];
  lines.forEach((raw, i) => {
    const t = markdown ? stripMarkdown(raw.trim()) : raw.trim();
    if (t) candidates.push({ text: t, line: i + 1 });
  });

  const normTitle = normalizeForMatch(title).trim();
  const kept: Paragraph[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const p = candidates[i]!;
    const norm = normalizeForMatch(p.text);
    if (i === 0 && normTitle && normalizeForMatch(p.text.replace(/^#+\s*/, '')) === normTitle) {
      removed.push({ line: p.line, reason: 'title', text: p.text });
      continue;
    }
    if (i === 0 && normTitle && norm.startsWith(normTitle) && norm.length <= normTitle.length + 16) {
      removed.push({ line: p.line, reason: 'title', text: p.text });
      continue;
    }
    if (rules.footer.some((re) => re.test(norm)) && i >= candidates.length / 2) {
      for (const rest of candidates.slice(i)) removed.push({ line: rest.line, reason: 'footer', text: rest.text });
      break;
    }
    if (rules.paragraph.some((re) => re.test(norm))) {
      removed.push({ line: p.line, reason: 'boilerplate', text: p.text });
      continue;
    }
    const cleaned = stripInline(withoutAdSentences(p.text, rules.sentence));
    if (!cleaned) {
      removed.push({ line: p.line, reason: 'boilerplate', text: p.text });
      continue;
    }
    kept.push({ text: cleaned, line: p.line });
  }
  const contents = tableOfContents(kept.map((p) => p.text));
  for (const i of contents) removed.push({ line: kept[i]!.line, reason: 'contents', text: kept[i]!.text });
  return { paragraphs: dropDuplicates(kept.filter((_, i) => !contents.has(i)), removed), removed };
}

/**
 * Drops paragraphs that repeat verbatim. Short lines (headings) repeat legitimately, as in a table of
 * contents, so a short repeat goes only when the paragraph after it is a dropped repeat too.
 */
function dropDuplicates(paragraphs: Paragraph[], removed: CleanResult['removed'][number][]): Paragraph[] {
  const seen = new Set<string>();
  const norms = paragraphs.map((p) => normalizeForMatch(p.text).replace(/\s+/g, ''));
  const dup = norms.map((n) => {
    const repeated = seen.has(n);
    seen.add(n);
    return repeated;
  });
  const drop = norms.map((n, i) => dup[i]! && n.length >= MIN_DUPLICATE_LENGTH);
  for (let i = paragraphs.length - 2; i >= 0; i--) {
    if (dup[i] && !drop[i] && drop[i + 1]) drop[i] = true;
  }
  const out: Paragraph[] = [];
  paragraphs.forEach((p, i) => {
    if (drop[i]) removed.push({ line: p.line, reason: 'duplicate', text: p.text });
    else out.push(p);
  });
  return out;
}
