import type { Platform } from './context.js';
import type { ShopFile } from './shop-file.js';
import type { Store } from './store/index.js';

/** A group the bot is in (or was, or is configured for). */
/** A group a push or a drop is for: where it is and what people call it. */
export type TargetGroup = Pick<GroupRecord, 'platform' | 'id' | 'name'>;

export interface GroupRecord {
  readonly platform: Platform;
  readonly id: string;
  readonly name: string;
  readonly tags: readonly string[];
  /** Skills allowed to act in the group; all when absent. */
  readonly skills?: readonly string[];
  /** The bot account that serves the group: where its pushes are sent from. */
  readonly account?: string;
  /** config: from the shop file; joined: the bot was added; seen: a message came from it. */
  readonly source: 'config' | 'joined' | 'seen';
  readonly status: 'active' | 'left';
  /** The group's new id, once it has one (a Telegram group upgraded to a supergroup): this record is left. */
  readonly movedTo?: string;
  readonly updatedAt: string;
}

const PREFIX = 'group:';
/** How stale a process's view may be: a change by another process is seen within this. */
export const GROUPS_CACHE_MS = 3_000;

/**
 * The groups the bot is in, kept in the store (one record per group, so processes never overwrite each
 * other's groups), seeded from the shop file and updated as the bot joins, leaves or hears from a group.
 */
export class GroupRegistry {
  private cache?: { at: number; groups: GroupRecord[] };
  /** The first note of each group in this process: later messages wait for it, so a claim already sees the group. */
  private readonly seen = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  private key(platform: Platform, id: string): string {
    return `${PREFIX}${platform}:${id}`;
  }

  /** Every group, configured ones first, each sorted by name. */
  async list(): Promise<GroupRecord[]> {
    if (this.cache && this.now() - this.cache.at < GROUPS_CACHE_MS) return this.cache.groups;
    const groups = (await this.store.list<GroupRecord>(PREFIX)).map(([, g]) => g);
    groups.sort((a, b) => Number(b.source === 'config') - Number(a.source === 'config') || a.name.localeCompare(b.name, 'zh'));
    this.cache = { at: this.now(), groups };
    return groups;
  }

  /** The record of one group. */
  async get(platform: Platform, id: string): Promise<GroupRecord | undefined> {
    return this.store.get<GroupRecord>(this.key(platform, id));
  }

  /** Writes the shop file's groups; their name, tags and skills win over what was learnt. */
  async seed(shop: ShopFile | undefined): Promise<void> {
    for (const g of shop?.groups ?? []) {
      const old = await this.get(g.platform, g.id);
      const account = g.account ?? old?.account;
      await this.write({
        platform: g.platform,
        id: g.id,
        name: g.name,
        tags: g.tags,
        ...(g.skills ? { skills: g.skills } : {}),
        ...(account ? { account } : {}),
        source: 'config',
        status: old?.status ?? 'active',
        // A group that moved (a Telegram supergroup) stays moved though the shop file still names its old id.
        ...(old?.movedTo ? { movedTo: old.movedTo } : {}),
      });
    }
  }

  /** The bot (`account`, where known) was added to a group, or heard from one it did not know: it is active. */
  async joined(platform: Platform, id: string, name: string, source: 'joined' | 'seen' = 'joined', account?: string): Promise<void> {
    const old = await this.get(platform, id);
    // The shop file's account wins; else the account that is in the group now.
    const serving = old?.source === 'config' && old.account ? old.account : account ?? old?.account;
    if (old?.source === 'config') {
      if (old.status !== 'active' || old.account !== serving) await this.write({ ...old, ...(serving ? { account: serving } : {}), status: 'active' });
      return;
    }
    await this.write({ platform, id, name: name || old?.name || id, tags: old?.tags ?? [], ...(serving ? { account: serving } : {}), source: old?.source ?? source, status: 'active' });
  }

  /** A message came from a group (to `account`): registers it the first time this process sees it. */
  noteSeen(platform: Platform, id: string, name: string | undefined, account?: string): Promise<void> {
    const key = this.key(platform, id);
    let noted = this.seen.get(key);
    if (!noted) {
      // Unknown, marked left (the bot was added back while this process was away), or served by an
      // account not yet recorded: it is active, and this account serves it.
      noted = (async () => {
        const g = await this.get(platform, id);
        if (!g || g.status === 'left' || (account && !g.account)) await this.joined(platform, id, name ?? g?.name ?? id, 'seen', account);
      })();
      // A failure (the store away) is tried again with the next message.
      noted.catch(() => this.seen.delete(key));
      this.seen.set(key, noted);
    }
    return noted;
  }

  /** The account that serves a group (its pushes are sent from it), if known. */
  async accountOf(platform: Platform, id: string): Promise<string | undefined> {
    return (await this.get(platform, id))?.account;
  }

  /** The bot was removed from a group. */
  async left(platform: Platform, id: string): Promise<void> {
    const old = await this.get(platform, id);
    if (old) await this.write({ ...old, status: 'left' });
  }

  /**
   * The group now has id `to` (a Telegram group upgraded to a supergroup): its record (name, tags, skills,
   * account) moves there, active; the old id stays, left, pointing to the new one.
   */
  async migrated(platform: Platform, from: string, to: string): Promise<void> {
    const old = await this.get(platform, from);
    const there = await this.get(platform, to);
    if (!there) {
      const base: Omit<GroupRecord, 'updatedAt' | 'movedTo'> = old
        ? { platform, id: to, name: old.name, tags: old.tags, ...(old.skills ? { skills: old.skills } : {}), ...(old.account ? { account: old.account } : {}), source: old.source, status: 'active' }
        : { platform, id: to, name: to, tags: [], source: 'seen', status: 'active' };
      await this.write(base);
    } else if (old && there.source !== 'config') {
      // The supergroup spoke before the notice came (its record learnt, with no tags): what the shop said of
      // the group moves onto it all the same.
      const skills = there.skills ?? old.skills;
      const account = there.account ?? old.account;
      await this.write({
        ...there,
        name: there.name === to ? old.name : there.name,
        tags: [...new Set([...old.tags, ...there.tags])],
        ...(skills ? { skills } : {}),
        ...(account ? { account } : {}),
        source: old.source === 'config' ? 'config' : there.source,
        status: 'active',
      });
    }
    if (old) await this.write({ ...old, status: 'left', movedTo: to });
  }

  /** "All fan groups": active groups tagged `fans`; while no group is configured at all, every active group. */
  async fanGroups(platform?: Platform): Promise<GroupRecord[]> {
    const all = (await this.list()).filter((g) => g.status === 'active' && (!platform || g.platform === platform));
    const configured = (await this.list()).some((g) => g.source === 'config');
    return configured ? all.filter((g) => g.tags.includes('fans')) : all;
  }

  /** Whether `skill` may act in this chat (a group with a skills list allows only those). */
  async allows(platform: Platform, chatId: string, skill: string): Promise<boolean> {
    const g = await this.get(platform, chatId);
    return !g?.skills || g.skills.includes(skill);
  }

  private async write(g: Omit<GroupRecord, 'updatedAt'>): Promise<void> {
    await this.store.set(this.key(g.platform, g.id), { ...g, updatedAt: new Date(this.now()).toISOString() });
    this.cache = undefined;
  }
}
