import { describe, expect, it } from 'vitest';
import { extractiveAnswer } from '../../src/knowledge/answer.js';
import { Segmenter } from '../../src/knowledge/segment.js';
import type { RetrievedPassage } from '../../src/knowledge/types.js';
import { prompts } from '../helpers.js';

const segmenter = new Segmenter();
const passage = (n: number, text: string): RetrievedPassage => ({
  chunk: { id: `doc#${n}`, docId: 'doc', doc: '运营手册', section: `第${n}节`, text, line: n },
  score: 1 / n,
  coverage: 1,
  matchedWords: 2,
});
const answer = (question: string, passages: RetrievedPassage[]) =>
  extractiveAnswer(
    { question, passages, terms: new Map(segmenter.terms(question, 'precise').map((t) => [t, 1])), segmenter, prompts },
    passages,
  );

describe('extractiveAnswer', () => {
  it('opens with the earlier of two sentences that answer equally well', () => {
    const text = '客单价要靠满赠规则来拉高,满赠门槛定在均价之上。客单价也可以靠搭配套餐来拉高,套餐比单买便宜。';
    expect(answer('客单价怎么拉高', [passage(1, text)]).startsWith('客单价要靠满赠规则来拉高')).toBe(true);
  });

  it('opens with the second passage when its best sentence clearly beats the first passage\'s', () => {
    const weak = passage(1, '直播间要提前准备好样品和灯光。');
    const strong = passage(2, '直播间的福袋只能用正在直播的那台手机发,助理的手机发不了。');
    expect(answer('直播间福袋用哪台手机发', [weak, strong]).startsWith('直播间的福袋只能用正在直播的那台手机发')).toBe(true);
  });
});
