import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeForMatch } from '../../src/knowledge/normalize.js';
import { looksRewritten } from '../../src/knowledge/rewrites.js';
import { parseLexicon, Segmenter } from '../../src/knowledge/segment.js';
import { DEFAULT_PLAYBOOK_DIR } from '../helpers.js';

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
    ['生产者的赢利', '消费者的成本'],
  ])('folds the rewritten %s to the ordinary words inside a rewritten document', (rewritten, ordinary) => {
    const inRewritten = { rewritten: true };
    expect(segmenter.fold(rewritten, inRewritten)).toBe(ordinary);
    expect(segmenter.terms(rewritten, 'search', inRewritten)).toEqual(segmenter.terms(ordinary));
    expect(segmenter.terms(rewritten, 'precise', inRewritten)).toEqual(segmenter.terms(ordinary, 'precise'));
    expect(segmenter.bigrams(rewritten, inRewritten)).toEqual(segmenter.bigrams(ordinary));
  });

  it.each([
    ['电商直播的优短缺', '电商直播的优缺点'],
    ['关注民众号,发到冤家圈', '关注公众号,发到朋友圈'],
    ['一上面是价格,另一上面是服务', '一方面是价格,另一方面是服务'],
  ])('folds the forms no ordinary text has (%s) in any text, questions included', (rewritten, ordinary) => {
    expect(segmenter.fold(rewritten)).toBe(ordinary);
    expect(segmenter.terms(rewritten)).toEqual(segmenter.terms(ordinary));
  });

  it('leaves a question in ordinary words as it is: 赢利 is no 成本', () => {
    expect(segmenter.fold('怎么提高赢利')).toBe('怎么提高赢利');
    expect(segmenter.terms('怎么提高赢利')).not.toContain('成本');
    expect(segmenter.terms('怎么提高赢利', 'precise')).toContain('赢利');
  });

  it('keeps the real words of an ordinary document: 生产者 and 短缺 stay what they are', () => {
    const text = '上游生产者面临原材料短缺,赢利的治理也处在下风。';
    const terms = segmenter.terms(text);
    expect(terms).toEqual(expect.arrayContaining(['生产者', '短缺', '赢利', '治理', '下风']));
    for (const swapped of ['消费者', '缺点', '成本', '管理', '优点']) expect(terms).not.toContain(swapped);
    expect(segmenter.terms('生产者', 'precise')).not.toEqual(segmenter.terms('消费者', 'precise'));
  });

  it('leaves ordinary text that merely contains part of a rewritten form alone', () => {
    expect(segmenter.fold('肯定会卖爆')).toBe('肯定会卖爆');
  });

  it('drops stopwords, punctuation and question words', () => {
    expect(segmenter.terms('我们应该怎么做呢？！', 'precise')).toEqual([]);
  });
});

describe('Segmenter memo (passage sentences)', () => {
  const remember = { remember: true } as const;

  it('gives the same terms for a sentence scored again, and a caller that changes its copy changes nothing', () => {
    const s = new Segmenter();
    const first = s.terms('直播预告应该提前多久发？', 'search', remember);
    first.push('改掉');
    first[0] = '改掉';
    expect(s.terms('直播预告应该提前多久发？', 'search', remember)).toEqual(new Segmenter().terms('直播预告应该提前多久发？'));
  });

  it('keeps the mode and the rewritten flag apart', () => {
    const s = new Segmenter();
    expect(s.terms('直播预告', 'search', remember)).not.toEqual(s.terms('直播预告', 'precise', remember));
    expect(s.fold('生产者的赢利', remember)).toBe('生产者的赢利');
    expect(s.fold('生产者的赢利', { rewritten: true, remember: true })).toBe('消费者的成本');
    expect(s.fold('生产者的赢利', remember)).toBe('生产者的赢利');
    expect(s.terms('生产者的赢利', 'search', remember)).not.toEqual(s.terms('生产者的赢利', 'search', { rewritten: true, remember: true }));
  });

  it('segments a text too long to remember as well', () => {
    const long = '直播预告应该提前发。'.repeat(60);
    expect(new Segmenter().terms(long, 'search', remember)).toEqual(new Segmenter().terms(long));
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

  it('folds the forms under [ambiguous] only inside a rewritten document, and takes the others for telltales', () => {
    const lexicon = parseLexicon('', '', '', '', '[telltale]\n优短缺 优缺点\n民众号 公众号\n[ambiguous]\n# real words\n短缺 缺点\n');
    expect([...lexicon.telltales].sort()).toEqual(['优短缺', '民众号'].sort());
    expect(lexicon.rewrites.get('短缺')).toBe('缺点');
    const s = new Segmenter(lexicon);
    expect(s.fold('优短缺和短缺')).toBe('优缺点和短缺');
    expect(s.fold('优短缺和短缺', { rewritten: true })).toBe('优缺点和缺点');
    expect(s.isRewritten('优短缺,民众号,优短缺')).toBe(true);
    expect(s.isRewritten('短缺,短缺,短缺,优短缺')).toBe(false);
  });

  it('refuses a rewrites section it does not know', () => {
    expect(() => parseLexicon('', '', '', '', '[sometimes]\n短缺 缺点\n')).toThrow(/sometimes/);
  });
});

describe('looksRewritten', () => {
  const telltales = ['优短缺', '民众号', '冤家圈', '一上面', '另一上面'];
  it.each([
    ['three telltales of two forms', '优短缺在于民众号。优短缺很多。', true],
    ['many of several forms', '民众号、冤家圈、优短缺,一上面', true],
    ['three of a single form', '优短缺,优短缺,优短缺', false],
    ['two of two forms', '优短缺和民众号', false],
    ['a longer form counted once, not with the shorter one inside it', '另一上面,另一上面', false],
    ['no telltale at all', '上游生产者面临原材料短缺', false],
  ])('%s → %s', (_what, text, expected) => {
    expect(looksRewritten(text, telltales)).toBe(expected);
  });

  it('has the shipped lexicon tell the rewritten article of the playbook from the others', () => {
    const found = readdirSync(DEFAULT_PLAYBOOK_DIR).filter((f) => segmenter.isRewritten(readFileSync(join(DEFAULT_PLAYBOOK_DIR, f), 'utf8')));
    expect(found).toEqual(['直播电商的私域流量运营.txt']);
  });
});
