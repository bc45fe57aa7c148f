import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Prompts } from './prompts.js';
import { RoleDirectory } from './roles.js';
import { Router } from './router.js';
import { openStore, type Store } from './store.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { createPlaybookQaSkill } from '../skills/playbook-qa/index.js';

export interface Assistant {
  readonly router: Router;
  readonly store: Store;
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
  const store = await openStore({ dataDir: config.dataDir, ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}) });
  const router = new Router({ store, prompts, logger, roles: new RoleDirectory(config) })
    .register(createPlaybookQaSkill({ knowledge: services.knowledge }))
    .start();
  logger.debug({ store: store.kind }, 'assistant ready');
  return { router, store, close: () => store.close() };
}
