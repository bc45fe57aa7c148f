import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadShop } from '../../src/app/shop.js';
import { definePlugin } from '../../src/bot/plugin.js';
import { ConfigError } from '../../src/kernel/config.js';
import { shopPlugins } from '../../src/skills/index.js';
import { tempDir } from '../helpers.js';

let dir: { dir: string; cleanup: () => void };
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

const problemsOf = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError');
};

describe('the shop file, validated whole', () => {
  it('is optional: every slice at its default', () => {
    const shop = loadShop(join(dir.dir, 'shop.json'), shopPlugins);
    expect(shop.found).toBe(false);
    expect(shop.core).toEqual({ people: { admins: [], agents: [] }, groups: [] });
    expect(shop.slice('cs-scripts')).toEqual({});
  });

  it('reads a valid file with defaults, and keeps the slices frozen', () => {
    const file = join(dir.dir, 'shop.json');
    writeFileSync(file, '\uFEFF{"facts":{"shopName":"小鹿优选"},"groups":[{"platform":"wechat","id":"a@chatroom","name":"粉丝1群"}]}');
    const shop = loadShop(file, shopPlugins);
    expect(shop.core).toEqual({ people: { admins: [], agents: [] }, groups: [{ platform: 'wechat', id: 'a@chatroom', name: '粉丝1群', tags: [] }] });
    expect(shop.slice('cs-scripts')).toEqual({ shopName: '小鹿优选' });
    expect(Object.isFrozen(shop.slice('cs-scripts'))).toBe(true);
    expect(Object.isFrozen(shop.core.groups[0])).toBe(true);
  });

  it('lists every problem of the runtime\'s part and of every plugin\'s slice in one error, with where it is', () => {
    const live = definePlugin({
      name: 'live',
      inject: [],
      config: { schema: z.object({ leadTimes: z.array(z.string().regex(/^\d+m$/, { message: 'shop/invalid-time' })).default(['60m']) }).default({ leadTimes: ['60m'] }) },
    });
    const file = join(dir.dir, 'shop.json');
    writeFileSync(
      file,
      JSON.stringify({ people: { admins: ['1001'] }, groups: [{ platform: 'qq', id: '', name: '群' }], facts: { returnDays: 0, contactHours: '9-22' }, live: { leadTimes: ['an hour'] } }),
    );
    const err = problemsOf(() => loadShop(file, [...shopPlugins, live]));
    expect(err.problems.map((p) => p.key).sort()).toEqual([
      'shop/invalid-hours',
      'shop/invalid-number',
      'shop/invalid-person',
      'shop/invalid-platform',
      'shop/invalid-time',
      'shop/missing-id',
    ]);
    expect(err.problems.map((p) => p.variable)).toContain(`${file} → /live/leadTimes/0`);
    expect(err.problems.map((p) => p.variable)).toContain(`${file} → /facts/returnDays`);
  });

  it('leaves alone the slices of plugins that are not installed', () => {
    const file = join(dir.dir, 'shop.json');
    writeFileSync(file, JSON.stringify({ lottery: { anything: true } }));
    expect(loadShop(file, shopPlugins).found).toBe(true);
  });

  it('checks the coupon plugin\'s slice with the rest: a key it does not know, a window out of range', () => {
    const file = join(dir.dir, 'shop.json');
    writeFileSync(file, JSON.stringify({ coupons: { anything: true, repeatWindowSeconds: -1 } }));
    expect(problemsOf(() => loadShop(file, shopPlugins)).problems.length).toBeGreaterThanOrEqual(2);
    writeFileSync(file, JSON.stringify({ coupons: { repeatWindowSeconds: 30 } }));
    expect(loadShop(file, shopPlugins).found).toBe(true);
  });

  it('says when the file is not JSON', () => {
    const file = join(dir.dir, 'shop.json');
    writeFileSync(file, '{ groups: [ }');
    expect(problemsOf(() => loadShop(file, shopPlugins)).problems[0]!.key).toBe('shop/not-json');
  });
});
