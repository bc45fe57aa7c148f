// Answer quality on one eval fixture (default: the held-out set heldout2, written before the issue-14 tuning):
// hit@1, hit@3, the share of answers whose first sentence holds the answering sentence, and abstentions.
// Prints aggregates only, so that running it does not turn held-out questions into tuning data.
import { readFileSync } from 'node:fs';
import { KnowledgeBase } from '../src/knowledge/knowledge-base.js';
import { normalizeForMatch, splitSentences } from '../src/knowledge/normalize.js';
import { prompts, silentLogger, tempDir, testConfig } from '../tests/helpers.js';
const set = JSON.parse(readFileSync(new URL(`../tests/fixtures/${process.argv[2] ?? 'kb-eval-heldout2.json'}`, import.meta.url), 'utf8'));
const { dir, cleanup } = tempDir();
const kb = new KnowledgeBase({ config: testConfig({ OPSBOT_DATA_DIR: dir }), logger: silentLogger, prompts });
await kb.build();
let h1 = 0, h3 = 0, sent = 0; const n = set.answerable.length;
const has = (t: string, xs: string[]) => xs.some((e) => normalizeForMatch(t).includes(normalizeForMatch(e)));
for (const q of set.answerable) {
  const a = await kb.ask(q.q);
  const ok = (s: { doc: string; text: string }) => normalizeForMatch(s.doc) === normalizeForMatch(q.doc) && has(s.text, q.expect.concat(q.sentence ?? []));
  if (a.found && a.sources[0] && ok(a.sources[0])) h1++;
  if (a.found && a.sources.slice(0, 3).some(ok)) h3++;
  const first = splitSentences(a.answer)[0] ?? '';
  // `sentence` is one sentence or a list of them.
  if (a.found && has(first, ([] as string[]).concat(q.sentence ?? q.expect))) sent++;
}
let off = 0, offN = 0, unc = 0, uncN = 0;
for (const q of set.unanswerable) { const a = await kb.ask(q.q); if (q.kind === 'off-topic') { offN++; if (!a.found) off++; } else { uncN++; if (!a.found) unc++; } }
console.log(`${process.argv[2] ?? 'kb-eval-heldout2.json'}: hit@1 ${h1}/${n}, hit@3 ${h3}/${n} (${(100*h3/n).toFixed(1)}%), first sentence ${sent}/${n} (${(100*sent/n).toFixed(1)}%), off-topic abstain ${off}/${offN}, uncovered abstain ${unc}/${uncN}`);
cleanup();
