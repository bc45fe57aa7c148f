import { asksDefinition, definitionStrength } from './definition.js';
import type { Segmenter } from './segment.js';

export interface SentenceScoring {
  /** The question's words with their weights. */
  readonly terms: ReadonlyMap<string, number>;
  readonly segmenter: Segmenter;
  /** Set for a definition question: the term asked about, in its matching form. */
  readonly definedTerm?: string;
  /** The question asks how to do something or how to fix it (怎么办, 如何提升). */
  readonly asksHow?: boolean;
  /** The kind of answer the question asks for, when it asks for one (see `answerKind`). */
  readonly wants?: AnswerKind;
  /** The sentences come from a rewritten document (see `Chunk.rewritten`). */
  readonly rewritten?: boolean;
}

/** The sentence's matching form, and its words: folded as its document is (see `SentenceScoring.rewritten`). */
const foldOf = (s: SentenceScoring, text: string) => s.segmenter.fold(text, { rewritten: s.rewritten === true, remember: true });
const termsOf = (s: SentenceScoring, text: string, mode?: 'search' | 'precise') => s.segmenter.terms(text, mode, { rewritten: s.rewritten === true, remember: true });

/** What a sentence that announces keeps of its own weight; the sentence after it takes `INHERIT` of it. */
const ANNOUNCE_SHARE = 0.3;
const INHERIT = 0.9;
/** A sentence with fewer characters than this besides the question's own words only restates the question. */
const MIN_OWN_CONTENT = 8;
/** What a sentence holding the kind of answer the question wants (see `answerKind`) gains, as a share of the question's weight. */
const KIND_BONUS = 0.2;
/** What a sentence without it keeps of its weight. */
const OTHER_KIND_SHARE = 0.5;

/** The kinds of answer a question can ask for besides its words, and what a sentence holding one looks like. */
const ANSWER_KINDS = {
  /** 多久, 几个, 什么时候: a number, a count or a time. */
  quantity: /\d|[一两二三四五六七八九十百千万半几]+\s*(?:个|次|天|周|月|年|小时|分钟|秒|点|步|字|倍|成|人)|凌晨|早上|晚上|之前|以内|以上|提前|每/u,
  /** 有哪些, 哪几个, 包括什么: an enumeration. */
  list: /、.*、|包括/u,
  /** 有什么好处, 有什么用: an effect. */
  benefit: /能|可以|提高|提升|增加|降低|让|帮助|带来/u,
} as const;
export type AnswerKind = keyof typeof ANSWER_KINDS;

/** How much a word held by few of the passage's sentences counts over one most of them hold: 1 + LOCAL_WEIGHT·ln(n/df). */
const LOCAL_WEIGHT = 0.5;

const ORDINAL = /^(?:第[一二三四五六七八九十\d]+[步点条章节部分]|[(（]?\d{1,2}\s*[、.)）]|[一二三四五六七八九十]+[、.])/u;
const TURN = /^(?:但是?|然而|不过|可是|其实)/u;
const ADVICE = /要|可以|应该|应当|最好|建议|需要|必须|不能|别|记得|注意|通过|利用|借助|借鉴|尽快|及时|提前|提醒|先|务必/u;
const CLOSED = /[。！？!?；;…，,：:”"’）)】」]$/u;
const TOPIC_OPENER = /^(?:先说|我们先来|先来|下面|接下来|以下|首先我们|我们来|来看看)/u;
const LIST_ANNOUNCER = /(?:如下|以下几点|以下[几两三四五]个|[两三四五六几]个(?:原因|方面|特点|步骤)|一些.{0,8}(?:技巧|方法|办法|建议))[。.]?$/u;

/**
 * True when a sentence names the topic rather than answering: a question, a heading, a line ending in a
 * colon, an opener ("先说…", "我们先来归纳一下…"), a list's announcement, a sentence that says little
 * besides the question's own words ("而B端电商运营,要更复杂一点。"), or, for a question that asks how to
 * do something, a sentence that gives no advice (it describes the situation: "经常见到她们跟主播抢麦…")
 * or defines one of the question's words ("点击率即用户打开率…" for "CTR太低怎么办").
 */
export function announces(sentence: string, s: SentenceScoring): boolean {
  const text = sentence.trim();
  if (/[?？]$/u.test(text) || /[:：]$/u.test(text)) return true;
  if (!CLOSED.test(text) && [...text].length <= 20) return true;
  // A numbered step or point that only names itself ("第1步,罗列出你现有可触达推广的渠道。").
  if (ORDINAL.test(text) && [...text].length <= 24) return true;
  const folded = foldOf(s, text);
  if (TOPIC_OPENER.test(folded) || LIST_ANNOUNCER.test(folded)) return true;
  const words = termsOf(s, text, 'precise');
  const length = (ws: readonly string[]) => ws.reduce((n, t) => n + [...t].length, 0);
  const own = length(words.filter((t) => !s.terms.has(t)));
  if (own < MIN_OWN_CONTENT && own < length(words) / 2) return true;
  // Asked how, a sentence that gives no advice describes the situation; the advice follows it.
  if (s.asksHow && !ADVICE.test(folded)) return true;
  if (!s.definedTerm && s.asksHow) {
    for (const t of s.terms.keys()) if ([...t].length >= 2 && definitionStrength(folded, t) === 2) return true;
  }
  return false;
}

/**
 * How well each sentence of a passage opens the answer: the weight of the question's words it carries; a
 * sentence that only announces the topic keeps a share of it and passes the rest to the sentence after it,
 * which is where the answer usually is. For a definition question the defining sentence comes first.
 */
export function scoreSentences(sentences: readonly string[], s: SentenceScoring): number[] {
  const total = [...s.terms.values()].reduce((a, w) => a + w, 0);
  const present = sentences.map((text) => new Set(termsOf(s, text)));
  // A word the passage repeats in many sentences tells them apart less than one only a few hold.
  const n = sentences.length;
  const local = new Map([...s.terms.keys()].map((t) => {
    const df = present.filter((p) => p.has(t)).length;
    return [t, df === 0 ? 0 : 1 + LOCAL_WEIGHT * Math.log(n / df)];
  }));
  const own = present.map((p, i) => {
    let score = 0;
    for (const [t, w] of s.terms) if (p.has(t)) score += w * local.get(t)!;
    if (!s.wants || score === 0) return score;
    // A list's number ("2)有好货…") is no quantity.
    return ANSWER_KINDS[s.wants].test(foldOf(s, sentences[i]!).replace(ORDINAL, '')) ? score + KIND_BONUS * total : score * OTHER_KIND_SHARE;
  });
  const announcing = sentences.map((text, i) => own[i]! > 0 && announces(text, s));
  // A sentence followed by a turn ("但也不能因此盲目使用低价品引流…") sets the scene for it: the turn, if it
  // carries any of the question's words too, is the point.
  const turned = sentences.map((_, i) => own[i]! > 0 && i + 1 < sentences.length && TURN.test(sentences[i + 1]!.trim()));
  return sentences.map((text, i) => {
    let score = own[i]! * (announcing[i] ? ANNOUNCE_SHARE : 1);
    if (i > 0 && (announcing[i - 1] || (turned[i - 1] && own[i]! > 0))) score += own[i - 1]! * INHERIT;
    return score + definitionBonus(sentences, i, s) * total;
  });
}

function definitionBonus(sentences: readonly string[], i: number, s: SentenceScoring): number {
  const term = s.definedTerm;
  if (!term) return 0;
  const folded = foldOf(s, sentences[i]!);
  if (asksDefinition(folded, term)) return 0;
  const previous = i > 0 ? foldOf(s, sentences[i - 1]!) : '';
  return previous && asksDefinition(previous, term) ? 2 : definitionStrength(folded, term);
}

/** True when a question asks how to do or fix something, or what to do ("CTR太低怎么办", "运营助理平时干啥"). */
export function asksHow(question: string): boolean {
  return /怎么办|怎么(?:做|提升|提高|改善|处理|解决|弄|搞|安排)|如何|怎样|咋办|咋整|(?:什么|啥)(?:办法|方法|技巧)|干啥|干嘛|干什么|做什么|做哪些|how\s+(?:to|do|can)/iu.test(
    question.normalize('NFKC'),
  );
}

/** The kind of answer a question asks for: a quantity or a time (多久, 几个, 什么时候), a list (有哪些), an effect (有什么好处). */
export function answerKind(question: string): AnswerKind | undefined {
  const q = question.normalize('NFKC');
  if (/多久|多长|多少|几[个次天步点种条字位家岁年月周]|什么时[候间]|啥时候|何时|哪天|几点/u.test(q)) return 'quantity';
  if (/哪些|哪几|包括什么/u.test(q)) return 'list';
  if (/好处|优点|优势|长处|作用|用处|有什么用/u.test(q)) return 'benefit';
  return undefined;
}
