/**
 * The shipped playbook: opsbot's `buildIndex`, `PlaybookRetriever.search` and `KnowledgeBase.ask`, and
 * every engine alone on the same chunks; latency over the dev questions, quality on each eval set.
 */
import { DEFAULT_PLAYBOOK_DIR } from '../../src/kernel/paths.js';
import { DEFAULT_K, KnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import { PlaybookRetriever } from '../../src/knowledge/retriever.js';
import type { Segmenter } from '../../src/knowledge/segment.js';
import { prompts, silentLogger, tempDir, testConfig } from '../../tests/helpers.js';
import type { EvalSet, Playbook } from './corpus.js';
import type { Engine } from './engines.js';
import { askQuality, engineQuality, retrieverQuality, type Quality } from './quality.js';
import { latency, log, medianBuild, type Latency } from './util.js';

export interface PlaybookRow {
  readonly name: string;
  readonly feed: string;
  readonly build?: number;
  readonly lat: Latency;
  /** Quality per eval set, in the sets' order. */
  readonly quality: Quality[];
}

export interface PlaybookResult {
  readonly buildIndex: number;
  readonly retriever: PlaybookRow;
  readonly ask: PlaybookRow;
  readonly engines: PlaybookRow[];
  readonly askDepth: number;
}

export async function runPlaybook(
  playbook: Playbook,
  engines: readonly Engine[],
  segmenter: Segmenter,
  sets: readonly EvalSet[],
  queries: readonly string[],
  buildRuns: number,
  k: number,
): Promise<PlaybookResult> {
  log(`playbook: buildIndex × ${buildRuns} (after 1 warm-up)`);
  const buildIndex = await medianBuild(buildRuns, () => playbook.build());

  log(`playbook: PlaybookRetriever.search × ${queries.length}, quality on ${sets.length} sets`);
  const pr = new PlaybookRetriever(playbook.index, segmenter, silentLogger);
  const retriever: PlaybookRow = {
    name: '`PlaybookRetriever.search` (words + bigrams, RRF, diversity, coverage)',
    feed: 'opsbot',
    lat: await latency(queries, (q) => pr.search(q, { k })),
    quality: await Promise.all(sets.map((s) => retrieverQuality(s, pr))),
  };

  log(`playbook: KnowledgeBase.ask × ${queries.length}, quality on ${sets.length} sets`);
  const tmp = tempDir('opsbot-bench-');
  let ask: PlaybookRow;
  try {
    const kb = new KnowledgeBase({ config: testConfig({ OPSBOT_DATA_DIR: tmp.dir }), logger: silentLogger, prompts, segmenter });
    await kb.build({ playbookDir: DEFAULT_PLAYBOOK_DIR, force: true });
    const lat = await latency(queries, (q) => kb.ask(q, { k }));
    const quality: Quality[] = [];
    for (const s of sets) quality.push(await askQuality(s, kb, DEFAULT_K));
    ask = { name: '`KnowledgeBase.ask` (retrieval + extractive answer)', feed: 'opsbot', lat, quality };
  } finally {
    tmp.cleanup();
  }

  const rows: PlaybookRow[] = [];
  for (const engine of engines) {
    log(`playbook: ${engine.name}: index × ${buildRuns}, search × ${queries.length}`);
    const build = await medianBuild(buildRuns, () => engine.build(playbook.texts));
    const lat = await latency(queries, (q) => engine.search(q, k));
    const quality: Quality[] = [];
    for (const s of sets) quality.push(await engineQuality(s, playbook.chunks, engine.search));
    rows.push({ name: engine.name, feed: engine.feed, build, lat, quality });
    engine.release();
  }
  return { buildIndex, retriever, ask, engines: rows, askDepth: DEFAULT_K };
}
