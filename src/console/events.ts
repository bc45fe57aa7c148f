import type { FastifyReply } from 'fastify';

/**
 * Live updates for the console's pages, by server-sent events: every few seconds each topic's digest is
 * read from the shop's store (so a claim made by another process shows too) and a `change` event names
 * the topics that moved; `poke` sends one at once for a change made here.
 */
export class ConsoleEvents {
  private readonly clients = new Set<FastifyReply>();
  private last = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private reading?: Promise<void>;
  private again = false;

  constructor(
    private readonly digests: () => Promise<Record<string, string>>,
    private readonly everyMs = 2_000,
  ) {}

  /** Holds `reply` open as an event stream until the client goes. */
  attach(reply: FastifyReply): void {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    reply.raw.write(': opsbot\n\n');
    this.clients.add(reply);
    reply.raw.on('close', () => {
      this.clients.delete(reply);
      if (this.clients.size === 0) this.stop();
    });
    if (!this.timer) {
      // The baseline is read now, not a round later: a change made in the next moment (a claim in the
      // playground) must already count as a change.
      void this.check();
      this.timer = setInterval(() => void this.check(), this.everyMs);
      this.timer.unref();
    }
  }

  /** Tells every page now that `topics` changed. */
  poke(...topics: string[]): void {
    this.send(topics);
    void this.check();
  }

  private send(topics: readonly string[]): void {
    if (topics.length === 0) return;
    const line = `event: change\ndata: ${JSON.stringify({ topics })}\n\n`;
    for (const c of this.clients) c.raw.write(line);
  }

  /** One round: reads the digests and names what moved. A round asked for while one reads follows it. */
  private check(): Promise<void> {
    if (this.clients.size === 0) return Promise.resolve();
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        const now = await this.digests();
        const moved = Object.keys(now).filter((k) => this.last.has(k) && this.last.get(k) !== now[k]);
        this.last = new Map(Object.entries(now));
        this.send(moved);
      } catch {
        // The store is unreachable for a moment: the next round tries again; the pages keep what they show.
      } finally {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          void this.check();
        }
      }
    })();
    return this.reading;
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // With no page open nothing is compared; the next page to attach takes a fresh baseline.
    this.last = new Map();
  }

  close(): void {
    this.stop();
    for (const c of this.clients) c.raw.end();
    this.clients.clear();
  }
}
