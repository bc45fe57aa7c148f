import { describe, expect, it } from 'vitest';
import type { FastifyReply } from 'fastify';
import { ConsoleEvents } from '../../src/console/events.js';

/** A stand-in for a hijacked reply: records what is written, can be closed. */
function client() {
  const written: string[] = [];
  const listeners: (() => void)[] = [];
  const raw = {
    writeHead: () => raw,
    write: (s: string) => (written.push(s), true),
    end: () => {},
    on: (event: string, fn: () => void) => (event === 'close' && listeners.push(fn), raw),
  };
  const reply = { hijack: () => {}, raw } as unknown as FastifyReply;
  const topics = () => written.filter((w) => w.startsWith('event: change')).map((w) => (JSON.parse(/data: (.*)/.exec(w)![1]!) as { topics: string[] }).topics);
  return { reply, topics, close: () => listeners.forEach((fn) => fn()) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ConsoleEvents', () => {
  it('reports a change made right after a page attached, before the first periodic round', async () => {
    let claimed = 0;
    const events = new ConsoleEvents(async () => ({ coupons: String(claimed) }), 60_000);
    const page = client();
    events.attach(page.reply);
    await tick();
    claimed = 1; // a fan claims in the playground a moment later
    events.poke('playground');
    await tick();
    await tick();
    expect(page.topics()).toEqual([['playground'], ['coupons']]);
    events.close();
  });

  it('does not lose a poke that arrives while a round is still reading', async () => {
    let claimed = 0;
    let release!: () => void;
    let slow = true;
    const events = new ConsoleEvents(async () => {
      if (slow) await new Promise<void>((r) => (release = r));
      return { coupons: String(claimed) };
    }, 60_000);
    const page = client();
    events.attach(page.reply); // the baseline read starts, and hangs
    await tick();
    slow = false;
    release(); // baseline: 0
    await tick();
    slow = true;
    events.poke(); // a round starts reading (hangs)
    await tick();
    claimed = 1;
    events.poke(); // arrives while reading: must be read again afterwards
    slow = false;
    release();
    for (let i = 0; i < 5; i++) await tick();
    expect(page.topics()).toEqual([['coupons']]);
    events.close();
  });

  it('takes a new baseline when the pages come back after all had gone', async () => {
    let claimed = 0;
    const events = new ConsoleEvents(async () => ({ coupons: String(claimed) }), 60_000);
    const first = client();
    events.attach(first.reply);
    await tick();
    first.close();
    claimed = 5; // changed while no page was open: the next page loads it anyway
    const second = client();
    events.attach(second.reply);
    await tick();
    claimed = 6;
    events.poke();
    await tick();
    await tick();
    expect(second.topics()).toEqual([['coupons']]);
    events.close();
  });
});
