import type { z } from 'zod';
import type { Clock } from '../kernel/clock.js';
import type { Config } from '../kernel/config.js';
import type { LlmService } from '../kernel/llm.js';
import type { Logger } from '../kernel/logger.js';
import type { Prompts } from '../kernel/prompts.js';
import type { DeliveryLog } from './deliveries/types.js';
import type { GroupRegistry } from './groups.js';
import type { Outbox } from './outbox/types.js';
import type { Reporter } from './reports.js';
import type { RoleDirectory } from './roles.js';
import type { Middleware } from './router.js';
import type { HandlerOptions, JobHandler, Scheduler } from './scheduler/types.js';
import type { Skill } from './skill.js';
import type { Store } from './store/index.js';
import type { Transports } from './transports.js';

/**
 * The services a plugin can ask for, by name. The kernel's and the runtime's are declared here; the
 * knowledge base and the services plugins provide are added by declaration merging next to them
 * (`declare module '…/bot/plugin.js' { interface Services { … } }`).
 */
export interface Services {
  config: Config;
  logger: Logger;
  prompts: Prompts;
  clock: Clock;
  /** Absent when no model is configured: every plugin works offline without it. */
  llm: LlmService | undefined;
  store: Store;
  groups: GroupRegistry;
  roles: RoleDirectory;
  /** The platforms running in this process (edits of messages sent here). */
  transports: Transports;
  scheduler: Scheduler;
  outbox: Outbox;
  deliveries: DeliveryLog;
  /** Tells the operators, in one summary, what was skipped, interrupted, expired or left uncertain. */
  reports: Reporter;
}

export type ServiceName = keyof Services;

/** A service a plugin needs, or may use when some plugin provides it (`'metrics?'`). */
export type Injection = ServiceName | `${ServiceName}?`;
type Required<I> = I extends `${string}?` ? never : I;
type Optional<I> = I extends `${infer N}?` ? N : never;
/** The services an injection list gives: the required ones, and the optional ones when provided. */
export type Injected<I extends Injection> = Pick<Services, Required<I> & ServiceName> & Partial<Pick<Services, Optional<I> & ServiceName>>;

/** What a service factory gets: the services it injected, and a close hook. */
export interface ServiceScope<I extends Injection> {
  readonly services: Injected<I>;
  /** Runs when the app closes, in reverse order of creation. */
  onClose(hook: () => unknown): void;
}

/** A service a plugin provides to others, built on first use from the services it injects. */
export interface ServiceFactory<I extends Injection, T> {
  readonly inject: readonly I[];
  create(scope: ServiceScope<I>): T | Promise<T>;
}

/** The services a plugin provides, by name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each factory injects its own services
export type ProvidedServices = { readonly [K in ServiceName]?: ServiceFactory<any, Services[K]> };

/** An HTTP route of a plugin, mounted below `/api/<plugin>`; inputs and the reply are checked with zod. */
export interface PluginRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below `/api/<plugin>`, with `:name` parameters: `/drops/:id`. */
  readonly path: string;
  readonly schema?: { readonly params?: z.ZodType; readonly query?: z.ZodType; readonly body?: z.ZodType; readonly response?: z.ZodType };
  /** Who may call it with the console's token: operators (default) or customer-service agents too. */
  readonly role?: 'admin' | 'agent';
  /** One line for the OpenAPI description. */
  readonly summary?: string;
  handler(request: { readonly params: unknown; readonly query: unknown; readonly body: unknown }): unknown;
}

/** What `apply` registers through: everything it adds is owned by the plugin and ends with the app. */
export interface PluginContext<I extends Injection, C> {
  readonly name: string;
  /** The plugin's slice of shop.json, validated with everything else and frozen. */
  readonly config: C;
  /** Exactly the services the plugin injected (an optional one is undefined when nothing provides it). */
  readonly services: Injected<I>;
  /** A child logger bound to `{ plugin }`. */
  readonly logger: Logger;
  /** A chat skill: its commands, keywords, claims, fallback, buttons. */
  skill(skill: Skill): void;
  /** Middleware run for every message after the runtime's own checks, in plugin order. */
  middleware(mw: Middleware): void;
  /** Runs the scheduler's jobs of `kind` (once across every process sharing the store; see `rerunnable`). */
  job<P>(kind: string, handler: JobHandler<P>, options?: HandlerOptions): void;
  route(route: PluginRoute): void;
  /** Runs when the app closes; hooks run in reverse order of registration. */
  onClose(hook: () => unknown): void;
}

/**
 * A skill is a plugin: a name, the services it needs, its slice of shop.json (a zod schema, validated
 * with every other slice in one pass), the services it provides, and `apply`, which registers its
 * triggers, middleware, job handlers, routes and close hooks through the context.
 */
export interface Plugin<I extends Injection = Injection, C = unknown> {
  readonly name: string;
  /** Its HTTP routes are below `/api/<apiPrefix>`; default its name. */
  readonly apiPrefix?: string;
  /** The services it needs; `'name?'` for one it uses only when some plugin provides it. */
  readonly inject: readonly I[];
  /**
   * `key`: the plugin's part of shop.json (default its name); the parsed value is `ctx.config`. The
   * schema must accept a missing slice (give it a default).
   */
  readonly config?: { readonly key?: string; readonly schema: z.ZodType<C> };
  /** The services it provides; `config` reads its slice (the shop file is read when a service is first built). */
  provide?(config: () => C): ProvidedServices;
  apply?(ctx: PluginContext<I, C>): void | Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list holds plugins of every shape
export type AnyPlugin = Plugin<any, any>;

/** Declares a plugin with its services' types checked against what it injects. */
export function definePlugin<const I extends Injection, C = undefined>(plugin: Plugin<I, C>): Plugin<I, C> {
  return plugin;
}

/** Declares a service a plugin provides, built from the services it injects. */
export function provider<const I extends Injection, T>(inject: readonly I[], create: (scope: ServiceScope<I>) => T | Promise<T>): ServiceFactory<I, T> {
  return { inject, create };
}
