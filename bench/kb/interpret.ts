/** "Reading the figures": sentences computed from the measured figures, whichever way they fall. */
import type { EvalSet } from './corpus.js';
import type { PlaybookRow } from './playbook.js';
import type { ReportInput } from './report.js';
import { setLabel } from './report.js';
import { mb, ms, pct } from './util.js';

/** "2.1× faster than" / "1.3× slower than" / "about as fast as" for times `a` (ours) and `b`. */
function speed(a: number, b: number): string {
  const r = a / b;
  if (r < 0.9) return `${(1 / r).toFixed(1)}× faster than`;
  if (r > 1.1) return `${r.toFixed(1)}× slower than`;
  return 'about as fast as';
}

function size(a: number, b: number): string {
  if (b <= 0) return 'not comparable with';
  const r = a / b;
  if (r < 0.9) return `${(1 / r).toFixed(1)}× smaller than`;
  if (r > 1.1) return `${r.toFixed(1)}× larger than`;
  return 'about the size of';
}

const list = (items: readonly string[]) => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

function best(rows: readonly PlaybookRow[], i: number, key: 'hit3' | 'mrr' | 'firstSentence'): PlaybookRow[] {
  const top = Math.max(...rows.map((r) => r.quality[i]![key]));
  return rows.filter((r) => r.quality[i]![key] === top);
}

function playbookSpeed({ pb }: ReportInput): string {
  const [ours] = pb.engines;
  const slowest = [...pb.engines].sort((a, b) => b.lat.p50 - a.lat.p50)[0]!;
  return (
    `On the playbook a full \`ask\` takes ${ms(pb.ask.lat.p50)} ms at the median and \`PlaybookRetriever.search\` ` +
    `${ms(pb.retriever.lat.p50)} ms, against ${ms(ours!.lat.p50)} ms for the bare word engine: the difference is what the real ` +
    'path adds (a second, precise segmentation of the question, the bigram index, rank fusion, diversity and coverage). ' +
    `The slowest engine alone is ${slowest.name} at ${ms(slowest.lat.p50)} ms.`
  );
}

function setQuality(input: ReportInput, set: EvalSet, i: number): string {
  const { pb } = input;
  const [ours, ...peers] = pb.engines;
  const q = (r: PlaybookRow) => r.quality[i]!;
  const leaders = best(pb.engines, i, 'mrr');
  const peerBest = [...peers].sort((a, b) => q(b).mrr - q(a).mrr || q(b).hit3 - q(a).hit3)[0]!;
  const parts = [
    `On ${setLabel(set)} the engines alone rank best by MRR with ${list(leaders.map((r) => r.name))} (${q(leaders[0]!).mrr.toFixed(3)}); ` +
      `opsbot Bm25 alone has hit@3 ${pct(q(ours!).hit3)} and MRR ${q(ours!).mrr.toFixed(3)}, the best peer ${peerBest.name} ` +
      `${pct(q(peerBest).hit3)} and ${q(peerBest).mrr.toFixed(3)}. opsbot's full path reaches hit@3 ${pct(q(pb.retriever).hit3)} ` +
      `(MRR ${q(pb.retriever).mrr.toFixed(3)}) in \`PlaybookRetriever.search\` and ${pct(q(pb.ask).hit3)} among \`ask\`'s ` +
      `${pb.askDepth} sources; the first sentence of \`ask\`'s answer holds the answer for ${pct(q(pb.ask).firstSentence)} of the ` +
      `questions, the first sentence of the retriever's top passage for ${pct(q(pb.retriever).firstSentence)}` +
      ` (best engine alone: ${pct(q(best(pb.engines, i, 'firstSentence')[0]!).firstSentence)}).`,
  ];
  return parts.join(' ');
}

function tokenizerNotes({ pb }: ReportInput, sets: readonly EvalSet[]): string {
  const byName = (prefix: string) => pb.engines.find((r) => r.name.startsWith(prefix));
  const lcSeg = byName('LangChain BM25Retriever, jieba');
  const lcRaw = byName('LangChain BM25Retriever, raw');
  const oramaJieba = pb.engines.find((r) => r.name === 'Orama');
  const oramaOwn = byName('Orama, own');
  const hits = (r: PlaybookRow | undefined) => (r ? list(sets.map((s, i) => `${pct(r.quality[i]!.hit3)} on ${setLabel(s)}`)) : 'n/a');
  return (
    `How a peer is fed changes what it finds: LangChain's BM25Retriever reaches hit@3 ${hits(lcSeg)} when fed jieba terms joined ` +
    `by spaces, and ${hits(lcRaw)} on the raw text, where its whitespace split leaves the whole Chinese question as one "word"; ` +
    `Orama reaches ${hits(oramaJieba)} with jieba as its tokenizer and ${hits(oramaOwn)} with its own default tokenizer, which ` +
    'keeps only the Latin words of a Chinese text.'
  );
}

function syntheticPart({ syn, corpus }: ReportInput): string {
  const [ours, ...peers] = syn.rows;
  const seg = ours!.segment ?? 0;
  const n = corpus.chunks.length.toLocaleString('en');
  const lines = [
    `At ${n} chunks jieba segmentation alone is ${ms(seg)} ms of opsbot Bm25's ${ms(ours!.build)} ms build (every jieba-fed engine ` +
      'pays it inside its own build). opsbot Bm25 builds ' +
      list(peers.map((p) => `${speed(ours!.build, p.build)} ${p.engine.name}${p.engine.indexless ? ' (which builds no index)' : ''}`)) +
      '; its query p50 is ' +
      list(peers.map((p) => `${speed(ours!.lat.p50, p.lat.p50)} ${p.engine.name}'s`)) +
      ', and its p99 ' +
      list(peers.map((p) => `${speed(ours!.lat.p99, p.lat.p99)} ${p.engine.name}'s`)) +
      ` (the commonest question words, ${syn.commonestWords.map((c) => `${c.t} in ${c.df.toLocaleString('en')}`).join(', ')} chunks, ` +
      'have long postings lists that every indexed engine walks in full).',
  ];
  const heapSorted = [...syn.rows].sort((a, b) => a.memory.heap - b.memory.heap);
  lines.push(
    `In memory opsbot's word index (${mb(ours!.memory.heap)} MB heap) is ` +
      list(peers.map((p) => `${size(ours!.memory.heap, p.memory.heap)} ${p.engine.name}'s (${mb(p.memory.heap)} MB)`)) +
      `; the smallest heap Δ is ${heapSorted[0]!.engine.name}'s, the largest ${heapSorted.at(-1)!.engine.name}'s. ` +
      'RSS is the whole process and depends on what ran before, so the heap Δ column is the steadier comparison.',
  );
  const f = syn.full;
  lines.push(
    `opsbot's full retrieval path builds both indexes in ${ms(f.build)} ms (segmentation ${ms(f.segment)} ms, bigram split ` +
      `${ms(f.bigramSplit)} ms, both postings builds ${ms(f.postings)} ms), ${(f.build / ours!.build).toFixed(1)}× the word engine's build, ` +
      `holds ${mb(f.memory.heap)} MB (${(f.memory.heap / ours!.memory.heap).toFixed(1)}× the word index), and answers at p50 ` +
      `${ms(f.lat.p50)} ms and p99 ${ms(f.lat.p99)} ms: every query also walks its bigrams' postings (the commonest question bigrams, ` +
      `${f.commonestBigrams.map((c) => `${c.t} in ${c.df.toLocaleString('en')}`).join(', ')} chunks).`,
  );
  return lines.join(' ');
}

/** Whether other work shared the CPU during the run, from the load averages. */
function loadNote({ load }: ReportInput): string[] {
  const busiest = Math.max(load.start, load.end);
  if (busiest <= load.cores) return [];
  return [
    `Other processes were sharing the CPU during this run (1-minute load average ${load.start.toFixed(1)} at the start and ` +
      `${load.end.toFixed(1)} at the end, on ${load.cores} cores): timings are inflated and noisier than on an idle machine, ` +
      'so read the time ratios as rough; the quality and heap figures do not depend on load.',
  ];
}

export function interpret(input: ReportInput): string {
  return [
    ...loadNote(input),
    playbookSpeed(input),
    ...input.sets.map((s, i) => setQuality(input, s, i)),
    tokenizerNotes(input, input.sets),
    syntheticPart(input),
  ].join('\n\n');
}
