import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Prompts } from './prompts.js';
import { GroupRegistry } from './groups.js';
import { RoleDirectory } from './roles.js';
import { loadShopFile } from './shop-file.js';
import { Router } from './router.js';
import { openStore, type Store } from './store.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { createPlaybookQaSkill } from '../skills/playbook-qa/index.js';

export interface Assistant {
  readonly router: Router;
  readonly store: Store;
  readonly groups: GroupRegistry;
  close(): Promise<void>;
}

export interface AssistantServices {
  readonly config: Config;
  readonly logger: Logger;
  readonly prompts: Prompts;
  readonly knowledge: KnowledgeBase;
}

/** Opens the store and builds the router with every skill: what each adapter (and the playground) talks to. */
export async function createAssistant(services: AssistantServices): Promise<Assistant> {
  const { config, logger, prompts } = services;
  const shop = loadShopFile(config.shopFile);
  const store = await openStore({ dataDir: config.dataDir, ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}) });
  const groups = new GroupRegistry(store);
  await groups.seed(shop);
  const roles = new RoleDirectory({
    admins: [...config.admins, ...(shop?.people.admins ?? [])],
    agents: [...config.agents, ...(shop?.people.agents ?? [])],
  });
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
  return { router, store, groups, close: () => store.close() };
}
