import type { TelegramAdapter, TelegramAdapterOptions } from '../bot/adapters/telegram.js';
import type { WechatAdapter, WechatAdapterOptions } from '../bot/adapters/wechat.js';
import type { MembershipEvent, Platform, Transport } from '../bot/context.js';
import { startHttpServer, type HttpExtension } from '../bot/http.js';
import { createMembershipHandler } from '../bot/membership.js';
import type { Injection, PluginContext, PluginRoute } from '../bot/plugin.js';
import { Router, type Middleware } from '../bot/router.js';
import type { Skill } from '../bot/skill.js';
import { ErrorCode } from '../kernel/errors.js';
import type { PlatformName } from '../kernel/config.js';
import type { App } from './app.js';
import { pluginError } from './container.js';
import { startPlatforms, type Platforms } from './platforms.js';

export interface StartOptions {
  /** What this process runs; default the configuration's (OPSBOT_PLATFORMS, else every one configured). */
  readonly platforms?: readonly PlatformName[];
  /** Serve HTTP (/healthz, the webhook, the plugins' routes) on OPSBOT_HTTP_PORT. Default true. */
  readonly http?: boolean;
  /** Run the scheduler's due jobs in this process. Default true. */
  readonly jobs?: boolean;
  /** Adapters' extras (tests: the mock puppet, no pacing waits). */
  readonly telegram?: Partial<Pick<TelegramAdapterOptions, 'pacing' | 'retryMs'>>;
  /** Told when a platform's connection changes: Telegram `unreachable`, `unauthorized`, `conflict`, back to `polling`… */
  readonly onPlatformStatus?: (platform: Platform, status: string, detail: string) => void;
  readonly wechat?: Partial<Pick<WechatAdapterOptions, 'puppet' | 'pacing'>>;
  /** More for /healthz (the knowledge base's size). */
  readonly health?: () => Record<string, unknown>;
  /** More on the HTTP server: the console. */
  readonly extend?: HttpExtension;
}

/** A running bot: the router every platform talks to, the platforms this process runs, the HTTP server. */
export interface Bot {
  readonly app: App;
  readonly router: Router;
  readonly telegram?: TelegramAdapter;
  readonly wechat?: WechatAdapter;
  /** The HTTP server's port, when it runs. */
  readonly httpPort?: number;
  /** Every plugin's HTTP routes, by their API prefix (mounted here when HTTP runs; the console mounts a playground's). */
  readonly routes: readonly { readonly plugin: string; readonly route: PluginRoute }[];
  /** Runs `transport` as `platform` account `account` here: edits go through it and it sends that account's outbox. */
  attach(platform: Platform, transport: Transport, account: string): Promise<void>;
  /** Keeps the group registry current and welcomes newcomers (what the adapters call). */
  onMembership(event: MembershipEvent, transport: Transport): Promise<void>;
  /** Stops taking messages, sends what is queued, stops the jobs, runs the plugins' close hooks, closes the store. */
  close(): Promise<void>;
}

/**
 * Starts the bot in this process: applies every plugin (its skills, middleware, job handlers, routes
 * and close hooks), builds the router, starts the platforms this process runs, the scheduler and the
 * HTTP server.
 */
export async function startBot(app: App, options: StartOptions = {}): Promise<Bot> {
  const shop = app.shop();
  const rt = await app.services(['store', 'groups', 'roles', 'transports', 'outbox', 'scheduler', 'prompts', 'logger']);
  const skills: { plugin: string; skill: Skill }[] = [];
  const middleware: Middleware[] = [];
  const routes: { plugin: string; route: PluginRoute }[] = [];
  // The plugins' close hooks run at bot.close(), after the jobs stop and before the outbox does.
  const pluginHooks: (() => unknown)[] = [];
  for (const plugin of app.plugins) {
    // Each plugin's context holds exactly the services it listed; the list's types were checked at definePlugin.
    const ctx: PluginContext<Injection, unknown> = {
      name: plugin.name,
      config: shop.slice(plugin.name),
      services: (await app.services(plugin.inject as readonly Injection[])) as never,
      logger: app.logger.child({ plugin: plugin.name }),
      skill: (skill) => void skills.push({ plugin: plugin.name, skill }),
      middleware: (mw) => void middleware.push(mw),
      job: (kind, handler, options) => rt.scheduler.handle(kind, handler as never, options),
      route: (route) => void routes.push({ plugin: plugin.apiPrefix ?? plugin.name, route }),
      onClose: (hook) => void pluginHooks.push(hook),
    };
    await plugin.apply?.(ctx);
  }
  const { groups } = rt;
  const router = new Router({
    store: rt.store,
    prompts: rt.prompts,
    logger: rt.logger,
    roles: rt.roles,
    ...(app.tuning.rateLimit ? { rateLimit: app.tuning.rateLimit } : {}),
    allows: (ctx, skill) => (ctx.chat.type === 'group' ? groups.allows(ctx.platform, ctx.chat.id, skill) : Promise.resolve(true)),
    // A group the bot hears from is one it is in, even if it joined while the bot was offline: known
    // before the message is routed, so a skill's claim on it already counts it among the fan groups.
    observe: async (ctx) => {
      if (ctx.chat.type === 'group' && ctx.platform !== 'local') await groups.noteSeen(ctx.platform, ctx.chat.id, ctx.chat.title, ctx.account);
    },
  });
  for (const mw of middleware) router.use(mw);
  for (const { plugin, skill } of skills) {
    try {
      router.register(skill);
    } catch (err) {
      throw pluginError(ErrorCode.PLUGIN_INVALID, 'plugin/invalid', { plugin, problem: (err as Error).message });
    }
  }
  router.start();

  // One serve per account, even when two logins are reported at once.
  const serving = new Map<string, Promise<() => Promise<void>>>();
  const attach = async (platform: Platform, transport: Transport, account: string) => {
    rt.transports.set(platform, transport);
    const key = `${platform}:${account}`;
    if (!serving.has(key)) serving.set(key, rt.outbox.serve(platform, account, transport));
    await serving.get(key);
  };
  const runPluginHooks = async () => {
    for (const hook of pluginHooks.splice(0).reverse()) {
      await Promise.resolve()
        .then(hook)
        .catch((err: unknown) => rt.logger.error({ err }, 'a plugin close hook failed'));
    }
  };
  const onMembership = createMembershipHandler({ groups, outbox: rt.outbox, prompts: rt.prompts, logger: rt.logger, now: app.now });
  let platforms: Platforms | undefined;
  let http: Awaited<ReturnType<typeof startHttpServer>> | undefined;
  try {
    platforms = await startPlatforms(app, { ...options, router, onMembership, attach });
    const running = platforms;
    if (options.http !== false) {
      http = await startHttpServer({
        port: app.config.httpPort,
        host: app.config.httpHost,
        ...(options.extend ? { extend: options.extend } : {}),
        logger: rt.logger,
        prompts: rt.prompts,
        routes,
        hooks: running.hooks,
        health: () => ({ store: rt.store.kind, jobs: rt.scheduler.kind, ...running.health(), ...options.health?.() }),
      });
    }
    if (options.jobs !== false) await rt.scheduler.start();
  } catch (err) {
    // A platform or the port failed: undo what started, so the caller's app.close() ends the process.
    await http?.close();
    await Promise.all([...serving.values()].map(async (stop) => (await stop)()));
    await platforms?.stop();
    await runPluginHooks();
    throw err;
  }
  const started = platforms;

  let closed: Promise<void> | undefined;
  return {
    app,
    router,
    ...(started.telegram ? { telegram: started.telegram } : {}),
    ...(started.wechat ? { wechat: started.wechat } : {}),
    ...(http ? { httpPort: http.port } : {}),
    routes,
    attach,
    onMembership,
    close: () =>
      (closed ??= (async () => {
        // Take no more updates first, so nothing accepted loses its answer. Then let the running jobs and
        // the plugins finish (their pushes still go out), then stop taking from the outbox, send what the
        // queues hold, and close the services.
        await http?.close();
        await rt.scheduler.close();
        await runPluginHooks();
        await Promise.all([...serving.values()].map(async (stop) => (await stop)()));
        await started.stop();
        await app.close();
      })()),
  };
}
