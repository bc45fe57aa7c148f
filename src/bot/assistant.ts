import type { Config } from './config.js';
import type { MembershipEvent, Transport } from './context.js';
import type { Logger } from './logger.js';
import type { Prompts } from './prompts.js';
import { GroupRegistry } from './groups.js';
import { RoleDirectory } from './roles.js';
import { loadShopFile } from './shop-file.js';
import { Router } from './router.js';
import { openConfiguredStore, type Store } from './store.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { createPlaybookQaSkill } from '../skills/playbook-qa/index.js';

export interface Assistant {
  readonly router: Router;
  readonly store: Store;
  readonly groups: GroupRegistry;
  /** Operators, from OPSBOT_ADMINS and the shop file, as `platform:userId`. */
  readonly admins: readonly string[];
  /** Keeps the registry current as the bot joins and leaves groups, and welcomes newcomers to fan groups. */
  onMembership(event: MembershipEvent, transport: Transport): Promise<void>;
  close(): Promise<void>;
}

export interface AssistantServices {
  readonly config: Config;
  readonly logger: Logger;
  readonly prompts: Prompts;
  readonly knowledge: KnowledgeBase;
}

/** Keeps the registry current as the bot joins and leaves groups, and welcomes newcomers to fan groups. */
export function createMembershipHandler(services: {
  readonly groups: GroupRegistry;
  readonly prompts: Prompts;
  readonly logger: Logger;
}): (event: MembershipEvent, transport: Transport) => Promise<void> {
  const { groups, prompts, logger } = services;
  return async (event, transport) => {
    const { platform, chat } = event;
    if (event.kind === 'bot-joined') return groups.joined(platform, chat.id, chat.title ?? chat.id);
    if (event.kind === 'bot-left') return groups.left(platform, chat.id);
    // A join in a room shows the bot is in it, even if it joined before this process ran.
    await groups.noteSeen(platform, chat.id, chat.title);
    const fan = (await groups.fanGroups(platform)).some((g) => g.id === chat.id);
    if (!fan || event.people.length === 0) return;
    // A push like any other: paced, and held in quiet hours.
    const result = await transport.send(chat.id, {
      kind: 'mention',
      text: prompts.render('welcome/fan-group', { group: chat.title ?? '' }),
      mentions: event.people,
    });
    logger.info({ platform, chatId: chat.id, people: event.people.length, status: result.status }, 'welcome');
  };
}

/** Opens the store and builds the router with every skill: what each adapter (and the playground) talks to. */
export async function createAssistant(services: AssistantServices): Promise<Assistant> {
  const { config, logger, prompts } = services;
  const shop = loadShopFile(config.shopFile);
  const store = await openConfiguredStore(config);
  const groups = new GroupRegistry(store);
  await groups.seed(shop);
  const admins = [...new Set([...config.admins, ...(shop?.people.admins ?? [])])];
  const roles = new RoleDirectory({ admins, agents: [...config.agents, ...(shop?.people.agents ?? [])] });
  const router = new Router({
    store,
    prompts,
    logger,
    roles,
    allows: (ctx, skill) => (ctx.chat.type === 'group' ? groups.allows(ctx.platform, ctx.chat.id, skill) : Promise.resolve(true)),
  })
    // A group the bot hears from is one it is in, even if it joined while the bot was offline.
    .use(async (ctx, next) => {
      if (ctx.chat.type === 'group' && ctx.platform !== 'local') await groups.noteSeen(ctx.platform, ctx.chat.id, ctx.chat.title);
      await next();
    })
    .register(createPlaybookQaSkill({ knowledge: services.knowledge }))
    .start();
  logger.debug({ store: store.kind, groups: shop?.groups.length ?? 0 }, 'assistant ready');
  const onMembership = createMembershipHandler({ groups, prompts, logger });
  return { router, store, groups, admins, onMembership, close: () => store.close() };
}
