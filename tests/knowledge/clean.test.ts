import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanDocument, parseBoilerplate, stripMarkdown } from '../../src/knowledge/clean.js';
import { loadLexicon } from '../../src/knowledge/segment.js';
import { DEFAULT_PLAYBOOK_DIR } from '../helpers.js';

const article = (name: string) => readFileSync(join(DEFAULT_PLAYBOOK_DIR, `${name}.txt`), 'utf8');
const rules = loadLexicon().boilerplate;
const keptText = (name: string) => cleanDocument(article(name), rules, name).paragraphs.map((p) => p.text).join('\n');

describe('cleanDocument: a table of contents', () => {
  it('drops the numbered titles listed before the article that come back as its headings', () => {
    const text = article('直播电商的私域流量运营');
    const cleaned = cleanDocument(text, rules, '直播电商的私域流量运营');
    const contents = cleaned.removed.filter((r) => r.reason === 'contents').map((r) => r.line);
    expect(contents).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The headings themselves stay.
    expect(cleaned.paragraphs.map((p) => p.text)).toContain('一、直播电商的私域流量,要怎么运营才更高效?');
  });
});

describe('stripMarkdown', () => {
  it.each([
    ['顾客说**商品破损**时', '顾客说商品破损时'],
    ['见[发货规则](https://example.com/a)和![图](x.png)', '见发货规则和'],
    ['- 下单后 48 小时内发货', '下单后 48 小时内发货'],
    ['1. 先道歉', '1. 先道歉'],
    ['> 引用的话', '引用的话'],
    ['| 催发货 | 亲，已经在加急打包了 |', '催发货，亲，已经在加急打包了'],
    ['|---|:---:|', ''],
    ['```ts', ''],
    ['## 发货时效', '## 发货时效'],
    ['用 `opsbot ask` 提问', '用 opsbot ask 提问'],
  ])('%s', (line, expected) => {
    expect(stripMarkdown(line)).toBe(expected);
  });

  it('takes a Markdown title line for the document title', () => {
    const cleaned = cleanDocument('# 售后话术\n\n顾客说**商品破损**时，先道歉。', rules, '售后话术', true);
    expect(cleaned.paragraphs.map((p) => p.text)).toEqual(['顾客说商品破损时，先道歉。']);
  });
});

describe('parseBoilerplate', () => {
  it('reads rules under their sections, so a shop can add its own advertisers', () => {
    const own = parseBoilerplate('# mine\n[paragraph]\n扫码加入某某电商学院\n[sentence]\n某某学院\n');
    const text = '直播带货的第一步是选品。\n扫码加入某某电商学院，领取运营资料包\n复盘要对比数据，详情咨询某某学院。找出流失的环节。';
    expect(cleanDocument(text, own).paragraphs.map((p) => p.text)).toEqual(['直播带货的第一步是选品。', '找出流失的环节。']);
  });

  it('refuses a rule outside any section', () => {
    expect(() => parseBoilerplate('白皮书\n')).toThrow(/line 1/);
  });
});

describe('cleanDocument', () => {
  it.each([
    ['an ad for a white paper', '不妨看看近期整理的《2023内容营销获客实战白皮书》，感兴趣的朋友可以点击链接即可下载阅读'],
    ['an attribution line', '本文由某某博客发布，不代表本站立场，转载联系作者并注明出处'],
    ['a breadcrumb', '1. 主页 > 热点营销资讯'],
    ['an image caption', '电子商务运营推广实训(图1)'],
    ['a contact line', '微信号：shop_service01'],
    ['a subscription blurb', '免费为您提供各类型高质量电商干货，方便您随时阅读'],
  ])('drops %s', (_what, line) => {
    const text = `直播带货的第一步是选品，选品决定了整场直播的转化。\n${line}\n复盘要对比每场直播的数据变化，找出流失的环节。`;
    const cleaned = cleanDocument(text, rules);
    expect(cleaned.paragraphs.map((p) => p.text)).toHaveLength(2);
    expect(cleaned.removed.map((r) => r.reason)).toEqual(['boilerplate']);
  });

  it('keeps the original wording, script and line numbers of what stays', () => {
    const cleaned = cleanDocument('\n\n店鋪的優化包括對關鍵詞和標題的優化。\r\n\r\n客服要及時跟進物流異常訂單。', rules);
    expect(cleaned.paragraphs).toEqual([
      { text: '店鋪的優化包括對關鍵詞和標題的優化。', line: 3 },
      { text: '客服要及時跟進物流異常訂單。', line: 5 },
    ]);
  });

  it('removes URLs, phone numbers and agency-ad sentences inside useful paragraphs', () => {
    const cleaned = cleanDocument(
      '店长要诊断店铺问题、做竞品分析。如果这些人才你都没有，可以找心之力！详见 https://example.com/a?b=1 或致电 13812345678。',
      rules,
    );
    const text = cleaned.paragraphs[0]!.text;
    expect(text).toContain('店长要诊断店铺问题');
    expect(text).not.toMatch(/心之力|https?:|1381234/);
  });

  it.each([
    ['an introduction', '今天给在一起电商给大家分享一些关于电商运营的浅见，希望能与大家共勉。'],
    ['a sign-off', '以上就是今天分享的全部内容，希望能够对广大企业营销人员有一些营销方面的启发。'],
    ['a teaser', '不信一起來看下：'],
    ['a call to comment', '欢迎大家留言讨论。'],
  ])('drops %s at the end of a useful paragraph, keeping the rest', (_what, sentence) => {
    const cleaned = cleanDocument(`在做电商运营之前，一定要先想清楚定位。复盘要对比数据的变化。${sentence}`, rules);
    expect(cleaned.paragraphs.map((p) => p.text)).toEqual(['在做电商运营之前，一定要先想清楚定位。复盘要对比数据的变化。']);
  });

  it('keeps sentences that only share words with an introduction', () => {
    const text = '主播今天要给粉丝分享使用体验。希望顾客收到货后满意。以上三点要写进话术。';
    expect(cleanDocument(text, rules).paragraphs.map((p) => p.text)).toEqual([text]);
  });

  it('cuts the footer from 相关新闻 / 评论区 / 联系我们 on, but not a heading of the same words early in the text', () => {
    const body = Array.from({ length: 6 }, (_, i) => `第${i + 1}段正文，讲的是直播间的运营方法和数据复盘。`).join('\n');
    const cleaned = cleanDocument(`联系我们\n${body}\n相关新闻\n某某店铺开业大吉\n发表评论`, rules);
    expect(cleaned.paragraphs.map((p) => p.text)).toEqual(['联系我们', ...body.split('\n')]);
    expect(cleaned.removed.filter((r) => r.reason === 'footer')).toHaveLength(3);
  });

  it('drops the five tips the traditional article pastes twice, and its subscription footer', () => {
    const text = keptText('電商運營的五個小竅門');
    for (const heading of ['1. 塑造品牌故事', '2. 構建私域流量', '3. 店鋪優化', '4. 數據分析', '5. 客服服務']) {
      expect(text.split(heading)).toHaveLength(2);
    }
    expect(text).not.toMatch(/相關新聞|訂閱|請放心填寫/);
  });

  it('keeps a heading that repeats only because a table of contents lists it', () => {
    const text = keptText('直播电商的私域流量运营');
    expect(text.split('一、直播电商的私域流量,要怎么运营才更高效?').length).toBeGreaterThanOrEqual(2);
    expect(text).toContain('首先我们需求了解:什么是私域流量?');
  });

  it('leaves no ads, contacts or footers in the shipped playbook', () => {
    const all = ['电商精细化运营思路', '电商运营与直播带货流程', '直播电商的私域流量运营', '社交电商如何运营', '電商運營的五個小竅門']
      .map(keptText)
      .join('\n');
    expect(all).not.toMatch(/MarketUP|白皮书|19951984030|marketup01|https?:\/\/|评论区|发表评论|DABAN|乐在赚|心之力|\(图1\)/);
    expect(all).toContain('点击率即用户打开率');
    expect(all).not.toMatch(/浅见|共勉|以上就是今天分享/);
  });
});
