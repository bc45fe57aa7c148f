import { ErrorCode, UserFacingError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';

/** Builds one service from the services it injected; `onClose` hooks run when the container closes. */
export type Create = (services: Record<string, unknown>, onClose: (hook: () => unknown) => void) => unknown;

interface Provider {
  /** `runtime`, or the plugin that provides it. */
  readonly owner: string;
  readonly inject: readonly string[];
  readonly create: Create;
}

/** `metrics?` → `metrics`. */
const bare = (name: string) => (name.endsWith('?') ? name.slice(0, -1) : name);

/** The coded error for a wiring mistake, naming the plugin: the CLI shows its prompt. */
export function pluginError(code: ErrorCode, key: string, params: Record<string, string>): UserFacingError {
  return new UserFacingError(code, key, params, { details: params });
}

/**
 * The services of one app: each registered once with what it injects, built on first use (so a CLI
 * command opens only what it needs), and closed in reverse order of creation. Wiring mistakes (a
 * service nobody provides, two providers of one, a cycle) are found before anything is built.
 */
export class Container {
  private readonly providers = new Map<string, Provider>();
  private readonly made = new Map<string, Promise<unknown>>();
  private readonly closers: (() => unknown)[] = [];
  private closed = false;

  /** Registers `name`; a second provider of the same name is refused, naming both. */
  provide(name: string, provider: Provider): void {
    const other = this.providers.get(name);
    if (other) throw pluginError(ErrorCode.PLUGIN_SERVICE_DUPLICATE, 'plugin/service-duplicate', { plugin: provider.owner, other: other.owner, service: name });
    this.providers.set(name, provider);
  }

  /** A value that is already built (the kernel's services). */
  value(name: string, value: unknown): void {
    this.provide(name, { owner: 'runtime', inject: [], create: () => value });
  }

  /** Checks that everything `owner` needs is provided (`name?` only if it is), and that no provider's injections loop. */
  check(owner: string, inject: readonly string[]): void {
    for (const wanted of inject) {
      const name = bare(wanted);
      if (!this.providers.has(name)) {
        if (wanted.endsWith('?')) continue;
        throw pluginError(ErrorCode.PLUGIN_SERVICE_MISSING, 'plugin/service-missing', { plugin: owner, service: name });
      }
      this.walk(name, [name], owner);
    }
  }

  private walk(name: string, chain: readonly string[], owner: string): void {
    const provider = this.providers.get(name);
    for (const wanted of provider?.inject ?? []) {
      const dep = bare(wanted);
      if (!this.providers.has(dep)) {
        if (wanted.endsWith('?')) continue;
        throw pluginError(ErrorCode.PLUGIN_SERVICE_MISSING, 'plugin/service-missing', { plugin: provider!.owner, service: dep });
      }
      if (chain.includes(dep)) throw pluginError(ErrorCode.PLUGIN_SERVICE_CYCLE, 'plugin/service-cycle', { plugin: owner, chain: [...chain, dep].join(' → ') });
      this.walk(dep, [...chain, dep], owner);
    }
  }

  /** Whether a service is registered. */
  has(name: string): boolean {
    return this.providers.has(name);
  }

  /** The service, built (with what it injects) the first time it is asked for. */
  get(name: string): Promise<unknown> {
    // After close nothing is built again (a late report must not reopen the store and keep the CLI alive).
    if (this.closed) return Promise.reject(new Error(`the app is closed: service "${name}" is not available`));
    let made = this.made.get(name);
    if (!made) {
      const provider = this.providers.get(name);
      if (!provider) return Promise.reject(pluginError(ErrorCode.PLUGIN_SERVICE_MISSING, 'plugin/service-missing', { plugin: 'runtime', service: name }));
      made = this.resolve(provider.inject).then((services) => provider.create(services, (hook) => this.closers.push(hook)));
      // A service that failed to build (the store unreachable) is tried again on the next ask.
      made.catch(() => this.made.delete(name));
      this.made.set(name, made);
    }
    return made;
  }

  /** The named services, built, as one object; an optional one (`name?`) nobody provides is left out. */
  async resolve(names: readonly string[]): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const wanted of names) {
      const name = bare(wanted);
      if (wanted.endsWith('?') && !this.providers.has(name)) continue;
      out[name] = await this.get(name);
    }
    return out;
  }

  /** A hook run at close, before those of the services built so far. */
  onClose(hook: () => unknown): void {
    this.closers.push(hook);
  }

  /** Runs every close hook in reverse order; one that fails is logged and the rest still run. */
  async close(logger: Logger): Promise<void> {
    this.closed = true;
    while (this.closers.length > 0) {
      const hook = this.closers.pop()!;
      try {
        await hook();
      } catch (err) {
        logger.error({ err }, 'a close hook failed');
      }
    }
    this.made.clear();
  }
}
