import { createClock, type Clock } from './clock.js';
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
import type { LlmService } from './llm.js';
import { Transports } from './transports.js';
import { EscalationDesk } from '../skills/cs-scripts/escalations.js';
import { resolveFacts } from '../skills/cs-scripts/facts.js';
import { createFanDeskSkill } from '../skills/cs-scripts/fan-desk.js';
import { createCsScriptsSkill } from '../skills/cs-scripts/index.js';
import { CsScripts } from '../skills/cs-scripts/service.js';
import { createMetricsSkill } from '../skills/metrics/index.js';
import { MetricsService } from '../skills/metrics/service.js';
import { createPlaybookQaSkill } from '../skills/playbook-qa/index.js';

export interface Assistant {
  readonly router: Router;
  readonly store: Store;
  readonly groups: GroupRegistry;
  /** Operators, from OPSBOT_ADMINS and the shop file, as `platform:userId`. */
  readonly admins: readonly string[];
  /** Customer-service agents, from OPSBOT_AGENTS and the shop file, as `platform:userId`. */
  readonly agents: readonly string[];
  /** Each platform registers its transport here as it starts: escalations cross platforms. */
  readonly transports: Transports;
  /** Fans' complaints and requests waiting for an agent. */
  readonly escalations: EscalationDesk;
  /** Shop metrics: the imported exports and the KPI questions answered from them. */
  readonly metrics: MetricsService;
  /** Keeps the registry current as the bot joins and leaves groups, and welcomes newcomers to fan groups. */
  onMembership(event: MembershipEvent, transport: Transport): Promise<void>;
  close(): Promise<void>;
}

export interface AssistantServices {
  readonly config: Config;
  readonly logger: Logger;
  readonly prompts: Prompts;
  readonly knowledge: KnowledgeBase;
  readonly llm?: LlmService;
  /** What "today" is for KPI questions; the process clock (OPSBOT_NOW) by default. */
  readonly clock?: Clock;
  /** Tests: a shorter wait before unanswered escalations are sent again. */
  readonly remindAfterMs?: number;
  /** Tests: flood control other than 10 messages a minute. */
  readonly rateLimit?: { readonly max: number; readonly windowMs: number };
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
  const agents = [...new Set([...config.agents, ...(shop?.people.agents ?? [])])];
  const roles = new RoleDirectory({ admins, agents });
  const { facts } = resolveFacts(shop, prompts);
  const cs = new CsScripts({ prompts, logger, facts, ...(services.llm ? { llm: services.llm } : {}) });
  const transports = new Transports();
  const escalations = new EscalationDesk({
    store,
    prompts,
    logger,
    transports,
    tz: config.tz,
    // The agents answer escalations in Telegram (its buttons); with no agent there, the admins do.
    agents: () => {
      const inTelegram = (people: readonly string[]) => people.filter((p) => p.startsWith('telegram:'));
      return inTelegram(agents).length > 0 ? inTelegram(agents) : inTelegram(admins);
    },
    ...(services.remindAfterMs ? { remindAfterMs: services.remindAfterMs } : {}),
  });
  const metrics = new MetricsService({
    dataDir: config.dataDir,
    tz: config.tz,
    clock: services.clock ?? createClock(config.now),
    prompts,
    logger,
    knowledge: services.knowledge,
    ...(services.llm ? { llm: services.llm } : {}),
  });
  const router = new Router({
    store,
    prompts,
    logger,
    roles,
    ...(services.rateLimit ? { rateLimit: services.rateLimit } : {}),
    allows: (ctx, skill) => (ctx.chat.type === 'group' ? groups.allows(ctx.platform, ctx.chat.id, skill) : Promise.resolve(true)),
  })
    // A group the bot hears from is one it is in, even if it joined while the bot was offline.
    .use(async (ctx, next) => {
      if (ctx.chat.type === 'group' && ctx.platform !== 'local') await groups.noteSeen(ctx.platform, ctx.chat.id, ctx.chat.title);
      await next();
    })
    .use(escalations.editMiddleware())
    .register(createMetricsSkill({ metrics, prompts }))
    .register(createPlaybookQaSkill({ knowledge: services.knowledge }))
    .register(createCsScriptsSkill({ cs, prompts, escalations }))
    .register(createFanDeskSkill({ cs, prompts, facts, escalations }))
    .start();
  logger.debug({ store: store.kind, groups: shop?.groups.length ?? 0 }, 'assistant ready');
  const onMembership = createMembershipHandler({ groups, prompts, logger });
  return {
    router,
    store,
    groups,
    admins,
    agents,
    transports,
    escalations,
    metrics,
    onMembership,
    close: async () => {
      escalations.stop();
      metrics.close();
      await store.close();
    },
  };
}
