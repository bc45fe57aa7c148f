import { describe, expect, it } from 'vitest';
import { Bm25 } from '../../src/knowledge/bm25.js';
import { diversify } from '../../src/knowledge/retriever.js';
import type { Chunk } from '../../src/knowledge/types.js';

const docs = [
  ['直播', '预告', '直播预告', '提前', '一小时'],
  ['私域流量', '微信群', '粉丝'],
  ['直播', '福袋', '主播'],
  ['客服', '话术', '物流', '售后'],
];

describe('Bm25', () => {
  it('ranks by rare terms first, and reports the matched terms', () => {
    const index = Bm25.build(docs);
    const hits = index.search(['直播', '预告'], 10);
    expect(hits.map((h) => h.index)).toEqual([0, 2]);
    expect(hits[0]!.matched.sort()).toEqual(['直播', '预告'].sort());
    expect(index.search(['福袋'], 10).map((h) => h.index)).toEqual([2]);
    expect(index.search(['天气'], 10)).toEqual([]);
  });

  it('gives a term found nowhere the highest IDF, and a common one a lower IDF', () => {
    const index = Bm25.build(docs);
    expect(index.idf('天气')).toBeGreaterThan(index.idf('福袋'));
    expect(index.idf('福袋')).toBeGreaterThan(index.idf('直播'));
  });

  it('prefers the shorter document for the same term frequency', () => {
    const index = Bm25.build([['直播', 'a', 'b', 'c', 'd', 'e', 'f'], ['直播', 'a'], ['x']]);
    expect(index.search(['直播'], 2).map((h) => h.index)).toEqual([1, 0]);
  });

  it('survives a JSON round trip unchanged', () => {
    const index = Bm25.build(docs);
    const restored = Bm25.fromJSON(JSON.parse(JSON.stringify(index.toJSON())));
    expect(restored.search(['直播', '福袋'], 5)).toEqual(index.search(['直播', '福袋'], 5));
  });
});

describe('diversify', () => {
  const chunk = (docId: string, section: string): Chunk => ({ id: `${docId}#${section}`, docId, doc: docId, section, text: '', line: 1 });
  const chunks = [chunk('a', 'x'), chunk('a', 'x'), chunk('a', 'y'), chunk('b', 'x')];

  it('puts each section\'s best passage first, then the rest in rank order', () => {
    const ranked = [0, 1, 2, 3].map((index) => ({ index }));
    expect(diversify(ranked, chunks, 3).map((h) => h.index)).toEqual([0, 2, 3]);
    expect(diversify(ranked, chunks, 4).map((h) => h.index)).toEqual([0, 2, 3, 1]);
  });

  it('holds back only the neighbours of a better passage, not every piece of a long section', () => {
    const long = [0, 1, 2, 3].map(() => chunk('a', 'x'));
    const ranked = [3, 2, 1, 0].map((index) => ({ index }));
    expect(diversify(ranked, long, 4).map((h) => h.index)).toEqual([3, 1, 2, 0]);
  });
});
