import { describe, expect, it } from 'vitest';
import { asksDefinition, definedTerm, definitionStrength } from '../../src/knowledge/definition.js';

describe('definedTerm', () => {
  it.each([
    ['什么是私域流量？', '私域流量'],
    ['什么叫特征化人群', '特征化人群'],
    ['gmv是什么数据？', 'gmv'],
    ['流量池是什么', '流量池'],
    ['存量带增量是什么意思呢', '存量带增量'],
    ['后端资源指的是什么', '后端资源'],
    ['私域流量到底指的是什么？', '私域流量'],
    ['dsr代表什么', 'dsr'],
    ['what is gmv?', 'gmv'],
    ["what's aipl", 'aipl'],
  ])('%s asks what %s is', (question, term) => {
    expect(definedTerm(question)).toBe(term);
  });

  it.each(['转化率高了有什么好处', '直播预告应该提前多久发？', 'aipl里的a和i分别指什么', '什么', '今天天气怎么样'])(
    '%s is not a definition question',
    (question) => {
      expect(definedTerm(question)).toBeUndefined();
    },
  );
});

describe('definitionStrength', () => {
  it.each([
    ['所谓私域流量,便是私家可以自由重复利用的流量', '私域流量', 2],
    ['点击率即用户打开率,是指电商产品页面对用户的吸引度。', '点击率', 2],
    ['后端资源,指的是商家所持的产品资源。', '后端资源', 2],
    ['电商是电子商务的简称', '电商', 2],
    ['和传统的crm(客户关系管理)有些类似。', 'crm', 2],
    ['这个数据就是我们说的gmv数据。', 'gmv', 2],
    ['上述所有环节都是aipl里面的a(认知)', 'aipl', 1],
    ['私域流量是相对于流量池而言的概念。', '私域流量', 1],
    ['微头条虽然是属于私域流量,但可以维护粉丝', '私域流量', 0],
    ['私域流量是否有用', '私域流量', 0],
  ])('%s → %s: %i', (sentence, term, strength) => {
    expect(definitionStrength(sentence, term)).toBe(strength);
  });

  it('knows a rhetorical question that introduces the definition', () => {
    expect(asksDefinition('什么存量带增量?', '存量带增量')).toBe(true);
    expect(asksDefinition('存量带增量的思维很重要', '存量带增量')).toBe(false);
  });
});
