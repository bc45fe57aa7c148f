import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { INTENTS, type Intent, type IntentResult } from './intents.js';
import { hasWords, normalizeMessage } from './normalize.js';
import { RULES } from './rules.js';

/** One labelled customer message. */
export interface LabelledExample {
  readonly text: string;
  readonly intent: Intent;
}

const BankSchema = z.array(z.object({ text: z.string().min(1), intent: z.enum(INTENTS) }));

/** The shipped example bank (src/skills/cs-scripts/example-bank.json). */
export function loadExampleBank(path = join(dirname(fileURLToPath(import.meta.url)), 'example-bank.json')): LabelledExample[] {
  return BankSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

type Vector = Map<string, number>;

/** Character 1–3-grams of Chinese runs and stemmed English words: robust to typos and missing spaces. */
export function features(text: string): string[] {
  const out: string[] = [];
  for (const run of text.match(/[\p{Script=Han}]+/gu) ?? []) {
    const chars = [...run];
    for (let i = 0; i < chars.length; i++) {
      out.push(chars[i]!);
      if (i + 1 < chars.length) out.push(chars[i]! + chars[i + 1]!);
      if (i + 2 < chars.length) out.push(chars[i]! + chars[i + 1]! + chars[i + 2]!);
    }
  }
  for (const word of text.match(/[a-z]+/g) ?? []) {
    if (word.length < 2) continue;
    out.push(`w:${word.replace(/(ing|ed|es|s)$/, '') || word}`);
  }
  if (/\d/.test(text)) out.push('#digits');
  return out;
}

/** The offline scores: for each intent the nearest examples' vote plus the rules' weight. */
export interface OfflineScores {
  readonly scores: ReadonlyMap<Intent, number>;
  /** The most similar examples, best first (the model sees them as few-shot examples). */
  readonly nearest: readonly (LabelledExample & { readonly similarity: number })[];
}

/**
 * The offline classifier: rules for the clear cases, then the nearest examples of the bank (TF-IDF over
 * character n-grams, cosine), weighted by similarity. Deterministic, no network, a few microseconds
 * per example.
 */
export class IntentClassifier {
  private readonly idf = new Map<string, number>();
  private readonly examples: readonly LabelledExample[];
  /**
   * Feature → the examples that have it, as flat (index, weight) pairs: a message is compared only with
   * the examples it shares a feature with (every other similarity is 0), not with the whole bank.
   */
  private readonly postings = new Map<string, number[]>();

  constructor(
    bank: readonly LabelledExample[],
    private readonly options: { readonly k?: number; readonly ruleWeight?: number } = {},
  ) {
    const df = new Map<string, number>();
    const docs = bank.map((example) => ({ example, feats: features(normalizeMessage(example.text).text) }));
    for (const { feats } of docs) for (const f of new Set(feats)) df.set(f, (df.get(f) ?? 0) + 1);
    for (const [f, n] of df) this.idf.set(f, Math.log((bank.length + 1) / (n + 0.5)));
    this.examples = docs.map((d) => d.example);
    docs.forEach(({ feats }, i) => {
      for (const [f, w] of this.vectorize(feats)) {
        const list = this.postings.get(f);
        if (list) list.push(i, w);
        else this.postings.set(f, [i, w]);
      }
    });
  }

  private vectorize(feats: readonly string[]): Vector {
    const tf = new Map<string, number>();
    for (const f of feats) tf.set(f, (tf.get(f) ?? 0) + 1);
    const v: Vector = new Map();
    let norm = 0;
    for (const [f, n] of tf) {
      const idf = this.idf.get(f);
      if (idf === undefined) continue; // unseen in the bank: says nothing about any label
      const w = (1 + Math.log(n)) * idf;
      v.set(f, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (const [f, w] of v) v.set(f, w / norm);
    return v;
  }

  /** Scores of every intent for a message's normalized text. */
  score(normalized: string): OfflineScores {
    const q = this.vectorize(features(normalized));
    // Cosine over the shared features, summed in the message's feature order (as a full dot product
    // would, the absent terms adding 0).
    const dot = new Float64Array(this.examples.length);
    for (const [f, w] of q) {
      const list = this.postings.get(f);
      if (!list) continue;
      for (let j = 0; j < list.length; j += 2) dot[list[j]!]! += w * list[j + 1]!;
    }
    // The k most similar, best first; of equals the earlier in the bank (a stable sort of the whole bank would agree).
    const k = this.options.k ?? 9;
    const top: number[] = [];
    for (let i = 0; i < dot.length; i++) {
      const s = dot[i]!;
      if (s <= 0 || (top.length === k && s <= dot[top[k - 1]!]!)) continue;
      let at = top.length;
      while (at > 0 && dot[top[at - 1]!]! < s) at--;
      top.splice(at, 0, i);
      if (top.length > k) top.pop();
    }
    const nearest = top.map((i) => ({ ...this.examples[i]!, similarity: dot[i]! }));
    const scores = new Map<Intent, number>(INTENTS.map((i) => [i, 0]));
    // The neighbours' vote as a distribution, scaled by how close the nearest is: a far neighbourhood says little.
    const total = nearest.reduce((sum, e) => sum + e.similarity, 0);
    const closeness = Math.min(1, (nearest[0]?.similarity ?? 0) * 2);
    for (const e of nearest) scores.set(e.intent, (scores.get(e.intent) ?? 0) + (e.similarity / total) * closeness);
    const ruleWeight = this.options.ruleWeight ?? 0.5;
    for (const rule of RULES) {
      if (rule.pattern.test(normalized) && !rule.unless?.test(normalized)) scores.set(rule.intent, (scores.get(rule.intent) ?? 0) + rule.weight * ruleWeight);
    }
    return { scores, nearest };
  }

  /** The intent of a customer's message, offline. Emoji only, a link only or nothing at all is `other`. */
  classify(message: string): IntentResult & { readonly nearest: OfflineScores['nearest'] } {
    const normalized = normalizeMessage(message);
    if (!hasWords(normalized)) return { intent: 'other', confidence: normalized.hadLink ? 0.6 : 0.9, mode: 'offline', nearest: [] };
    const { scores, nearest } = this.score(normalized.text);
    const ranked = [...scores].sort((a, b) => b[1] - a[1]);
    const [top, second] = [ranked[0]!, ranked[1]!];
    if (top[1] <= 0) return { intent: 'other', confidence: 0.3, mode: 'offline', nearest };
    const total = ranked.reduce((s, [, v]) => s + v, 0);
    // Share of the evidence, damped when the evidence is thin (weak similarity, no rule).
    const share = top[1] / total;
    const strength = Math.min(1, top[1] / 0.8);
    const margin = (top[1] - second[1]) / top[1];
    const confidence = Math.round(Math.min(0.99, share * (0.5 + 0.5 * strength) * (0.7 + 0.3 * margin)) * 100) / 100;
    return { intent: top[0], confidence, mode: 'offline', nearest };
  }
}
