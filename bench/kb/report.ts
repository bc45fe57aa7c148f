/** The markdown of the kb section of docs/benchmarks.md, from the measured figures. */
import type { EvalSet, Playbook, SyntheticCorpus } from './corpus.js';
import type { PlaybookResult, PlaybookRow } from './playbook.js';
import { MRR_DEPTH, type Quality } from './quality.js';
import type { SyntheticResult } from './synthetic.js';
import { mb, ms, pct, ratio, row } from './util.js';

export interface ReportInput {
  /** 1-minute load average at the start and end of the run, and the core count. */
  readonly load: { readonly start: number; readonly end: number; readonly cores: number };
  readonly playbook: Playbook;
  readonly sets: readonly EvalSet[];
  readonly latencyQueries: { readonly n: number; readonly distinct: number; readonly reps: number };
  readonly k: number;
  readonly buildRuns: number;
  readonly pb: PlaybookResult;
  readonly corpus: SyntheticCorpus;
  readonly syn: SyntheticResult;
}

export const setLabel = (s: EvalSet) => `${s.heldOut ? 'held-out ' : ''}\`${s.file}\``;

function speedTable({ pb, k, buildRuns, playbook, latencyQueries }: ReportInput): string[] {
  const [ours] = pb.engines;
  const dash = '—';
  const full = (r: PlaybookRow, build: string) => row([r.name, r.feed, build, ms(r.lat.p50), ms(r.lat.p99), dash, dash, dash]);
  return [
    `Playbook: ${playbook.contents.documents.length} documents, ${playbook.chunks.length} chunks (${playbook.chars.toLocaleString('en')} characters). ` +
      `Build: median of ${buildRuns} runs after one warm-up. Latency over ${latencyQueries.n} queries (the ${latencyQueries.distinct} questions of ` +
      `\`kb-eval-dev.json\` × ${latencyQueries.reps}), k = ${k}. For the engines, build = segmenting the chunks + indexing and ` +
      'query = segmenting the question + search. Ratios are opsbot Bm25 ÷ peer.',
    '',
    '| Path or engine | Fed | Build (ms) | Query p50 (ms) | Query p99 (ms) | opsbot/peer build | opsbot/peer p50 | opsbot/peer p99 |',
    '|---|---|--:|--:|--:|--:|--:|--:|',
    row(['`buildIndex` (clean, split, segment, both BM25 indexes)', 'opsbot', ms(pb.buildIndex), dash, dash, dash, dash, dash]),
    full(pb.retriever, dash),
    full(pb.ask, dash),
    ...pb.engines.map((r, i) =>
      row([
        r.name,
        r.feed,
        ms(r.build!),
        ms(r.lat.p50),
        ms(r.lat.p99),
        i === 0 ? dash : ratio(ours!.build!, r.build!),
        i === 0 ? dash : ratio(ours!.lat.p50, r.lat.p50),
        i === 0 ? dash : ratio(ours!.lat.p99, r.lat.p99),
      ]),
    ),
  ];
}

const qualityCells = (q: Quality) => [pct(q.hit1), pct(q.hit3), q.mrr.toFixed(3), pct(q.firstSentence)];

function qualityTables({ pb, sets }: ReportInput): string[] {
  const out = [
    `Quality on each question set's answerable questions. A hit is a passage from the expected document quoting an expected ` +
      'phrase (`expect` or `sentence`, after `normalizeForMatch`), as `bench/kb-quality.ts` judges it. ' +
      `Engines and \`PlaybookRetriever.search\` are asked for their top ${MRR_DEPTH}: MRR is over those ${MRR_DEPTH} (0 when no hit), ` +
      'and "first sentence" is the first sentence of the **top chunk**. `KnowledgeBase.ask` is called as a user calls it ' +
      `(default k = ${pb.askDepth}): its hits and MRR are over its ${pb.askDepth} sources (an abstention is a miss), and ` +
      '"first sentence" is the first sentence of **its answer**, holding one of the `sentence` phrases (`expect` where the set has none). ' +
      'The held-out set was written before the issue-14 tuning and never tuned against; only its aggregates are printed.',
  ];
  sets.forEach((s, i) => {
    out.push(
      '',
      `**${setLabel(s)}** (${s.answerable.length} answerable questions)${s.heldOut ? ' — held out' : ''}`,
      '',
      `| Path or engine | Fed | hit@1 | hit@3 | MRR | First sentence holds the answer |`,
      '|---|---|--:|--:|--:|--:|',
      row([`${pb.retriever.name}, top ${MRR_DEPTH}`, 'opsbot', ...qualityCells(pb.retriever.quality[i]!)]),
      row([`${pb.ask.name}, ${pb.askDepth} sources`, 'opsbot', ...qualityCells(pb.ask.quality[i]!)]),
      ...pb.engines.map((r) => row([r.name, r.feed, ...qualityCells(r.quality[i]!)])),
    );
  });
  return out;
}

function syntheticTable({ corpus, syn, k }: ReportInput): string[] {
  const [ours] = syn.rows;
  const avg = Math.round(corpus.chars / corpus.chunks.length);
  const rssDelta = (m: { rssBefore: number; rssAfter: number }) => m.rssAfter - m.rssBefore;
  const limited = syn.rows.filter((r) => r.engine.syntheticQueries && r.lat.n < corpus.queries.length);
  return [
    `Synthetic: ${corpus.chunks.length.toLocaleString('en')} chunks of 4–10 random playbook sentences (mean ${avg} characters, ` +
      `${(corpus.chars / 1e6).toFixed(1)} M characters in all), seed ${corpus.seed}; one build per row; latency over ` +
      `${corpus.queries.length} queries drawn from the dev questions, k = ${k}` +
      (limited.length
        ? ` (${limited.map((r) => r.engine.name).join('; ')}: only the first ${limited[0]!.lat.n} of them, after 2 warm-up queries, ` +
          `because their queries take ${ms(Math.min(...limited.map((r) => r.lat.p50)))}–${ms(Math.max(...limited.map((r) => r.lat.p50)))} ms at the median here; ` +
          'their p99 is then close to the maximum)'
        : '') +
      '. Heap Δ is heapUsed after the build minus before (both after `gc()`), i.e. the live index; RSS is the whole process ' +
      'before and after the build, and its ratio compares the growth (after − before). Ratios are opsbot Bm25 ÷ peer: below 1× opsbot ' +
      'is faster or smaller. ' +
      (syn.skipped.length ? `Not run here: ${syn.skipped.map((s) => `${s.engine.name} (${s.reason})`).join('; ')}.` : ''),
    '',
    '| Engine or path | Fed | Build (ms) | of which segmentation (ms) | Heap Δ (MB) | RSS before → after (MB) | Query p50 (ms) | Query p99 (ms) | ' +
      'opsbot/peer build | opsbot/peer p50 | opsbot/peer p99 | opsbot/peer heap Δ | opsbot/peer RSS growth |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...syn.rows.map((r, i) =>
      row([
        r.engine.name,
        r.engine.feed,
        ms(r.build),
        r.segment === undefined ? 'inside' : ms(r.segment),
        mb(r.memory.heap),
        `${mb(r.memory.rssBefore)} → ${mb(r.memory.rssAfter)}`,
        ms(r.lat.p50),
        ms(r.lat.p99),
        ...(i === 0
          ? ['—', '—', '—', '—', '—']
          : [
              ratio(ours!.build, r.build),
              ratio(ours!.lat.p50, r.lat.p50),
              ratio(ours!.lat.p99, r.lat.p99),
              ratio(ours!.memory.heap, r.memory.heap),
              ratio(rssDelta(ours!.memory), rssDelta(r.memory)),
            ]),
      ]),
    ),
    row([
      'opsbot full retrieval path (`PlaybookRetriever.search`: words + bigrams, RRF, coverage)',
      'opsbot',
      ms(syn.full.build),
      `${ms(syn.full.segment)} (+ ${ms(syn.full.bigramSplit)} bigram split)`,
      mb(syn.full.memory.heap),
      `${mb(syn.full.memory.rssBefore)} → ${mb(syn.full.memory.rssAfter)}`,
      ms(syn.full.lat.p50),
      ms(syn.full.lat.p99),
      'n/a',
      'n/a',
      'n/a',
      'n/a',
      'n/a',
    ]),
    '',
    'The engine rows index one word view of the chunks; the last row is what `buildIndex` and `PlaybookRetriever.search` do: ' +
      'a word BM25 and a character-bigram BM25 (`charBigrams`), fused by reciprocal rank, `diversify`d, and the returned passages ' +
      're-segmented for `coverage`. It does more work than any engine row, so it has no ratio.',
  ];
}

export function reportBody(input: ReportInput): string {
  return [
    '## Playbook',
    '',
    ...speedTable(input),
    '',
    ...qualityTables(input),
    '',
    '## Synthetic corpus',
    '',
    ...syntheticTable(input),
  ].join('\n');
}
