/** A serializable BM25 index over pre-segmented documents, with postings lists for fast scoring. */
export interface Bm25Data {
  readonly k1: number;
  readonly b: number;
  /** Length (number of terms) of each document. */
  readonly lengths: number[];
  /** term → flat [docIndex, termFrequency, docIndex, termFrequency, …]. */
  readonly postings: Record<string, number[]>;
}

export interface Bm25Hit {
  readonly index: number;
  readonly score: number;
  /** The query terms found in this document. */
  readonly matched: string[];
}

/** Okapi BM25 (k1, b) over documents given as term lists; built once, searched many times, saved as JSON. */
export class Bm25 {
  private readonly postings: Map<string, number[]>;
  private readonly lengths: number[];
  private readonly avgLength: number;

  private constructor(
    data: Bm25Data,
    readonly k1 = data.k1,
    readonly b = data.b,
  ) {
    this.lengths = data.lengths;
    this.postings = new Map(Object.entries(data.postings));
    this.avgLength = this.lengths.reduce((a, n) => a + n, 0) / Math.max(1, this.lengths.length);
  }

  /** Indexes documents given as term lists. */
  static build(docs: readonly (readonly string[])[], k1 = 1.2, b = 0.75): Bm25 {
    const postings: Record<string, number[]> = Object.create(null);
    docs.forEach((terms, i) => {
      const tf = new Map<string, number>();
      for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, n] of tf) (postings[t] ??= []).push(i, n);
    });
    return new Bm25({ k1, b, lengths: docs.map((d) => d.length), postings });
  }

  /** Restores an index saved with `toJSON()`. */
  static fromJSON(data: Bm25Data): Bm25 {
    return new Bm25(data);
  }

  /** The index as plain data, for saving with the knowledge index. */
  toJSON(): Bm25Data {
    return { k1: this.k1, b: this.b, lengths: this.lengths, postings: Object.fromEntries(this.postings) };
  }

  /** Number of documents indexed. */
  get size(): number {
    return this.lengths.length;
  }

  /** Number of documents containing `term`. */
  docFrequency(term: string): number {
    return (this.postings.get(term)?.length ?? 0) / 2;
  }

  /** Inverse document frequency (the Lucene form, always positive); a term in no document gets the highest. */
  idf(term: string): number {
    const n = this.docFrequency(term);
    return Math.log(1 + (this.size - n + 0.5) / (n + 0.5));
  }

  /** The `limit` best documents for the query terms (each term counted once), best first. */
  search(queryTerms: readonly string[], limit: number): Bm25Hit[] {
    const scores = new Map<number, { score: number; matched: string[] }>();
    for (const term of new Set(queryTerms)) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = this.idf(term);
      for (let i = 0; i < list.length; i += 2) {
        const doc = list[i]!;
        const tf = list[i + 1]!;
        const norm = tf + this.k1 * (1 - this.b + (this.b * this.lengths[doc]!) / this.avgLength);
        const entry = scores.get(doc) ?? { score: 0, matched: [] };
        entry.score += (idf * (tf * (this.k1 + 1))) / norm;
        entry.matched.push(term);
        scores.set(doc, entry);
      }
    }
    return [...scores.entries()]
      .map(([index, e]) => ({ index, score: e.score, matched: e.matched }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, limit);
  }
}
