import { randomBytes } from 'node:crypto';
import { GroupRegistry } from '../bot/groups.js';
import type { AnyPlugin, Injected, Injection, ServiceName, Services } from '../bot/plugin.js';
import type { Outbox } from '../bot/outbox/types.js';
import { Reporter } from '../bot/reports.js';
import { RoleDirectory } from '../bot/roles.js';
import { openConfiguredStore, type Store } from '../bot/store/index.js';
import { Transports } from '../bot/transports.js';
import { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { createClock, type Clock } from '../kernel/clock.js';
import { configSecrets, loadConfig, type Config } from '../kernel/config.js';
import { ErrorCode } from '../kernel/errors.js';
import { createLlm, type LlmService } from '../kernel/llm.js';
import { createLogger, type Logger } from '../kernel/logger.js';
import { Prompts } from '../kernel/prompts.js';
import { shopPlugins } from '../skills/index.js';
import { Container, pluginError, type Create } from './container.js';
import { loadShop, type Shop } from './shop.js';

/** Knobs of the runtime's timing, for tests and benchmarks; the defaults suit production. */
export interface RuntimeTuning {
  /** Flood control: messages a person may send per window. Default 10 a minute. */
  readonly rateLimit?: { readonly max: number; readonly windowMs: number; readonly perChat?: number };
  /** SQLite: how often the scheduler and outbox poll; heartbeats and how old one means dead. */
  readonly pollMs?: number;
  readonly beatMs?: number;
  readonly staleMs?: number;
  /** Redis: a worker's lock on a job or entry, and how often lapsed locks are looked for. */
  readonly lockMs?: number;
  readonly stalledCheckMs?: number;
  /** How long the operators' summary gathers items. Default 3 s. */
  readonly reportBatchMs?: number;
}

export interface AppOptions {
  /** Default: `.env` and the environment (one ConfigError listing every problem). */
  readonly config?: Config;
  readonly prompts?: Prompts;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Default: the configured model, if any; `null`: none even if configured. */
  readonly llm?: LlmService | null;
  readonly knowledge?: KnowledgeBase;
  /** Default: the shop's plugins (src/skills/index.ts). */
  readonly plugins?: readonly AnyPlugin[];
  readonly tuning?: RuntimeTuning;
}

/**
 * The one composition root: the kernel's services, the runtime's (store, groups, roles, scheduler,
 * outbox, delivery log, reports) and every plugin's, registered once and built on first use, so a CLI
 * command opens only what it needs. The CLI, `opsbot start` and the console get their services here and
 * never construct them. Wiring mistakes fail at creation with one coded error naming the plugin.
 */
export class App {
  readonly config: Config;
  readonly prompts: Prompts;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly llm: LlmService | undefined;
  readonly knowledge: KnowledgeBase;
  readonly plugins: readonly AnyPlugin[];
  readonly tuning: RuntimeTuning;
  /** This process's name in claims and heartbeats shared with other processes. */
  readonly owner = `p${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly container = new Container();
  private loadedShop?: Shop;
  private reportsOutbox?: Outbox;

  constructor(options: AppOptions = {}) {
    this.config = options.config ?? loadConfig();
    this.prompts = options.prompts ?? Prompts.load();
    this.logger = options.logger ?? createLogger({ level: this.config.logLevel, secrets: configSecrets(this.config) });
    this.clock = options.clock ?? createClock(this.config.now);
    this.llm = options.llm === null ? undefined : (options.llm ?? createLlm(this.config.llm));
    this.knowledge = options.knowledge ?? new KnowledgeBase({ config: this.config, logger: this.logger, prompts: this.prompts, clock: this.clock, ...(this.llm ? { llm: this.llm } : {}) });
    this.plugins = options.plugins ?? shopPlugins;
    this.tuning = options.tuning ?? {};
    this.registerKernel();
    this.registerRuntime();
    this.registerPlugins();
  }

  /** Epoch ms on the app's clock. */
  readonly now = (): number => this.clock.now().getTime();

  /** The shop file, validated whole (the runtime's part and every plugin's slice) on first use. */
  shop(): Shop {
    this.loadedShop ??= loadShop(this.config.shopFile, this.plugins);
    return this.loadedShop;
  }

  /** A service, built with what it injects the first time it is asked for. */
  service<K extends ServiceName>(name: K): Promise<Services[K]> {
    return this.container.get(name) as Promise<Services[K]>;
  }

  /** Several services at once (`name?` for one that may not be provided). */
  services<K extends Injection>(names: readonly K[]): Promise<Injected<K>> {
    return this.container.resolve(names) as Promise<Injected<K>>;
  }

  /** A hook run at close, before those of the services built so far. */
  onClose(hook: () => unknown): void {
    this.container.onClose(hook);
  }

  /** Closes everything built, in reverse order. */
  close(): Promise<void> {
    return this.container.close(this.logger);
  }

  private provide(name: ServiceName, inject: readonly ServiceName[], create: Create, owner = 'runtime'): void {
    this.container.provide(name, { owner, inject, create });
  }

  private registerKernel(): void {
    const c = this.container;
    c.value('config', this.config);
    c.value('logger', this.logger);
    c.value('prompts', this.prompts);
    c.value('clock', this.clock);
    c.value('llm', this.llm);
    c.value('knowledge', this.knowledge);
  }

  private registerRuntime(): void {
    const { config, tuning } = this;
    this.provide('store', [], async (_s, onClose) => {
      const store = await openConfiguredStore(config, this.logger);
      onClose(() => store.close());
      return store;
    });
    this.provide('deliveries', ['store'], (s) => (s.store as Store).tables.deliveries);
    this.provide('transports', [], () => new Transports());
    this.provide('roles', [], () => {
      const { people } = this.shop().core;
      return new RoleDirectory({ admins: [...new Set([...config.admins, ...people.admins])], agents: [...new Set([...config.agents, ...people.agents])] });
    });
    this.provide('groups', ['store'], async (s) => {
      const groups = new GroupRegistry(s.store as Store);
      await groups.seed(this.shop().core);
      return groups;
    });
    this.provide('reports', ['roles'], (s, onClose) => {
      const roles = s.roles as RoleDirectory;
      const reporter = new Reporter({
        prompts: this.prompts,
        logger: this.logger.child({ service: 'reports' }),
        ...(tuning.reportBatchMs ? { batchMs: tuning.reportBatchMs } : {}),
        send: (text) => this.tellOperators(text, roles),
      });
      onClose(() => reporter.close());
      return reporter;
    });
    this.provide('outbox', ['store', 'groups', 'reports'], async (s, onClose) => {
      const { openOutbox } = await import('../bot/outbox/index.js');
      const groups = s.groups as GroupRegistry;
      const outbox = await openOutbox({
        store: s.store as Store,
        logger: this.logger,
        now: this.now,
        owner: this.owner,
        reporter: s.reports as Reporter,
        resolveAccount: (platform, chat) => groups.accountOf(platform, chat),
        ...pick(tuning, ['pollMs', 'staleMs', 'lockMs', 'stalledCheckMs']),
      });
      this.reportsOutbox = outbox;
      // The operators' last summary goes into the outbox before it closes; later items are only logged.
      onClose(async () => {
        await (s.reports as Reporter).close();
        await outbox.close();
      });
      return outbox;
    });
    this.provide('scheduler', ['store', 'reports'], async (s, onClose) => {
      const { openScheduler } = await import('../bot/scheduler/index.js');
      const scheduler = await openScheduler({
        store: s.store as Store,
        prompts: this.prompts,
        logger: this.logger,
        tz: config.tz,
        now: this.now,
        reporter: s.reports as Reporter,
        ...pick(tuning, ['pollMs', 'beatMs', 'staleMs', 'lockMs', 'stalledCheckMs']),
      });
      onClose(() => scheduler.close());
      return scheduler;
    });
  }

  /** One summary to every operator in Telegram, through the outbox (they may be served by another process). */
  private async tellOperators(text: string, roles: RoleDirectory): Promise<void> {
    const admins = roles.admins.filter((a) => a.startsWith('telegram:')).map((a) => a.slice('telegram:'.length));
    if (admins.length === 0) {
      this.logger.warn({ text }, 'no operator in Telegram to tell (set OPSBOT_ADMINS=telegram:<id>)');
      return;
    }
    // The outbox the reports were made beside (also while the app closes); built now if nothing has yet.
    const outbox = this.reportsOutbox ?? (await this.service('outbox'));
    const key = `report:${this.owner}:${Date.now()}`;
    for (const chat of admins) {
      await outbox.push({ platform: 'telegram', chat, content: { kind: 'text', text }, source: 'report', dedupeKey: `${key}:${chat}`, urgent: true });
    }
  }

  /** Every plugin's services, and a check that each gets what it injects: before anything is built. */
  private registerPlugins(): void {
    const names = new Set<string>();
    const checks: [string, (readonly string[])[]][] = [];
    for (const plugin of this.plugins) {
      if (names.has(plugin.name)) throw pluginError(ErrorCode.PLUGIN_DUPLICATE, 'plugin/duplicate', { plugin: plugin.name });
      names.add(plugin.name);
      const provided = plugin.provide?.(() => this.shop().slice(plugin.name)) ?? {};
      for (const [name, factory] of Object.entries(provided)) {
        if (!factory) continue;
        this.provide(name as ServiceName, factory.inject, (services, onClose) => factory.create({ services: services as never, onClose }), plugin.name);
      }
      checks.push([plugin.name, [plugin.inject, ...Object.values(provided).map((f) => f?.inject ?? [])]]);
    }
    for (const [plugin, injects] of checks) for (const inject of injects) this.container.check(plugin, inject);
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** The app from `.env` and the environment, with the shop's plugins. */
export function createApp(options: AppOptions = {}): App {
  return new App(options);
}
