import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LRUCache } from 'lru-cache';
import type * as JiebaModule from '@node-rs/jieba';
import type * as JiebaDict from '@node-rs/jieba/dict.js';
import { parseBoilerplate, type BoilerplateRules } from './clean.js';
import { normalizeForMatch } from './normalize.js';
import { alternation, looksRewritten, parseRewrites } from './rewrites.js';

/** The shipped domain dictionary, synonyms and stopwords. */
export const LEXICON_DIR = join(dirname(fileURLToPath(import.meta.url)), 'lexicon');

export interface Lexicon {
  /** Extra words for jieba, normalized. */
  readonly words: readonly string[];
  /** Each word → the first word of its synonym group. */
  readonly canonical: ReadonlyMap<string, string>;
  readonly stopwords: ReadonlySet<string>;
  /** Words that mark a question as a shop question (`shop-words.txt`, the domain words and synonyms), normalized. */
  readonly shopWords: readonly string[];
  /** Small talk that is no shop question (from `chitchat.txt`), matched on the normalized question. */
  readonly chitchat: readonly RegExp[];
  /** Rewritten form → ordinary word (from `rewrites.txt`, both sections), normalized. */
  readonly rewrites: ReadonlyMap<string, string>;
  /** The rewritten forms no ordinary text has (`rewrites.txt`'s telltales): folded in any text. */
  readonly telltales: ReadonlySet<string>;
  /** What cleaning removes from articles. */
  readonly boilerplate: BoilerplateRules;
  /** Changes when any lexicon file changes: part of the index's fingerprint. */
  readonly fingerprint: string;
}

function dataLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** Parses the lexicon files' contents. Synonym groups sharing a word are joined into one. */
export function parseLexicon(
  words: string,
  synonyms: string,
  stopwords: string,
  boilerplate = '',
  rewrites = '',
  chitchat = '',
  shopWords = '',
): Lexicon {
  const parent = new Map<string, string>();
  const find = (w: string): string => {
    let root = w;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(w, root);
    return root;
  };
  for (const line of dataLines(synonyms)) {
    const group = line.split(/\s+/).map(normalizeForMatch);
    for (const w of group) if (!parent.has(w)) parent.set(w, w);
    const root = find(group[0]!);
    for (const w of group.slice(1)) {
      const r = find(w);
      if (r !== root) parent.set(r, root);
    }
  }
  const canonical = new Map<string, string>();
  for (const w of parent.keys()) canonical.set(w, find(w));
  const wordList = dataLines(words).map((l) => normalizeForMatch(l.split(/\s+/)[0]!));
  const stop = new Set(dataLines(stopwords).flatMap((l) => l.split(/\s+/)).map(normalizeForMatch));
  const fingerprint = createHash('sha256')
    .update([words, synonyms, stopwords, boilerplate, rewrites, chitchat, shopWords].join('\0'))
    .digest('hex');
  // Synonyms must also be whole words for jieba, or a group member would never be produced as a token.
  const all = [...new Set([...wordList, ...canonical.keys()])].filter((w) => w.length > 1);
  const rewriteForms = parseRewrites(dataLines(rewrites));
  return {
    words: all,
    canonical,
    stopwords: stop,
    boilerplate: parseBoilerplate(boilerplate),
    chitchat: dataLines(chitchat).map((l) => new RegExp(l, 'u')),
    shopWords: [...new Set([...all, ...dataLines(shopWords).flatMap((l) => l.split(/\s+/)).map(normalizeForMatch)])],
    rewrites: rewriteForms.all,
    telltales: rewriteForms.telltales,
    fingerprint,
  };
}

/** Reads the lexicon shipped in `dir` (default: the project's). */
export function loadLexicon(dir: string = LEXICON_DIR): Lexicon {
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return parseLexicon(
    read('domain-words.txt'),
    read('synonyms.txt'),
    read('stopwords.txt'),
    read('boilerplate.txt'),
    read('rewrites.txt'),
    read('chitchat.txt'),
    read('shop-words.txt'),
  );
}

/** How a text is folded. */
export interface FoldOptions {
  /**
   * The text comes from a document a rewriting tool made (see `Segmenter.isRewritten`): its real words
   * (生产者, 短缺, 赢利) are read back too. Never set for a question, nor for an ordinary document, where
   * those words mean what they say.
   */
  readonly rewritten?: boolean;
  /**
   * The text is a passage's sentence, scored again question after question: its fold and segmentation
   * are remembered (see `MEMO_ENTRIES`). Never set for a question: a new question is segmented afresh.
   */
  readonly remember?: boolean;
}

const TOKEN_WITH_CONTENT = /[\p{L}\p{N}]/u;
/**
 * Folds and segmentations of passage sentences (`FoldOptions.remember`), kept per Segmenter: an answer
 * scores the same passages' sentences question after question, and jieba with the folding was most of
 * what that cost. Only texts up to `MEMO_MAX_CHARS` are kept.
 */
const MEMO_ENTRIES = 4_096;
const MEMO_MAX_CHARS = 400;
const jiebaCache = new Map<string, JiebaModule.Jieba>();
// jieba (a native binding) and its dictionary files (about 10 MB, read when dict.js is loaded) are
// required when the first Segmenter is made, not by every command that imports the knowledge base.
const require = createRequire(import.meta.url);

/** Turns text into index terms: normalized, segmented by jieba (search mode), stopwords out, synonyms folded. */
export class Segmenter {
  private readonly jieba: JiebaModule.Jieba;
  /** The telltale forms, folded in any text. */
  private readonly telltales?: RegExp;
  /** Every rewritten form, folded inside a rewritten document. */
  private readonly rewrite?: RegExp;
  private readonly folded = new LRUCache<string, string>({ max: MEMO_ENTRIES });
  private readonly segmented = new LRUCache<string, readonly string[]>({ max: MEMO_ENTRIES });

  constructor(readonly lexicon: Lexicon = loadLexicon()) {
    let jieba = jiebaCache.get(lexicon.fingerprint);
    if (!jieba) {
      // Loading jieba's dictionary takes a moment; one instance per lexicon serves the process.
      const { Jieba } = require('@node-rs/jieba') as typeof JiebaModule;
      const { dict } = require('@node-rs/jieba/dict.js') as typeof JiebaDict;
      jieba = Jieba.withDict(dict);
      // Frequency high enough that the domain word beats jieba's own split of it.
      jieba.loadDict(Buffer.from(lexicon.words.map((w) => `${w} 200000 n`).join('\n')));
      jiebaCache.set(lexicon.fingerprint, jieba);
    }
    this.jieba = jieba;
    this.telltales = alternation(lexicon.telltales);
    this.rewrite = alternation(lexicon.rewrites.keys());
  }

  /**
   * The form `text` is matched in: normalized, and a rewriting tool's words folded back to the ordinary ones:
   * the telltales (优短缺, 民众号) always, the real words (赢利, 生产者) only in a rewritten document.
   */
  fold(text: string, options: FoldOptions = {}): string {
    const key = options.remember && text.length <= MEMO_MAX_CHARS ? `${options.rewritten ? 'r' : 'o'}${text}` : undefined;
    const known = key === undefined ? undefined : this.folded.get(key);
    if (known !== undefined) return known;
    const normalized = normalizeForMatch(text);
    const pattern = options.rewritten ? this.rewrite : this.telltales;
    const result = pattern ? normalized.replace(pattern, (m) => this.lexicon.rewrites.get(m) ?? m) : normalized;
    if (key !== undefined) this.folded.set(key, result);
    return result;
  }

  /** True when a document's text looks machine-rewritten (see `looksRewritten`): fold its passages with `{ rewritten: true }`. */
  isRewritten(text: string): boolean {
    return looksRewritten(text, this.lexicon.telltales, this.telltales);
  }

  /** Character bigrams of `text` in its folded form (see `charBigrams`). */
  bigrams(text: string, options: FoldOptions = {}): string[] {
    return charBigrams(this.fold(text, options));
  }

  /**
   * The terms of `text`, in order, repeats kept (term frequency matters to BM25). `search` mode (for
   * indexing and ranking) adds the parts of long words (直播预告 → 直播, 预告); `precise` mode keeps
   * each word whole, to tell whether a passage has what the question asks about (保证金, not just 保证).
   */
  terms(text: string, mode: 'search' | 'precise' = 'search', options: FoldOptions = {}): string[] {
    const key = options.remember && text.length <= MEMO_MAX_CHARS ? `${mode === 'search' ? 's' : 'p'}${options.rewritten ? 'r' : 'o'}${text}` : undefined;
    const known = key === undefined ? undefined : this.segmented.get(key);
    // A copy: callers may change what they get.
    if (known) return [...known];
    const out = this.segment(text, mode, options);
    if (key !== undefined) this.segmented.set(key, out.slice());
    return out;
  }

  private segment(text: string, mode: 'search' | 'precise', options: FoldOptions): string[] {
    const out: string[] = [];
    const normalized = this.fold(text, options);
    const tokens = mode === 'search' ? this.jieba.cutForSearch(normalized, false) : this.jieba.cut(normalized, false);
    for (const raw of tokens) {
      const token = raw.trim();
      if (!token || !TOKEN_WITH_CONTENT.test(token) || this.lexicon.stopwords.has(token)) continue;
      out.push(this.lexicon.canonical.get(token) ?? token);
    }
    return out;
  }
}

/**
 * Character bigrams of the Chinese runs of `text` (a lone character stands as itself) and the Latin or
 * digit words whole: a second view of a passage that needs no dictionary, so a paraphrase that jieba
 * segments differently still meets the passage (直播卖货 / 直播带货 share 直播).
 */
export function charBigrams(text: string): string[] {
  const out: string[] = [];
  for (const run of normalizeForMatch(text).match(/\p{Script=Han}+|[a-z0-9]+/gu) ?? []) {
    if (!/\p{Script=Han}/u.test(run) || run.length === 1) {
      out.push(run);
      continue;
    }
    for (let i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
  }
  return out;
}
