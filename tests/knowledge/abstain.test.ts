import { describe, expect, it } from 'vitest';
import { abstains, isSmallTalk, namesShopWord } from '../../src/knowledge/abstain.js';
import type { RetrievedPassage } from '../../src/knowledge/types.js';
import { Segmenter } from '../../src/knowledge/segment.js';

const segmenter = new Segmenter();

describe('isSmallTalk', () => {
  it.each(['你好', '今天天气怎么样', '讲个笑话', '给我讲个故事吧', '推荐一部电影', '今天星期几', '北京到上海的高铁要多久', '1+1等于几', 'Hello!', 'what is the weather like today', 'tell me a joke', 'javascript怎么写'])(
    '%s is small talk',
    (question) => {
      expect(isSmallTalk(question, segmenter)).toBe(true);
    },
  );

  it.each(['给我讲个品牌故事', '直播预告什么时候发', '客服话术怎么写', '推荐几款引流品', '你好，优惠券怎么领', 'history of the shop GMV'])('%s is a shop question', (question) => {
    expect(isSmallTalk(question, segmenter)).toBe(false);
  });
});

describe('namesShopWord', () => {
  it('knows the domain words and synonyms, in either script', () => {
    expect(namesShopWord('GMV怎么算', segmenter)).toBe(true);
    expect(namesShopWord('直播間怎麼佈置', segmenter)).toBe(true);
    expect(namesShopWord('今天心情不好', segmenter)).toBe(false);
    expect(namesShopWord('javascript', segmenter)).toBe(false);
    expect(namesShopWord('打造个人IP', segmenter)).toBe(true);
  });
});

describe('abstains', () => {
  const passage = (coverage: number, matchedWords: number) =>
    ({ chunk: { id: 'a#0', docId: 'a', doc: 'a', section: '', text: '', line: 1 }, score: 1, coverage, matchedWords }) as RetrievedPassage;

  it('answers a shop question on the usual evidence', () => {
    expect(abstains({ question: '客服要掌握什么', segmenter }, [passage(0.3, 1)])).toBe(false);
  });

  it('asks more of a question that names no shop word: two shared words and half its weight', () => {
    expect(abstains({ question: '一部好作品的标准', segmenter }, [passage(0.45, 2)])).toBe(true);
    expect(abstains({ question: '一部好作品的标准', segmenter }, [passage(0.8, 1)])).toBe(true);
    expect(abstains({ question: '一部好作品的标准', segmenter }, [passage(0.6, 2)])).toBe(false);
  });

  it('says nothing without a supporting passage, or for small talk', () => {
    expect(abstains({ question: '客服要掌握什么', segmenter }, [])).toBe(true);
    expect(abstains({ question: '讲个笑话', segmenter }, [passage(1, 3)])).toBe(true);
  });
});
