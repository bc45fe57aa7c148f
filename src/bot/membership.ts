import type { Logger } from '../kernel/logger.js';
import type { Prompts } from '../kernel/prompts.js';
import type { MembershipEvent, Transport } from './context.js';
import type { GroupRegistry } from './groups.js';
import type { Outbox } from './outbox/types.js';

/** A welcome is worthless this long after the join. */
const WELCOME_TTL_MS = 30 * 60_000;

/**
 * Keeps the registry current as the bot joins and leaves groups, and welcomes newcomers to fan groups:
 * a push like any other, through the outbox (paced, held in quiet hours, once per join even if the
 * platform reports it twice).
 */
export function createMembershipHandler(services: {
  readonly groups: GroupRegistry;
  readonly outbox: Outbox;
  readonly prompts: Prompts;
  readonly logger: Logger;
  /** The app's clock: the welcome's deadline is read on it. */
  readonly now?: () => number;
}): (event: MembershipEvent, transport: Transport) => Promise<void> {
  const { groups, outbox, prompts, logger } = services;
  const now = services.now ?? Date.now;
  return async (event) => {
    const { platform, chat } = event;
    if (event.kind === 'bot-joined') return groups.joined(platform, chat.id, chat.title ?? chat.id, 'joined', event.account);
    if (event.kind === 'bot-left') return groups.left(platform, chat.id);
    if (event.kind === 'migrated') return event.movedTo ? groups.migrated(platform, chat.id, event.movedTo) : undefined;
    // A join in a room shows the bot is in it, even if it joined before this process ran.
    await groups.noteSeen(platform, chat.id, chat.title, event.account);
    const fan = (await groups.fanGroups(platform)).some((g) => g.id === chat.id);
    if (!fan || event.people.length === 0) return;
    const who = event.people.map((p) => p.id).sort().join(',');
    const { entry, created } = await outbox.push({
      platform,
      ...(event.account ? { account: event.account } : {}),
      chat: chat.id,
      content: { kind: 'mention', text: prompts.render('welcome/fan-group', { group: chat.title ?? '' }), mentions: event.people },
      source: 'welcome',
      dedupeKey: `welcome:${platform}:${chat.id}:${who}:${Math.floor(now() / 60_000)}`,
      deadline: new Date(now() + WELCOME_TTL_MS),
    });
    logger.info({ platform, chatId: chat.id, people: event.people.length, entry: entry.id, created }, 'welcome pushed');
  };
}
