import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import type { Paragraph } from './clean.js';
import { CN_NUM, listRank } from './numbering.js';

/** A heading found in an article: its level (1 = top) and the title shown in citations. */
export interface Heading {
  readonly level: 1 | 2 | 3;
  readonly title: string;
  /** The heading line carries content of its own ("第1步,罗列出……"), so it stays in the passage too. */
  readonly inBody: boolean;
  /** The heading's title is the next line (`-01-` followed by "直播前期的预热"). */
  readonly titleOnNextLine?: boolean;
}

export interface Section {
  /** Headings from the top level down; empty for the text before the first heading. */
  readonly path: string[];
  readonly paragraphs: Paragraph[];
  /** The heading line, when it is not part of the body: put back when a section is merged into its parent. */
  readonly heading?: Paragraph;
}

const ENDS_SENTENCE = /[。！？!?；;，,…]$/;
const STAGE_LABEL = /^(开播前|直播前|直播中|直播后|开播后|下播后|播前|播中|播后)\s*[:：]/;

function firstClause(line: string, max = 24): string {
  const clause = line.split(/[,，:：。;；!！?？]/)[0] ?? line;
  return (clause.length > max ? clause.slice(0, max) + '…' : clause).trim();
}

/** Recognises the structures playbook articles use for headings; `null` for an ordinary paragraph. */
export function detectHeading(line: string, next?: string): Heading | null {
  const t = line.normalize('NFKC').trim();
  const md = /^(#{1,6})\s+(.+?)\s*#*$/.exec(t);
  if (md) return { level: Math.min(md[1]!.length, 3) as 1 | 2 | 3, title: md[2]!, inBody: false };
  if (/^-\s*\d{1,2}\s*-$/.test(t) && next !== undefined) return { level: 1, title: next.trim(), inBody: false, titleOnNextLine: true };
  if (new RegExp(`^[${CN_NUM}]+[、.]\\s*\\S`).test(t) && t.length <= 40) return { level: 1, title: t, inBody: false };
  if (new RegExp(`^第[${CN_NUM}\\d]+[步章节部分篇]`).test(t)) {
    const long = t.length > 30 || /[。！!]$/.test(t) || /[,，:：]/.test(t);
    return { level: 2, title: long ? firstClause(t, 30) : t, inBody: long };
  }
  // "1消费升级的新思维,了解电商运营新思路": a digit glued to the title marks a top-level part.
  if (/^\d{1,2}(?=[\u4e00-\u9fff])/.test(t) && t.length <= 40 && !/[。！!]$/.test(t)) {
    return { level: 1, title: t.replace(/^\d{1,2}/, '').trim(), inBody: false };
  }
  if (/^\(?\d{1,2}\s*[.、)）]\s*\S/.test(t) && t.length <= 30 && !ENDS_SENTENCE.test(t)) {
    return { level: 2, title: t, inBody: false };
  }
  // "怎么运营私域流量才高效呢?" on a line of its own, answered by the paragraph after it (not asked on by
  // more questions: a run of questions is an introduction, and a rhetorical one opens no answer).
  if (t.length <= 30 && /^[^。！!？?；;]+[？?]$/.test(t) && next !== undefined && !/[？?]$/.test(next.trim())) {
    return { level: 3, title: t.replace(/[？?]$/, ''), inBody: true };
  }
  if (STAGE_LABEL.test(t)) return { level: 3, title: t.split(/[:：]/)[0]!.trim(), inBody: true };
  if (t.length <= 16 && /[:：]$/.test(t)) return { level: 3, title: t.slice(0, -1).trim(), inBody: false };
  // A short line with no closing punctuation, followed by a paragraph: a plain title.
  if (t.length <= 20 && !ENDS_SENTENCE.test(t) && !/[:：,，]/.test(t) && next !== undefined && next.trim().length >= 24) {
    return { level: 1, title: t, inBody: false };
  }
  return null;
}

/**
 * Groups an article's paragraphs under their headings; sections with no text of their own are dropped.
 * A numbered point ends the open headings numbered at its own rank or below ("1、…" ends "2)粉丝自运营"),
 * even when it is a paragraph rather than a heading: it is the next point of a list higher up.
 */
export function sectionize(paragraphs: readonly Paragraph[]): Section[] {
  const sections: Section[] = [];
  const stack: { level: number; title: string; rank?: number }[] = [];
  let current: Paragraph[] = [];
  let heading: Paragraph | undefined;
  const flush = () => {
    if (current.length > 0) {
      sections.push({ path: stack.map((h) => h.title), paragraphs: current, ...(heading ? { heading } : {}) });
    }
    current = [];
  };
  for (let i = 0; i < paragraphs.length; i++) {
    const p = paragraphs[i]!;
    const found = detectHeading(p.text, paragraphs[i + 1]?.text);
    const rank = listRank(p.text);
    // The first open heading this point ends, with the ones under it.
    const ended = rank === undefined ? -1 : stack.findIndex((h) => h.rank !== undefined && h.rank >= rank);
    if (!found) {
      if (ended >= 0) {
        flush();
        stack.length = ended;
        heading = undefined;
      }
      current.push(p);
      continue;
    }
    flush();
    if (ended >= 0) stack.length = ended;
    while (stack.length > 0 && stack[stack.length - 1]!.level >= found.level) stack.pop();
    stack.push({ level: found.level, title: found.title, ...(rank !== undefined ? { rank } : {}) });
    // Put back as its plain title ("## 发货时效" → "发货时效") if this section is merged into its parent.
    heading = found.inBody ? undefined : { text: found.title, line: p.line };
    if (found.titleOnNextLine) i++;
    if (found.inBody) current.push(p);
  }
  flush();
  return sections;
}

function commonPrefix(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.min(a.length, b.length) && a[i] === b[i]; i++) out.push(a[i]!);
  return out;
}

const sizeOf = (paragraphs: readonly Paragraph[]) => paragraphs.reduce((n, p) => n + p.text.length + 1, 0);

/**
 * Merges small neighbouring sections of one part ("第1步" with its "外部公域流量:" and "内部私域流量:")
 * so that a passage is not a lone line; the merged passage is cited by the headings they share.
 */
export function mergeSmallSections(sections: readonly Section[], maxChars: number): Section[] {
  return mergeSiblings(mergeIntoParents(sections, maxChars), maxChars);
}

const isUnder = (path: readonly string[], parent: readonly string[]) =>
  parent.length > 0 && path.length > parent.length && parent.every((t, i) => path[i] === t);

/**
 * A small section goes into the section before it when that is its parent ("有两个原因:" into "第2步"),
 * before siblings are merged: otherwise "第1步" and "第2步" fill a passage and the reasons are cut off
 * from the question they answer.
 */
function mergeIntoParents(sections: readonly Section[], maxChars: number): Section[] {
  const out: Section[] = [];
  for (const s of sections) {
    const prev = out[out.length - 1];
    const body = s.heading ? [s.heading, ...s.paragraphs] : s.paragraphs;
    if (prev && isUnder(s.path, prev.path) && sizeOf(prev.paragraphs) + sizeOf(body) <= maxChars) {
      out[out.length - 1] = { ...prev, paragraphs: [...prev.paragraphs, ...body] };
    } else {
      out.push(s);
    }
  }
  return out;
}

function mergeSiblings(sections: readonly Section[], maxChars: number): Section[] {
  const out: Section[] = [];
  for (const s of sections) {
    const prev = out[out.length - 1];
    const shared = prev ? commonPrefix(prev.path, s.path) : [];
    const related = prev !== undefined && shared.length > 0 && shared.length >= Math.min(prev.path.length, s.path.length) - 1;
    const body = s.heading ? [s.heading, ...s.paragraphs] : s.paragraphs;
    if (prev && related && sizeOf(prev.paragraphs) + sizeOf(body) <= maxChars) {
      const prevBody = prev.heading && prev.path.length > shared.length ? [prev.heading, ...prev.paragraphs] : prev.paragraphs;
      out[out.length - 1] = { path: shared, paragraphs: [...prevBody, ...body] };
    } else {
      out.push(s);
    }
  }
  return out;
}

/**
 * LangChain's recursive splitter, keeping each separator at the end of the piece before it: with the
 * stock `keepSeparator` a "。" would open the next chunk instead of closing its sentence.
 */
export class ChineseTextSplitter extends RecursiveCharacterTextSplitter {
  constructor(chunkSize: number, chunkOverlap: number) {
    super({
      chunkSize,
      chunkOverlap,
      keepSeparator: true,
      separators: ['\n\n', '\n', '。', '！', '？', '!', '?', '；', ';', '，', ',', '、', ''],
    });
  }

  protected override splitOnSeparator(text: string, separator: string): string[] {
    if (!separator) return [...text];
    const escaped = separator.replace(/[/\-\\^$*+?.()|[\]{}]/g, '\\$&');
    return text.split(new RegExp(`(?<=${escaped})`)).filter((s) => s !== '');
  }
}

export interface ChunkDraft {
  readonly section: string;
  readonly text: string;
  readonly line: number;
}

export interface SplitOptions {
  /** Passages longer than this (characters) are split at sentence ends. */
  readonly chunkSize?: number;
  readonly chunkOverlap?: number;
  /** Section label for text before the first heading. */
  readonly introLabel: string;
  /** Section label for an article without any heading. */
  readonly bodyLabel: string;
}

/** Splits a cleaned article into passages: by its own structure first, then by size at sentence ends. */
export async function splitDocument(paragraphs: readonly Paragraph[], options: SplitOptions): Promise<ChunkDraft[]> {
  const chunkSize = options.chunkSize ?? 320;
  const splitter = new ChineseTextSplitter(chunkSize, options.chunkOverlap ?? 80);
  const drafts: ChunkDraft[] = [];
  const sections = mergeSmallSections(sectionize(paragraphs), chunkSize);
  const untitled = sections.every((s) => s.path.length === 0);
  for (const section of sections) {
    const label =
      section.path.length > 0 ? section.path.join(' > ') : untitled ? options.bodyLabel : options.introLabel;
    const text = section.paragraphs.map((p) => p.text).join('\n');
    const line = section.paragraphs[0]!.line;
    const pieces = text.length <= chunkSize ? [text] : await splitter.splitText(text);
    for (const piece of pieces) {
      const trimmed = piece.trim();
      if (trimmed) drafts.push({ section: label, text: trimmed, line });
    }
  }
  return drafts;
}
