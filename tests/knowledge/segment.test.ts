import { describe, expect, it } from 'vitest';
import { normalizeForMatch } from '../../src/knowledge/normalize.js';
import { parseLexicon, Segmenter } from '../../src/knowledge/segment.js';

const segmenter = new Segmenter();

describe('normalizeForMatch', () => {
  it('folds traditional characters, full-width forms and case, and restores the censored 操作', () => {
    expect(normalizeForMatch('直播預告ＣＴＲ　電商運營')).toBe('直播预告ctr 电商运营');
    expect(normalizeForMatch('怎么样 *** 作的')).toBe('怎么样操作的');
  });
});

describe('Segmenter', () => {
  it('keeps domain words whole and adds their parts in search mode', () => {
    const terms = segmenter.terms('直播预告应该提前多久发？');
    expect(terms).toContain('直播预告');
    expect(terms).toContain('直播');
    expect(segmenter.terms('直播预告应该提前多久发？', 'precise')).not.toContain('预告');
  });

  it('matches traditional and simplified alike', () => {
    expect(segmenter.terms('直播預告')).toEqual(segmenter.terms('直播预告'));
    expect(segmenter.terms('電商運營的數據分析')).toEqual(segmenter.terms('电商运营的数据分析'));
  });

  it.each([
    ['CTR', '点击率'],
    ['CVR', '转化率'],
    ['GMV', '销售额'],
    ['AOV', '客单价'],
    ['助播', '助理'],
    ['宝贝', '商品'],
    ['生产者', '消费者'], // the rewritten article's odd synonym
  ])('folds synonyms both ways: %s ~ %s', (a, b) => {
    expect(segmenter.terms(a, 'precise')).toEqual(segmenter.terms(b, 'precise'));
  });

  // The live-stream article of the playbook was put through a rewriting tool (伪原创); questions use the ordinary words.
  it.each([
    ['电商直播的优短缺', '电商直播的优缺点'],
    ['肯定淘宝该署公域流量途径', '肯定淘宝这些公域流量渠道'],
    ['私域流量是肯定于流量池而言的', '私域流量是相对于流量池而言的'],
    ['面临的机遇和求战', '面临的机遇和挑战'],
    ['积淀在民众号的用户', '沉淀在公众号的用户'],
  ])('folds the rewritten %s to the ordinary words', (rewritten, ordinary) => {
    expect(segmenter.fold(rewritten)).toBe(ordinary);
    expect(segmenter.terms(rewritten)).toEqual(segmenter.terms(ordinary));
    expect(segmenter.bigrams(rewritten)).toEqual(segmenter.bigrams(ordinary));
  });

  it('leaves ordinary text that merely contains part of a rewritten form alone', () => {
    expect(segmenter.fold('肯定会卖爆')).toBe('肯定会卖爆');
  });

  it('drops stopwords, punctuation and question words', () => {
    expect(segmenter.terms('我们应该怎么做呢？！', 'precise')).toEqual([]);
  });
});

describe('parseLexicon', () => {
  it('joins synonym groups that share a word, and changes its fingerprint with any file', () => {
    const a = parseLexicon('私域\n', '甲 乙\n乙 丙\n', '的\n');
    expect(a.canonical.get('丙')).toBe(a.canonical.get('甲'));
    expect(parseLexicon('私域\n', '甲 乙\n', '的\n').fingerprint).not.toBe(a.fingerprint);
  });

  it('reads rewrites, replacing the longer form first, and fingerprints them', () => {
    const lexicon = parseLexicon('', '', '', '', '# a comment\n短缺 缺点\n优短缺 优缺点\n');
    expect(new Segmenter(lexicon).fold('优短缺和短缺')).toBe('优缺点和缺点');
    expect(lexicon.fingerprint).not.toBe(parseLexicon('', '', '', '', '短缺 缺点\n').fingerprint);
  });
});
