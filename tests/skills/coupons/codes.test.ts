import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, CODE_LENGTH, generateCodes, readCodes } from '../../../src/skills/coupons/codes.js';
import { normalizeKeyword, parseWhen, planDrop, type DropContext } from '../../../src/skills/coupons/drop.js';
import type { UserFacingError } from '../../../src/kernel/errors.js';
import { ErrorCode, hasCode } from '../../../src/kernel/errors.js';
import { prompts } from '../../helpers.js';

const TZ = 'Asia/Shanghai';
const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    expect(hasCode(err, ErrorCode.COUPON_INVALID)).toBe(true);
    return ((err as UserFacingError).details as { problems: string[] }).problems;
  }
  throw new Error('expected a refusal');
};

describe('coupon codes', () => {
  it('generates distinct codes of 10 characters that cannot be misread (no 0/O, 1/I/L)', () => {
    const codes = generateCodes(20_000);
    expect(new Set(codes).size).toBe(20_000);
    expect(CODE_LENGTH).toBeGreaterThanOrEqual(8);
    for (const c of ['0', 'O', '1', 'I', 'L']) expect(CODE_ALPHABET).not.toContain(c);
    expect(codes.every((c) => c.length === CODE_LENGTH && [...c].every((ch) => CODE_ALPHABET.includes(ch)))).toBe(true);
  });

  it('reads a file of the shop\'s codes, one per line, in UTF-8 (with a BOM, CRLF) or GBK', () => {
    expect(readCodes(Buffer.from('\uFEFFAB12CD\r\nEF34GH\r\n'), prompts)).toEqual(['AB12CD', 'EF34GH']);
    expect(readCodes(iconv.encode('XK-001\nXK-002', 'gbk'), prompts)).toEqual(['XK-001', 'XK-002']);
  });

  it('refuses blank lines, duplicates and codes that cannot be typed, naming every line', () => {
    const found = problems(() => readCodes(Buffer.from('AAA111\n\nBBB222\nAAA111\nC C\n满减券\nBBB222\n'), prompts));
    expect(found).toEqual([
      prompts.render('coupon/problem-codes-bad', { lines: '5、6', max: 64 }),
      prompts.render('coupon/problem-codes-blank', { lines: '2' }),
      prompts.render('coupon/problem-codes-duplicate', { line: 4, first: 1, code: 'AAA111' }),
      prompts.render('coupon/problem-codes-duplicate', { line: 7, first: 3, code: 'BBB222' }),
    ]);
    expect(problems(() => readCodes(Buffer.from(''), prompts))).toEqual([prompts.render('coupon/problem-codes-blank', { lines: '1' })]);
    expect(problems(() => readCodes(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]), prompts))).toEqual([prompts.render('coupon/problem-codes-unreadable')]);
  });
});

describe('planning a drop', () => {
  const groups = [
    { platform: 'wechat' as const, id: 'r1@chatroom', name: '粉丝1群' },
    { platform: 'wechat' as const, id: 'r2@chatroom', name: '粉丝2群' },
  ];
  const now = Date.parse('2026-12-01T10:00:00+08:00');
  const ctx = (over: Partial<DropContext> = {}): DropContext => ({ now, tz: TZ, groups, fanGroups: groups, taken: [], ...over });

  it('defaults to one per fan, from now until sold out, in every fan group', () => {
    const d = planDrop({ name: ' 双12宠粉券 ', stock: 100, keyword: '领券' }, ctx(), prompts);
    expect(d).toEqual({ name: '双12宠粉券', stock: 100, keyword: '领券', perUser: 1, startsAt: new Date(now).toISOString(), allFanGroups: true, groups });
  });

  it('reads times as ISO with an offset or as the shop\'s local time, and takes the stock from imported codes', () => {
    const d = planDrop({ name: '福袋', keyword: '福袋', starts: '2026-12-12 20:00', ends: '2026-12-12T22:00:00+08:00', groups: ['粉丝2群'], codes: ['A1', 'B2', 'C3'], stock: 999 }, ctx(), prompts);
    expect(d).toMatchObject({ stock: 3, startsAt: '2026-12-12T12:00:00.000Z', endsAt: '2026-12-12T14:00:00.000Z', allFanGroups: false, groups: [groups[1]], importedCodes: ['A1', 'B2', 'C3'] });
    expect(parseWhen('2026-12-12T20:00Z', TZ)?.toISOString()).toBe('2026-12-12T20:00:00.000Z');
    expect(parseWhen('明天晚上', TZ)).toBeUndefined();
  });

  it('refuses a drop written wrong, naming every problem at once', () => {
    const found = problems(() => planDrop({ name: '', stock: 0, keyword: '  ', perUser: 20, starts: '下周', ends: '2026-11-30 20:00', groups: ['粉丝9群'] }, ctx(), prompts));
    expect(found).toHaveLength(7);
    expect(found.join('\n')).toContain('结束时间 2026-11-30 20:00 已经过去了');
    expect(found.join('\n')).toContain('缺少名称');
    expect(found.join('\n')).toContain('缺少口令');
    expect(found.join('\n')).toContain('库存 0 不行');
    expect(found.join('\n')).toContain('每人限领 20 张不行');
    expect(found.join('\n')).toContain('时间“下周”看不懂');
    expect(found.join('\n')).toContain('没有叫“粉丝9群”的群');
    expect(problems(() => planDrop({ name: 'x', keyword: '领券' }, ctx(), prompts))).toEqual([prompts.render('coupon/problem-stock-missing')]);
    expect(problems(() => planDrop({ name: 'x', keyword: '领券', stock: 5, starts: '2026-12-12 20:00', ends: '2026-12-12 19:00' }, ctx(), prompts))).toEqual([
      prompts.render('coupon/problem-ends-before', { value: '2026-12-12 19:00' }),
    ]);
  });

  it('refuses a keyword another running drop uses in the same group, and allows it elsewhere', () => {
    const taken = [{ keyword: '领券', name: '第一波', groups: [groups[0]!] }];
    expect(problems(() => planDrop({ name: '第二波', stock: 5, keyword: '领 券！' }, ctx({ taken }), prompts))).toEqual([prompts.render('coupon/problem-keyword-taken', { keyword: '领 券！', name: '第一波' })]);
    expect(planDrop({ name: '第二波', stock: 5, keyword: '领券', groups: ['粉丝2群'] }, ctx({ taken }), prompts).groups).toEqual([groups[1]]);
  });

  it('compares keywords without spaces, punctuation, emoji or case', () => {
    expect(normalizeKeyword(' 领券！🎁 ')).toBe('领券');
    expect(normalizeKeyword('ＶＩＰ券')).toBe('vip券');
  });
});
