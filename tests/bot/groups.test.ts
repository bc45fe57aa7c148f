import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GROUPS_CACHE_MS, GroupRegistry } from '../../src/bot/groups.js';
import type { ShopFile } from '../../src/bot/shop-file.js';
import { openStore, type Store } from '../../src/bot/store/index.js';
import { memoryStore, tempDir } from '../helpers.js';

const shop: ShopFile = {
  people: { admins: ['telegram:1001'], agents: [] },
  groups: [
    { platform: 'wechat', id: 'a@chatroom', name: '粉丝1群', tags: ['fans'] },
    { platform: 'telegram', id: '-100', name: '运营群', tags: ['ops'], skills: ['playbook-qa'] },
  ],
};

describe('GroupRegistry', () => {
  it('counts every active group as a fan group while none is configured', async () => {
    const groups = new GroupRegistry(memoryStore());
    await groups.joined('wechat', 'x@chatroom', '新群');
    await groups.noteSeen('telegram', '-7', '另一个群');
    expect((await groups.fanGroups()).map((g) => g.name).sort()).toEqual(['另一个群', '新群'].sort());
  });

  it('once groups are configured, only those tagged fans are fan groups; configuration wins over what was learnt', async () => {
    const groups = new GroupRegistry(memoryStore());
    await groups.joined('wechat', 'a@chatroom', '旧名字');
    await groups.joined('wechat', 'b@chatroom', '闲聊群');
    await groups.seed(shop);
    await groups.joined('wechat', 'a@chatroom', '又改了名');
    expect((await groups.fanGroups()).map((g) => [g.name, g.source])).toEqual([['粉丝1群', 'config']]);
    expect((await groups.fanGroups('telegram')).length).toBe(0);
  });

  it('moves a configured Telegram group to its supergroup id, tags and all, even when the new id spoke first, and keeps that across a restart', async () => {
    const fans: ShopFile = { people: { admins: [], agents: [] }, groups: [{ platform: 'telegram', id: '-200', name: '粉丝TG群', tags: ['fans'], skills: ['coupons'] }] };
    const store = memoryStore();
    const groups = new GroupRegistry(store);
    await groups.seed(fans);
    // The supergroup's first message arrives before the old group's migration notice.
    await groups.noteSeen('telegram', '-100200', '粉丝TG群');
    await groups.migrated('telegram', '-200', '-100200');
    expect(await groups.get('telegram', '-100200')).toMatchObject({ status: 'active', tags: ['fans'], skills: ['coupons'], name: '粉丝TG群' });
    expect((await groups.fanGroups('telegram')).map((g) => g.id)).toEqual(['-100200']);
    // A restart seeds the shop file again, which still names the old id: it stays moved.
    const again = new GroupRegistry(store);
    await again.seed(fans);
    expect(await again.get('telegram', '-200')).toMatchObject({ status: 'left', movedTo: '-100200' });
    expect((await again.fanGroups('telegram')).map((g) => g.id)).toEqual(['-100200']);
  });

  it('marks a group the bot left, and takes it back when it rejoins', async () => {
    const groups = new GroupRegistry(memoryStore());
    await groups.seed(shop);
    await groups.left('wechat', 'a@chatroom');
    expect(await groups.fanGroups()).toEqual([]);
    expect((await groups.get('wechat', 'a@chatroom'))?.status).toBe('left');
    await groups.joined('wechat', 'a@chatroom', '粉丝1群');
    expect((await groups.fanGroups()).length).toBe(1);
  });

  it('applies a group policy: only the listed skills act there', async () => {
    const groups = new GroupRegistry(memoryStore());
    await groups.seed(shop);
    expect(await groups.allows('telegram', '-100', 'playbook-qa')).toBe(true);
    expect(await groups.allows('telegram', '-100', 'coupon-drop')).toBe(false);
    expect(await groups.allows('wechat', 'a@chatroom', 'coupon-drop')).toBe(true);
    expect(await groups.allows('wechat', 'unknown@chatroom', 'coupon-drop')).toBe(true);
  });
});

describe('processes sharing the registry through the store', () => {
  let dir: { dir: string; cleanup: () => void };
  let a: Store;
  let b: Store;
  beforeEach(async () => {
    dir = tempDir();
    a = await openStore({ dataDir: dir.dir });
    b = await openStore({ dataDir: dir.dir });
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    dir.cleanup();
  });

  it('see a change made by another process within 5 seconds', async () => {
    let now = 1_000_000;
    const running = new GroupRegistry(a, () => now);
    expect(await running.list()).toEqual([]);
    await new GroupRegistry(b, () => now).seed(shop); // e.g. `opsbot groups` with a new shop.json
    now += GROUPS_CACHE_MS;
    expect(GROUPS_CACHE_MS).toBeLessThanOrEqual(5_000);
    expect((await running.list()).map((g) => g.name)).toEqual(['粉丝1群', '运营群']);
  });
});
