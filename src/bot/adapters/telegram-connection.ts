import { run, type RunnerHandle } from '@grammyjs/runner';
import { GrammyError, HttpError, type Bot, type Transformer } from 'grammy';
import type { Logger } from '../../kernel/logger.js';

/**
 * Where the connection to the Bot API stands: connected (`polling`, `webhook`), trying again
 * (`unreachable`: network or 5xx), or off in this process (`unauthorized`: a revoked token, `conflict`:
 * another process polls the token, `stopped`).
 */
export type TelegramStatus = 'starting' | 'polling' | 'webhook' | 'unreachable' | 'unauthorized' | 'conflict' | 'stopped';

/** The states in which Telegram does not work in this process. */
const DOWN: ReadonlySet<TelegramStatus> = new Set(['unreachable', 'unauthorized', 'conflict', 'stopped']);

/** A refused token: 401, or 404 for one Telegram does not recognise at all. */
function isUnauthorized(err: unknown): boolean {
  return err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404);
}

/** An error as the log and the operators read it: Telegram's own words, without a stack or the token (a network error names the URL). */
function describe(err: unknown, token: string): string {
  const said =
    err instanceof GrammyError
      ? `${err.error_code}: ${err.description}`
      : err instanceof HttpError
        ? `network: ${(err.error as Error | undefined)?.message ?? err.message}`
        : ((err as Error)?.message ?? String(err));
  return said.split(token).join('<token>');
}

/** How to run: long polling (default), or a webhook that Telegram calls (set on connecting when `webhookUrl` is given). */
export interface TelegramStartOptions {
  readonly webhook?: boolean;
  readonly webhookUrl?: string;
  readonly webhookSecret?: string;
}

export interface TelegramConnectionOptions {
  readonly bot: Bot;
  /** Never repeated in a log line or a reason. */
  readonly token: string;
  readonly logger: Logger;
  /** Runs once connected, before updates are taken (the command menu). */
  readonly onConnected: () => Promise<void>;
  /** The wait between tries while the Bot API cannot be reached, connecting or polling. Default 5 s. */
  readonly retryMs?: number;
  /** Told each time the state changes after the first connection (trouble, and its end). */
  readonly onStatus?: (status: TelegramStatus, detail: string) => void;
}

/**
 * The connection to the Bot API as a state, never a crash: connects (getMe) and polls with the runner,
 * or sets the webhook; an API away is tried again every `retryMs` (connecting and polling); a refused
 * token (401) or a second process polling the token (409) turns Telegram off in this process, said once.
 */
export class TelegramConnection {
  private runner?: RunnerHandle;
  private state: TelegramStatus = 'starting';
  private webhook?: { readonly url?: string; readonly secret?: string };
  private stopping = false;
  /** Every wait between tries under way (connecting, probing): stop() ends them all. */
  private readonly pauses = new Set<{ readonly timer: NodeJS.Timeout; readonly done: () => void }>();
  /** True while a probe loop runs: a second outage seen meanwhile is the same loop's business. */
  private probing = false;

  constructor(private readonly options: TelegramConnectionOptions) {}

  /** Starting, polling, webhook, unreachable, unauthorized, conflict or stopped. */
  get status(): TelegramStatus {
    return this.state;
  }

  /** True while Telegram does not work in this process. */
  get down(): boolean {
    return DOWN.has(this.state);
  }

  private get bot(): Bot {
    return this.options.bot;
  }

  /** The API transformer that reads polling's outcome: an outage while polling is seen (and its end). */
  readonly observe: Transformer = async (prev, method, payload, signal) => {
    if (method !== 'getUpdates') return prev(method, payload, signal);
    try {
      const res = await prev(method, payload, signal);
      if (res.ok) this.setState('polling');
      else if (res.error_code >= 500 || res.error_code === 429) this.setState('unreachable', `${res.error_code}: ${res.description}`);
      return res;
    } catch (err) {
      if (!signal?.aborted && !this.stopping) this.setState('unreachable', describe(err, this.options.token));
      throw err;
    }
  };

  /**
   * Connects (getMe), registers the command menu, and starts long polling (or, for a webhook, sets it).
   * Never throws for Telegram's sake: a refused token leaves Telegram `unauthorized` (off); an API that
   * cannot be reached leaves it `unreachable` and is tried again every `retryMs` until it answers.
   */
  async start(options: TelegramStartOptions = {}): Promise<void> {
    this.stopping = false;
    this.state = 'starting';
    if (options.webhook || options.webhookUrl) {
      this.webhook = { ...(options.webhookUrl ? { url: options.webhookUrl } : {}), ...(options.webhookSecret ? { secret: options.webhookSecret } : {}) };
    }
    if (!(await this.connect()) && this.status === 'unreachable') void this.retryConnect();
  }

  private async connect(): Promise<boolean> {
    try {
      this.bot.botInfo = await this.bot.api.getMe();
      if (this.webhook?.url) await this.bot.api.setWebhook(this.webhook.url, this.webhook.secret ? { secret_token: this.webhook.secret } : {});
    } catch (err) {
      this.setState(isUnauthorized(err) ? 'unauthorized' : 'unreachable', describe(err, this.options.token));
      return false;
    }
    if (this.stopping) return false;
    await this.options.onConnected();
    if (this.webhook) {
      this.setState('webhook');
      return true;
    }
    // Polling is refused while a webhook is set (say, from an earlier run in webhook mode).
    await this.bot.api.deleteWebhook().catch((err: unknown) => this.options.logger.warn({ reason: describe(err, this.options.token) }, 'telegram: deleteWebhook failed'));
    // An outage is retried every `retryMs` for as long as it lasts (the default doubles up to hours).
    const runner = run(this.bot, { runner: { silent: true, retryInterval: this.options.retryMs ?? 5_000, maxRetryTime: Number.MAX_SAFE_INTEGER } });
    this.runner = runner;
    this.setState('polling');
    runner.task()?.catch((err: unknown) => {
      if (this.stopping) return;
      const code = err instanceof GrammyError ? err.error_code : undefined;
      this.setState(code === 409 ? 'conflict' : isUnauthorized(err) ? 'unauthorized' : 'stopped', describe(err, this.options.token));
    });
    return true;
  }

  /** Tries to connect every `retryMs` while the API cannot be reached, until connected, refused or stopped. */
  private async retryConnect(): Promise<void> {
    while (this.status === 'unreachable' && !this.stopping) {
      await this.pause();
      if (this.stopping || (await this.connect())) return;
    }
  }

  /**
   * While polling is cut off, asks getMe every `retryMs`: a long poll that gets through answers only when
   * an update comes (up to 30 s), and /healthz must not say unreachable that long after the API is back.
   */
  private async probe(): Promise<void> {
    // One loop at a time: unreachable → polling → unreachable while a loop waits would start a second.
    if (this.probing) return;
    this.probing = true;
    try {
      while (this.status === 'unreachable' && !this.stopping) {
        await this.pause();
        if (this.stopping || this.status !== 'unreachable') return;
        const back = await this.bot.api.getMe().then(
          () => true,
          () => false,
        );
        if (back) this.setState('polling');
      }
    } finally {
      // Cleared as the loop ends, in the same turn as its last look at the state: none is missed.
      this.probing = false;
    }
  }

  private pause(): Promise<void> {
    return new Promise<void>((resolve) => {
      const wait = {
        timer: setTimeout(() => wait.done(), this.options.retryMs ?? 5_000),
        done: () => {
          clearTimeout(wait.timer);
          this.pauses.delete(wait);
          resolve();
        },
      };
      this.pauses.add(wait);
    });
  }

  /** Records a change of the connection's state: logged once (without a stack) and told to `onStatus`. */
  private setState(next: TelegramStatus, detail = ''): void {
    const before = this.state;
    // Once off (refused, conflict, stopped), a late answer to an earlier call does not bring it back.
    if (next === before || before === 'unauthorized' || before === 'conflict' || before === 'stopped') return;
    this.state = next;
    if (next === 'unreachable' && this.runner) void this.probe();
    const { logger } = this.options;
    if (next === 'conflict') logger.error({ reason: detail }, 'telegram: another process is already polling this bot token (409 Conflict); Telegram is off in this process');
    else if (next === 'unauthorized') logger.error({ reason: detail }, 'telegram: the bot token was refused; Telegram is off in this process');
    else if (next === 'unreachable') logger.warn({ reason: detail }, 'telegram: the Bot API cannot be reached; trying again');
    else if (next === 'stopped') logger.error({ reason: detail }, 'telegram: polling stopped');
    else if (before === 'unreachable') logger.info({ status: next }, 'telegram: the Bot API answers again');
    else logger.info({ status: next }, 'telegram: connected');
    // A first connection is no news; anything after it is (trouble, or its end).
    if (!(before === 'starting' && (next === 'polling' || next === 'webhook'))) this.options.onStatus?.(next, detail);
  }

  /** Stops polling and any reconnecting. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const pause of [...this.pauses]) pause.done();
    // A try under way (getMe) is not waited for: it sees `stopping` when it ends and starts nothing.
    if (this.runner?.isRunning()) await this.runner.stop();
    this.state = 'stopped';
  }
}
