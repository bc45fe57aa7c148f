/**
 * Definition questions ("什么是私域流量", "GMV是什么数据", "what is AIPL") and the passages that answer them:
 * the one that defines the term (所谓X, X是指, X即, X（…）, 称为X), not the many that merely use it.
 * Both sides are given in their matching form (normalized and folded, see `Segmenter.fold`).
 */

import { LRUCache } from 'lru-cache';

const TRAILING = /[\s?？!！。.,，~～]+$|(?:呢|啊|呀|吗|哈)+$/u;
const ASKS_BEFORE = /^(?:请问|想问一下|问一下|想问|问下)?\s*(?:什么是|什么叫做?|什么叫作|啥是|啥叫|何为|何谓)\s*(.+)$/u;
const ASKS_AFTER =
  /^(?:请问|想问一下|问一下)?\s*(.+?)\s*(?:到底|究竟|具体)?(?:是什么|是啥|是指什么|指什么|指的是什么|代表什么|什么意思|啥意思|的意思|的定义|的含义|的概念|怎么理解)(?:意思|东西|概念|数据|指标)?$/u;
const ASKS_ENGLISH = /^(?:what\s+(?:is|are|does)|what's|define)\s+(?:an?\s+|the\s+)?(.+?)(?:\s+mean)?$/u;

/** The term a definition question asks about, or `undefined` when the question is not one. */
export function definedTerm(question: string): string | undefined {
  let q = question.trim();
  for (let prev = ''; prev !== q; ) {
    prev = q;
    q = q.replace(TRAILING, '');
  }
  const m = ASKS_ENGLISH.exec(q) ?? ASKS_BEFORE.exec(q) ?? ASKS_AFTER.exec(q);
  const term = m?.[1]?.replace(/^所谓/u, '').replace(/的$/u, '').trim();
  // A long "term", or one that lists ("AIPL里的A和I分别"), is a sentence, not a name to look up.
  if (!term || [...term].length < 2 || [...term].length > 12 || /[,，、。]|和|与|及|跟|分别/u.test(term)) return undefined;
  return term;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface DefinitionPatterns {
  readonly strong: readonly RegExp[];
  readonly spelledOut?: RegExp;
  readonly states: RegExp;
  readonly asks: RegExp;
}

/** Compiled patterns by term: a passage's sentences are tested against the same term many times a question. */
const patternCache = new LRUCache<string, DefinitionPatterns>({ max: 512 });

function patternsOf(term: string): DefinitionPatterns {
  let p = patternCache.get(term);
  if (p) return p;
  const x = escape(term);
  p = {
    strong: [
      new RegExp(`所谓\\s*${x}`, 'u'),
      new RegExp(`${x}\\s*[,，]?\\s*(?:即|指|是指|指的是|就是|其实就是|便是|也就是|意思是|的意思是|简称|全称)`, 'u'),
      new RegExp(`${x}\\s*(?:是|为)[^。！？!?；;]{0,16}的(?:简称|缩写|统称)`, 'u'),
      new RegExp(`${x}\\s*[(（]`, 'u'),
      new RegExp(`(?:称为|称之为|叫做|叫作|就是我们说的|就是我们常说的|我们常说的|我们说的)\\s*[“"「]?${x}`, 'u'),
    ],
    // An acronym spelled out letter by letter: "aipl里面的a(认知)".
    ...(/^[a-z0-9 ]+$/u.test(term) ? { spelledOut: new RegExp(`${x}[^。！？!?；;,，]{0,6}[(（]`, 'u') } : {}),
    states: new RegExp(`${x}\\s*(?:是|为)(?!否|不是)`, 'u'),
    asks: new RegExp(`什么\\s*(?:是|叫)?\\s*${x}\\s*[?？]`, 'u'),
  };
  patternCache.set(term, p);
  return p;
}

/** How strongly `sentence` defines `term`: 2 defines it (所谓X, X是指, X即, X（…）), 1 states what it is (X是), 0 neither. */
export function definitionStrength(sentence: string, term: string): number {
  // Most sentences do not name the term at all.
  if (!sentence.includes(term)) return 0;
  const p = patternsOf(term);
  if (p.strong.some((re) => re.test(sentence))) return 2;
  if (p.spelledOut?.test(sentence)) return 1;
  return p.states.test(sentence) ? 1 : 0;
}

/** True when `sentence` asks the term's question rhetorically ("什么是私域流量?"): the definition follows it. */
export function asksDefinition(sentence: string, term: string): boolean {
  return sentence.includes(term) && patternsOf(term).asks.test(sentence);
}
