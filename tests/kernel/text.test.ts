import { describe, expect, it } from 'vitest';
import { charCount, firstChars } from '../../src/kernel/text.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('firstChars', () => {
  it.each<[string, string, number, string]>([
    ['plain text shorter than the limit', '保温杯', 5, '保温杯'],
    ['plain text cut', '保温杯羽绒服', 3, '保温杯'],
    ['emoji counted as one each', '😀😁😂😃', 2, '😀😁'],
    ['an odd start, where 40 units end inside a pair', `x${'😀'.repeat(30)}`, 20, `x${'😀'.repeat(19)}`],
    ['a rare 汉字 outside the BMP', '𠀀𠀁𠀂', 1, '𠀀'],
    ['nothing', '😀', 0, ''],
  ])('%s', (_name, text, max, cut) => {
    expect(firstChars(text, max)).toBe(cut);
    expect(charCount(firstChars(text, max))).toBe(Math.min(max, charCount(text)));
  });

  it('never yields a lone surrogate at any limit', () => {
    const text = `a😀b${'🧣'.repeat(5)}𠀀c`;
    for (let max = 0; max <= charCount(text) + 1; max++) expect(firstChars(text, max)).not.toMatch(LONE_SURROGATE);
  });
});
