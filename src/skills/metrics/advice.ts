import { readFileSync } from 'node:fs';
import type { Logger } from '../../kernel/logger.js';
import type { KnowledgeBase } from '../../knowledge/knowledge-base.js';
import { normalizeForMatch, splitSentences } from '../../knowledge/normalize.js';
import type { MetricName } from './definitions.js';

interface AdviceSearch {
  readonly query: string;
  readonly words: readonly string[];
}

/** One sentence of the playbook and where it is written. */
export interface PlaybookAdvice {
  readonly text: string;
  readonly doc: string;
  readonly section: string;
}

/** A ratio fell this much or more against the previous period: worth a line of advice. */
export const DROP_THRESHOLD = 0.1;

const SEARCHES = JSON.parse(readFileSync(new URL('./advice.json', import.meta.url), 'utf8')) as Partial<Record<MetricName, AdviceSearch>>;

const MAX_SENTENCE = 120;

/**
 * The playbook's advice for a fallen ratio: the passages found for the metric's search, and in them the
 * sentence with the most telling words (点击率: pictures and target audiences). Grounded in whatever
 * playbook the shop has; undefined when it says nothing useful, or the knowledge base cannot be read.
 */
export async function adviceFor(metric: MetricName, knowledge: KnowledgeBase, logger: Logger): Promise<PlaybookAdvice | undefined> {
  const search = SEARCHES[metric];
  if (!search) return undefined;
  let passages;
  try {
    passages = await knowledge.passages(search.query, { k: 5 });
  } catch (err) {
    logger.warn({ err, metric }, 'metrics: no playbook advice, the knowledge base failed');
    return undefined;
  }
  let best: (PlaybookAdvice & { score: number }) | undefined;
  passages.forEach((p, rank) => {
    for (const raw of splitSentences(p.chunk.text)) {
      const sentence = raw.replace(/^[\s\d.、)）(（]+/, '').trim();
      if (sentence.length < 8) continue;
      const s = normalizeForMatch(sentence);
      // Earlier words are the more telling; a passage ranked higher breaks ties.
      const score = search.words.reduce((sum, w, i) => sum + (s.includes(w) ? search.words.length - i : 0), 0) - rank * 0.5;
      if (score > 0 && (!best || score > best.score)) {
        best = { text: clip(sentence), doc: p.chunk.doc, section: p.chunk.section, score };
      }
    }
  });
  if (!best) return undefined;
  const { text, doc, section } = best;
  return { text, doc, section };
}

/** A long playbook sentence cut at a comma near the limit, so the advice stays one line. */
function clip(sentence: string): string {
  if (sentence.length <= MAX_SENTENCE) return sentence;
  const cut = sentence.slice(0, MAX_SENTENCE);
  const at = Math.max(cut.lastIndexOf('，'), cut.lastIndexOf(','), cut.lastIndexOf('；'));
  return `${(at > 40 ? cut.slice(0, at) : cut).trim()}…`;
}
