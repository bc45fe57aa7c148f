import { describe, expect, it } from 'vitest';
import { announces, answerKind, asksHow, scoreSentences } from '../../src/knowledge/sentences.js';
import { Segmenter } from '../../src/knowledge/segment.js';

const segmenter = new Segmenter();
const scoring = (question: string) => ({
  segmenter,
  terms: new Map(segmenter.terms(question, 'precise').map((t) => [t, 1])),
  asksHow: asksHow(question),
  ...(answerKind(question) ? { wants: answerKind(question)! } : {}),
});
const best = (question: string, sentences: string[]) => {
  const scores = scoreSentences(sentences, scoring(question));
  return sentences[scores.indexOf(Math.max(...scores))];
};

describe('announces', () => {
  it.each([
    ['a question', '私域流量的运营策略是什么?', '私域流量运营'],
    ['a heading', '电商运营关键数据', '电商运营关键数据有哪些'],
    ['a numbered step that names itself', '第1步,罗列出你现有可触达推广的渠道。', '直播前怎么预热'],
    ['a line ending in a colon', '总而言之,整合后端资源,一定主播做到以下三点:', '整合后端资源'],
    ['an opener', '我们先来归纳一下电商直播的优缺点。', '电商直播的缺点'],
    ['a restatement of the question', '而B端电商运营,要更复杂一点。', 'B端电商运营为什么更复杂'],
    ['a sentence that gives no advice, for a question of how', '有些助理经常跟主播抢麦,这样的情况很尴尬,用户不知道听谁的。', '助理老跟主播抢麦怎么安排'],
    ['a definition, for a question of how', '点击率即用户打开率,是指电商产品页面对用户的吸引度。', 'CTR太低怎么提升'],
  ])('%s', (_what, sentence, question) => {
    expect(announces(sentence, scoring(question))).toBe(true);
  });

  it.each([
    ['an answer with its own content', '转化率越高,流量曝光就越多,流量越稳定。', '转化率高了有什么好处'],
    ['advice, for a question of how', '开播前,助理和主播的角色一定要确认好,助理不要抢麦。', '助理老跟主播抢麦怎么安排'],
    ['a definition, for a question that is not of how', '所谓私域流量,便是可以自由重复利用、无需付费、随时触达的流量,通常指沉淀在公众号、微信群的用户。', '私域流量一般沉淀在哪些渠道'],
  ])('not %s', (_what, sentence, question) => {
    expect(announces(sentence, scoring(question))).toBe(false);
  });
});

describe('scoreSentences', () => {
  it('reads the sentences of a rewritten document with the rewriting tool\'s real words folded back, and no other', () => {
    const sentences = ['直播带货的门槛越来越高了。', '直播的短缺在于退货率高,主播的议价也越来越难。'];
    const question = '直播有哪些缺点';
    const [, ordinary] = scoreSentences(sentences, scoring(question));
    const [, rewritten] = scoreSentences(sentences, { ...scoring(question), rewritten: true });
    expect(rewritten).toBeGreaterThan(ordinary!);
  });

  it('prefers the sentence after one that only announces the topic', () => {
    expect(best('B端电商运营为什么更复杂', ['而B端电商运营,要更复杂一点。', '他中间决策链很长,决策人也很多。'])).toBe(
      '他中间决策链很长,决策人也很多。',
    );
    expect(best('电商直播会去品牌化吗', ['将来的产品会不会去品牌化?', '我的答案是不会。'])).toBe('我的答案是不会。');
  });

  it('prefers a turn that carries the question\'s words over the sentence that sets the scene for it', () => {
    const sentences = ['电商启动期很多人会选择用流量品冲量,因为启动初期成交用户数很重要。', '但也不能因此盲目使用低价品引流,引流品和正价品的人群要一致。'];
    expect(best('启动期冲量的引流品怎么挑', sentences)).toBe(sentences[1]);
    const aside = ['食品是随时间变化而贬值的甚至没有价值,所以对于食品来说就算亏一点也要保持流速。', '但是3C的更新换代十分明显。'];
    expect(best('卖食品为什么亏一点也要保持流速', aside)).toBe(aside[0]);
  });

  it('keeps a sentence that answers by itself first', () => {
    const sentences = ['转化率越高,流量曝光就越多,流量越稳定。', '销售额作为电商运营中的最重要数据。'];
    expect(best('转化率高了有什么好处', sentences)).toBe(sentences[0]);
  });

  it('counts a word few of the passage\'s sentences hold over one most of them repeat', () => {
    const sentences = [
      '粉丝维护的工具分为两类。',
      '站内的工具包括:粉丝群、直播、互动维护。',
      '站外的工具包括抖音、快手和朋友圈。',
      '不管哪一个工具去维护粉丝,首先要建立信任。',
    ];
    expect(best('站外用什么工具维护', sentences)).toBe(sentences[2]);
  });

  it('prefers, for a question of how long or how many, the sentence that gives a number or a time', () => {
    const sentences = ['商品视频的风格要和店铺统一,画面要清晰。', '商品视频最好控制在30秒以内。'];
    expect(best('商品视频拍多长合适', sentences)).toBe(sentences[1]);
    const times = ['修改主图和价格会影响权重。', '修改最好放在凌晨,影响小。'];
    expect(best('修改主图最好什么时候做', times)).toBe(times[1]);
    const listed = ['1、商品视频的风格要和店铺的整体风格保持统一,画面一定要清晰。', '商品视频最好控制在半分钟以内。'];
    expect(best('商品视频拍多长合适', listed)).toBe(listed[1]);
  });

  it('prefers, for a question asking which ones, the sentence that lists them', () => {
    const sentences = ['直播引流的渠道要先选自己粉丝最集中、互动最活跃的那一个平台。', '直播引流的渠道包括公众号、微信群、朋友圈和微博。'];
    expect(best('直播引流的渠道有哪些', sentences)).toBe(sentences[1]);
  });

  it('prefers, for a question asking what good something does, the sentence that names an effect', () => {
    const sentences = ['私域流量的老顾客群需要长期用优惠活动和专属福利慢慢搭建起来。', '私域流量的老顾客群能带来直接的销售转化。'];
    expect(best('私域流量的老顾客群有什么好处', sentences)).toBe(sentences[1]);
  });

  it('opens the answer to a definition question with the defining sentence', () => {
    const sentences = ['私域流量是相对于流量池而言的概念。', '所谓私域流量,便是可以自由重复利用、无需付费的流量。'];
    const scores = scoreSentences(sentences, { ...scoring('什么是私域流量'), definedTerm: '私域流量' });
    expect(scores[1]).toBeGreaterThan(scores[0]!);
  });
});

describe('answerKind', () => {
  it.each([
    ['直播预告提前多久发', 'quantity'],
    ['标题一次改几个字', 'quantity'],
    ['改价最好什么时候改', 'quantity'],
    ['站外有哪些工具', 'list'],
    ['做私域有什么好处', 'benefit'],
    ['什么是私域流量', undefined],
    ['CTR太低怎么办', undefined],
  ])('%s → %s', (question, expected) => {
    expect(answerKind(question)).toBe(expected);
  });
});

describe('asksHow', () => {
  it.each([
    ['CTR太低怎么办', true],
    ['如何提升转化率', true],
    ['运营助理平时主要干啥', true],
    ['什么是私域流量', false],
    ['直播预告提前多久发', false],
  ])('%s → %s', (question, expected) => {
    expect(asksHow(question)).toBe(expected);
  });
});
