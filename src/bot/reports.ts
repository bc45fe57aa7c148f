import type { Logger } from '../kernel/logger.js';
import type { Prompts } from '../kernel/prompts.js';
import { reasonInWords } from './deliveries/reasons.js';

export type ReportKind = 'job-skipped' | 'job-interrupted' | 'job-failed' | 'send-expired' | 'send-uncertain' | 'send-failed';

/** Something that did not happen on time, for the operators. */
export interface ReportItem {
  readonly kind: ReportKind;
  /** The job id, or the send's source. */
  readonly what: string;
  /** The chat a send was for. */
  readonly chat?: string;
  /** Why, in words an operator reads. */
  readonly reason: string;
}

export interface ReporterOptions {
  readonly prompts: Prompts;
  readonly logger: Logger;
  /** Delivers one summary to the operators (the app pushes it to the Telegram admins through the outbox). */
  readonly send: (text: string) => Promise<void>;
  /** What comes within this long of the first item goes in the same summary. Default 3 s. */
  readonly batchMs?: number;
  /** At most this many lines in one summary; the rest are counted. Default 20. */
  readonly maxLines?: number;
}

/**
 * Tells the operators what was skipped, interrupted, expired or left uncertain: one summary message for
 * what happened together (a restart's catch-up, a burst of expired sends), never one per send.
 */
export class Reporter {
  private items: ReportItem[] = [];
  private timer?: NodeJS.Timeout;
  private sending: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: ReporterOptions) {}

  /** Adds an item to the next summary. */
  add(item: ReportItem): void {
    this.options.logger.warn({ report: item.kind, what: item.what, chatId: item.chat, reason: item.reason }, 'reported to the operators');
    // Closed: the log has it; the next process's summary does not (the outbox is gone).
    if (this.closed) return;
    this.items.push(item);
    this.timer ??= setTimeout(() => void this.flush(), this.options.batchMs ?? 3_000);
    this.timer.unref();
  }

  /** Sends the summary of what has been added so far, if anything. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const items = this.items.splice(0);
    if (items.length === 0) return this.sending;
    const text = this.render(items);
    this.sending = this.sending
      .then(() => this.options.send(text))
      .catch((err: unknown) => this.options.logger.error({ err, items: items.length }, 'the operators could not be told'));
    return this.sending;
  }

  /** Sends what is left; what comes after is only logged. */
  close(): Promise<void> {
    const last = this.flush();
    this.closed = true;
    return last;
  }

  private render(items: readonly ReportItem[]): string {
    const { prompts } = this.options;
    const max = this.options.maxLines ?? 20;
    const lines = items.slice(0, max).map((i) =>
      prompts.render('report/line', {
        kind: prompts.render(`report/kind-${i.kind}`),
        what: i.chat ? `${i.what} ${prompts.render('report/to-chat', { chat: i.chat })}` : i.what,
        reason: reasonInWords(i.reason, prompts),
      }),
    );
    if (items.length > max) lines.push(prompts.render('report/more', { count: items.length - max }));
    return [prompts.render('report/header', { count: items.length }), ...lines].join('\n');
  }
}
