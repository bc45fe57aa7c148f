/**
 * Knowledge-base benchmark: index build time, query latency, memory and retrieval quality of opsbot's
 * BM25 and of its real retrieval path (`PlaybookRetriever`, `KnowledgeBase.ask`), on the shipped playbook
 * and on a large synthetic corpus, next to MiniSearch, wink-bm25-text-search, Orama and LangChain's
 * BM25Retriever. Run with `npm run bench:kb`; it rewrites its section of docs/benchmarks.md. Progress goes
 * to stderr, the report to stdout. The parts live in bench/kb/.
 */
import { cpus, loadavg } from 'node:os';
import { Segmenter } from '../src/knowledge/segment.js';
import { loadEvalSets, loadPlaybook, questionsOf, syntheticCorpus } from './kb/corpus.js';
import { allEngines } from './kb/engines.js';
import { interpret } from './kb/interpret.js';
import { loadPeers } from './kb/peers.js';
import { runPlaybook } from './kb/playbook.js';
import { reportBody } from './kb/report.js';
import { runSynthetic } from './kb/synthetic.js';
import { hasGc, log, minutes } from './kb/util.js';
import { machineDescription } from './machine.js';
import { writeSection } from './report.js';

// Sizes, tuned so the whole run stays under about four minutes on a 2-core machine.
const BUILD_RUNS = 10;
const MIN_PLAYBOOK_QUERIES = 1_000;
const SYNTHETIC_CHUNKS = 50_000;
const SYNTHETIC_QUERIES = 400;
/**
 * Orama's and LangChain's queries take hundreds of ms at 50,000 chunks (LangChain scores every document on
 * every query): this many timed queries for them, so that the run stays within minutes.
 */
const SLOW_SYNTHETIC_QUERIES = 40;
const SEED = 20240601;
const K = 3;

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

async function main(): Promise<void> {
  const started = performance.now();
  let peers;
  try {
    peers = loadPeers();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const machine = machineDescription();
  const loadAtStart = loadavg()[0]!;
  if (!hasGc()) log('warning: run with --expose-gc (npm run bench:kb) for memory figures');
  const sets = loadEvalSets();
  const devQuestions = questionsOf(sets[0]!);
  const reps = Math.ceil(MIN_PLAYBOOK_QUERIES / devQuestions.length);
  const playbookQueries = Array.from({ length: reps }, () => devQuestions).flat();

  log('loading jieba and the lexicon');
  const segmenter = new Segmenter();
  segmenter.terms('预热');
  const { opsbot, engines } = allEngines(segmenter, peers, SLOW_SYNTHETIC_QUERIES);

  const playbook = await loadPlaybook(segmenter);
  const pb = await runPlaybook(playbook, engines, segmenter, sets, playbookQueries, BUILD_RUNS, K);

  log(`synthetic: generating ${SYNTHETIC_CHUNKS.toLocaleString('en')} chunks`);
  const corpus = syntheticCorpus(playbook, segmenter, SYNTHETIC_CHUNKS, devQuestions, SYNTHETIC_QUERIES, SEED);
  const syn = await runSynthetic(corpus, engines, opsbot, segmenter, devQuestions, K);
  const totalSeconds = (performance.now() - started) / 1000;

  const load = { start: loadAtStart, end: loadavg()[0]!, cores: cpus().length };
  const input = {
    load,
    playbook,
    sets,
    latencyQueries: { n: playbookQueries.length, distinct: devQuestions.length, reps },
    k: K,
    buildRuns: BUILD_RUNS,
    pb,
    corpus,
    syn,
  };
  const env = [...machine, `- Peers: ${Object.entries(peers.versions).map(([n, v]) => `${n} ${v}`).join(', ')}`, `- Load average at end: ${load.end.toFixed(2)} (1 min)`, `- Whole run: ${totalSeconds.toFixed(0)} s (${cpuSeconds().toFixed(0)} s of CPU in this process)`].join('\n');
  const report = [reportBody(input), '', '## Reading the figures', '', interpret(input)].join('\n');
  const doc = [
    '# Knowledge-base benchmarks',
    '',
    'How fast opsbot indexes and searches its playbook, how much memory the index takes, how well it ranks, and how it',
    'compares with four search libraries a shop might pick instead: [MiniSearch](https://github.com/lucaong/minisearch),',
    '[wink-bm25-text-search](https://github.com/winkjs/wink-bm25-text-search), [Orama](https://github.com/oramasearch/orama)',
    'and LangChain\'s [BM25Retriever](https://js.langchain.com/docs/integrations/retrievers/bm25/). The engines fed',
    '`Segmenter.terms` (jieba in search mode, stopwords removed, synonyms folded) all get the same terms, so those rows compare',
    'engines; jieba segmentation is inside every such build and query time. Orama with its own tokenizer and LangChain on the raw',
    'text show what a user gets without a Chinese segmenter. Separate rows measure opsbot\'s real path, `PlaybookRetriever.search`',
    '(word BM25 and character-bigram BM25 fused by reciprocal rank, then diversity and coverage) and `KnowledgeBase.ask`.',
    '',
    `Run it with \`npm run bench:kb\` (about ${minutes(totalSeconds)}; it rewrites this section; the peers come from`,
    '`bench/peers`, installed by `npm ci --prefix bench/peers`). The figures below come from one run on the machine described;',
    'they vary from run to run and machine to machine. The test suite never asserts speed.',
    '',
    env,
    '',
    report,
    '',
  ].join('\n');

  writeSection('kb', doc);
  console.log(`${env}\n\n${report}`);
  log(`done in ${totalSeconds.toFixed(1)} s; wrote docs/benchmarks.md`);
}

await main();
