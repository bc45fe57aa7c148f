import { describe, expect, it } from 'vitest';
import { cleanDocument } from '../../src/knowledge/clean.js';
import { ChineseTextSplitter, detectHeading, mergeSmallSections, sectionize, splitDocument } from '../../src/knowledge/split.js';
import { readPlaybook } from '../../src/knowledge/ingest.js';
import { loadLexicon } from '../../src/knowledge/segment.js';
import { DEFAULT_PLAYBOOK_DIR } from '../helpers.js';

const LABELS = { introLabel: '开篇', bodyLabel: '正文' };
const rules = loadLexicon().boilerplate;

describe('detectHeading', () => {
  it.each([
    ['-01-', '直播前期的预热', { level: 1, title: '直播前期的预热', titleOnNextLine: true }],
    ['一、直播电商的私域流量,要怎么运营才更高效?', undefined, { level: 1 }],
    ['第1步,罗列出你现有可触达推广的渠道。', undefined, { level: 2, title: '第1步', inBody: true }],
    ['1. 塑造品牌故事', undefined, { level: 2, title: '1. 塑造品牌故事', inBody: false }],
    ['5粉丝运营的新思维,学会加分析的底层逻辑', undefined, { level: 1, title: '粉丝运营的新思维,学会加分析的底层逻辑' }],
    ['直播中:开播时在账号再发一条视频', undefined, { level: 3, title: '直播中', inBody: true }],
    ['外部公域流量:', undefined, { level: 3, title: '外部公域流量' }],
    ['## 直播复盘', undefined, { level: 2, title: '直播复盘' }],
    ['电商运营关键数据', '做电商必须要关注的四个核心数据:点击率、转化率、销量、销售额。', { level: 1 }],
    ['怎么运营私域流量才高效呢?', '首先要有良好的转化路径,即通过怎么办的途径,将怎么办的人转化为私域流量。', { level: 3, title: '怎么运营私域流量才高效呢', inBody: true }],
  ])('%s is a heading', (line, next, expected) => {
    expect(detectHeading(line, next)).toMatchObject(expected);
  });

  it.each([
    ['1、各类APP的直播平台规则是不同的,选择某个APP意味着要去研究平台规则以及成交路径。'],
    ['2)不相关性,毫无关联的场景下也会产生。'],
    ['有人会问:为什么要将直播战场固定化?'],
    ['嘉宾简介'], // a short line with nothing after it is not a title
    ['通过什么方式能让私域流量留存呢?', '他们进了你的流量池,能得到怎么样的回馈奖励?为什么要留在你的群里?'], // asked on, not answered
    ['首先我们需要了解:什么是私域流量?私域流量的运营策略是什么?', '所谓私域流量,便是私家可以自在重复利用的流量。'], // two questions
  ])('%s is not a heading', (line, next?: string) => {
    expect(detectHeading(line, next)).toBeNull();
  });
});

const sectionsOf = (lines: string[]) => sectionize(lines.map((text, i) => ({ text, line: i + 1 })));

describe('sectionize', () => {
  it.each([
    {
      name: 'a numbered point of a higher list ends the lower point heading before it',
      lines: [
        '5粉丝运营的新思维',
        '2)粉丝自运营,推荐大家可以关注微头条',
        '微头条虽然是属于私域流量,但有一个很大的好处就是可以维护粉丝。',
        '1、制作一份店铺运营计划表,运营计划是店铺运营规划中最重要的一点。',
      ],
      paths: [['粉丝运营的新思维', '2)粉丝自运营,推荐大家可以关注微头条'], ['粉丝运营的新思维']],
    },
    {
      name: 'a point of a lower list stays under its heading',
      lines: ['2、个性化展现的应对方法', '对于消费者的手机型号,系统给出了不同的展现。', '1)访客精准度分析:生意参谋可以看到进店人群的精准度。'],
      paths: [['2、个性化展现的应对方法']],
    },
    {
      name: 'points under a plain label stay under it',
      lines: ['第2步,将直播战场固定化。', '有两个原因:', '1、各类APP的直播平台规则是不同的,选择某个APP意味着要去研究平台规则。'],
      paths: [['第2步'], ['第2步', '有两个原因']],
    },
  ])('$name', ({ lines, paths }) => {
    expect(sectionsOf(lines).map((s) => s.path)).toEqual(paths);
  });


  it('nests headings by level, and siblings replace each other', () => {
    const lines = ['1. 塑造品牌故事', '品牌故事是品牌的个性展示，可以拉近和消费者的距离。', '2. 构建私域流量', '把老顾客留下来，搭建老顾客群。'];
    const sections = sectionize(lines.map((text, i) => ({ text, line: i + 1 })));
    expect(sections.map((s) => s.path)).toEqual([['1. 塑造品牌故事'], ['2. 构建私域流量']]);
  });
});

describe('mergeSmallSections', () => {
  it.each([
    {
      name: 'a small section goes into its parent before siblings merge',
      lines: [
        '一、直播前期的预热',
        '第1步,罗列出你现有可触达推广的渠道。',
        '外部公域流量:',
        '阿里系、腾讯系、字节系、京东系、拼多多系、快手系。',
        '第2步,将直播战场固定化。',
        '有两个原因:',
        '1、各类APP的直播平台规则是不同的,选择某个APP意味着要去研究平台规则以及成交路径。',
      ],
      maxChars: 90,
      paths: [['一、直播前期的预热', '第1步'], ['一、直播前期的预热', '第2步']],
    },
    {
      name: 'small siblings of one part merge under what they share',
      lines: ['一、直播前', '第1步,罗列出渠道。', '第2步,固定直播战场。'],
      maxChars: 90,
      paths: [['一、直播前']],
    },
    {
      name: 'the text before the first heading is nobody\'s parent',
      lines: ['都说做电商太难了,其实电商运营是有很多窍门的。', '1. 塑造品牌故事', '品牌故事是品牌的个性展示,可以拉近和消费者的距离。'],
      maxChars: 320,
      paths: [[], ['1. 塑造品牌故事']],
    },
  ])('$name', ({ lines, maxChars, paths }) => {
    expect(mergeSmallSections(sectionsOf(lines), maxChars).map((s) => s.path)).toEqual(paths);
  });
});

describe('ChineseTextSplitter', () => {
  it('cuts at sentence ends and keeps each 。 with its own sentence', async () => {
    const text = '开播前要选品排品。前一小时发布直播预告，交代直播时间、主题和活动！直播中定时发福袋；每四十分钟发一个直播切片？复盘不能少。';
    const pieces = await new ChineseTextSplitter(30, 0).splitText(text);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) expect(piece).not.toMatch(/^[。！？；，]/);
  });
});

describe('splitDocument on the shipped playbook', () => {
  it('cites passages by the articles own headings, never mid-sentence, never empty', async () => {
    const { documents } = await readPlaybook(DEFAULT_PLAYBOOK_DIR);
    const sections = new Set<string>();
    for (const doc of documents) {
      const chunks = await splitDocument(cleanDocument(doc.text, rules, doc.title, doc.markdown).paragraphs, LABELS);
      expect(chunks.length).toBeGreaterThan(3);
      for (const c of chunks) {
        sections.add(`${doc.title}|${c.section}`);
        expect(c.text.length).toBeGreaterThan(0);
        expect(c.text.length).toBeLessThanOrEqual(320);
        expect(c.text).not.toMatch(/^[。！？；，,.;!?]/);
      }
    }
    for (const expected of [
      '电商运营与直播带货流程|电商直播怎么做',
      '电商运营与直播带货流程|直播前期的预热',
      '电商运营与直播带货流程|电商运营关键数据',
      '電商運營的五個小竅門|5. 客服服務',
      '电商精细化运营思路|正文',
      '直播电商的私域流量运营|二、直播电商怎么在当下激烈的竞争中寻求新的丰厚机遇 > 5. 电商直播的优短缺',
    ]) {
      expect(sections).toContain(expected);
    }
  });
});
