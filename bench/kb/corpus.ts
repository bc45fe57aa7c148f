/** What the benchmark runs on: the shipped playbook, the eval question sets, and the synthetic corpus. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_PLAYBOOK_DIR, PACKAGE_ROOT } from '../../src/kernel/paths.js';
import { cleanDocument } from '../../src/knowledge/clean.js';
import { readPlaybook } from '../../src/knowledge/ingest.js';
import { buildIndex, matchTextOf } from '../../src/knowledge/indexer.js';
import { splitSentences } from '../../src/knowledge/normalize.js';
import type { Segmenter } from '../../src/knowledge/segment.js';
import type { Chunk, KnowledgeIndexData } from '../../src/knowledge/types.js';
import { silentLogger } from '../../tests/helpers.js';
import { mulberry32 } from './util.js';

const LABELS = { intro: '开篇', body: '正文' } as const;

export interface EvalItem {
  readonly id: string;
  readonly q: string;
  readonly doc: string;
  /** Phrases a passage that answers must quote (one of them). */
  readonly expect: string[];
  /** Phrases the answering sentence holds (held-out sets); `expect` stands in where absent. */
  readonly sentence?: string[];
}

export interface EvalSet {
  readonly file: string;
  /** Held out: written before the issue-14 tuning and never tuned against; only aggregates are printed. */
  readonly heldOut: boolean;
  readonly answerable: EvalItem[];
  readonly unanswerable: { readonly id: string; readonly q: string; readonly kind?: string }[];
}

const SETS = [
  { file: 'kb-eval-dev.json', heldOut: false },
  { file: 'kb-eval-dev2.json', heldOut: false },
  { file: 'kb-eval-heldout2.json', heldOut: true },
] as const;

export function loadEvalSets(): EvalSet[] {
  return SETS.map(({ file, heldOut }) => {
    const data = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, 'tests/fixtures', file), 'utf8')) as Omit<EvalSet, 'file' | 'heldOut'>;
    return { file, heldOut, answerable: data.answerable, unanswerable: data.unanswerable };
  });
}

/** Every question of a set, answerable and not: the latency queries. */
export const questionsOf = (set: EvalSet) => [...set.answerable.map((a) => a.q), ...set.unanswerable.map((u) => u.q)];

export interface Playbook {
  readonly contents: Awaited<ReturnType<typeof readPlaybook>>;
  readonly index: KnowledgeIndexData;
  readonly chunks: Chunk[];
  /** What every engine indexes per chunk: `matchTextOf` (title, section and text), as `buildIndex` does. */
  readonly texts: string[];
  readonly chars: number;
  /** `buildIndex` over the playbook, as `kb build` runs it. */
  build(): Promise<KnowledgeIndexData>;
}

export async function loadPlaybook(segmenter: Segmenter): Promise<Playbook> {
  const contents = await readPlaybook(DEFAULT_PLAYBOOK_DIR);
  const build = () => buildIndex({ contents, playbookDir: DEFAULT_PLAYBOOK_DIR, segmenter, labels: LABELS, logger: silentLogger });
  const index = await build();
  const chunks = index.chunks;
  return { contents, index, chunks, texts: chunks.map(matchTextOf), chars: chunks.reduce((n, c) => n + c.text.length, 0), build };
}

export interface SyntheticCorpus {
  readonly chunks: Chunk[];
  readonly texts: string[];
  readonly chars: number;
  readonly queries: string[];
  readonly seed: number;
}

/**
 * `size` chunks of 4–10 sentences drawn (seeded) from the playbook's cleaned sentences, 25 to a made-up
 * document; `queries` questions drawn from `questions`.
 */
export function syntheticCorpus(playbook: Playbook, segmenter: Segmenter, size: number, questions: readonly string[], queries: number, seed: number): SyntheticCorpus {
  const sentences = playbook.contents.documents.flatMap((d) =>
    cleanDocument(d.text, segmenter.lexicon.boilerplate, d.title, d.markdown).paragraphs.flatMap((p) => splitSentences(p.text)),
  );
  const perDoc = 25;
  const rand = mulberry32(seed);
  const chunks: Chunk[] = [];
  const texts: string[] = [];
  let chars = 0;
  for (let i = 0; i < size; i++) {
    const count = 4 + Math.floor(rand() * 7);
    let text = '';
    for (let s = 0; s < count; s++) text += sentences[Math.floor(rand() * sentences.length)]!;
    chars += text.length;
    const docNo = String(Math.floor(i / perDoc) + 1).padStart(4, '0');
    const docId = `synthetic-${docNo}.md`;
    const chunk: Chunk = { id: `${docId}#${i % perDoc}`, docId, doc: `合成文档${docNo}`, section: `第${(i % perDoc) + 1}节`, text, line: 1 };
    chunks.push(chunk);
    texts.push(matchTextOf(chunk));
  }
  const drawn = Array.from({ length: queries }, () => questions[Math.floor(rand() * questions.length)]!);
  return { chunks, texts, chars, queries: drawn, seed };
}
