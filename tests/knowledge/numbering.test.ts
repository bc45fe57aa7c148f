import { describe, expect, it } from 'vitest';
import { listRank, tableOfContents } from '../../src/knowledge/numbering.js';

describe('listRank', () => {
  // The numbering levels of Chinese documents (GB/T 9704): 一、 above （一） above 1. above (1) above ①.
  it.each([
    ['一、直播电商的私域流量', 1],
    ['（二）选品', 2],
    ['1、各类APP的直播平台规则是不同的', 3],
    ['2. 构建私域流量', 3],
    ['2)粉丝自运营,推荐大家可以关注微头条', 4],
    ['（3）多样性', 4],
    ['①店铺促销活动', 5],
    ['2.5倍的转化率', undefined],
    ['2020年电商直播', undefined],
    ['第2步,将直播战场固定化。', undefined],
  ])('%s has rank %s', (line, rank) => {
    expect(listRank(line)).toBe(rank);
  });
});

describe('tableOfContents', () => {
  const body = ['私域流量是商家可以自由反复利用、无需付费、又能随时触达的流量。', '我们先来归纳一下电商直播的优缺点。'];
  it.each([
    {
      name: 'numbered titles that come back as headings, with the ones between them',
      lines: ['直播带货是一时风口还是将来趋势?', '一、私域流量怎么运营', '二、怎么寻求新机遇', '5、电商直播的优缺点', '2、怎么应答利润缩小?', '嘉宾简介', '一、私域流量怎么运营', body[0]!, '5. 电商直播的优缺点', body[1]!],
      contents: [1, 2, 3, 4],
    },
    {
      name: 'not a numbered list whose points do not come back',
      lines: ['有三个原因:', '1、规则不同', '2、习惯的养成', '3、成本太高', ...body],
      contents: [],
    },
    {
      name: 'not two numbered lines, even when they come back',
      lines: ['一、私域流量怎么运营', '二、怎么寻求新机遇', '一、私域流量怎么运营', body[0]!, '二、怎么寻求新机遇', body[1]!],
      contents: [],
    },
  ])('$name', ({ lines, contents }) => {
    expect([...tableOfContents(lines)].sort((a, b) => a - b)).toEqual(contents);
  });
});
