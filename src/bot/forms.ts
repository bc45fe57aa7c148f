import type { ChatContext } from './context.js';
import type { Middleware } from './router.js';
import type { Store } from './store/index.js';

/**
 * `标题：双12专场` lines (one fact per line, `:` or `：`) into a draft: each line's label is matched against
 * `fields` and its value handed to `fill`. Returns the numbers of the lines it could not read.
 */
export function readFieldLines<F extends string>(text: string, fields: readonly (readonly [RegExp, F])[], fill: (field: F, value: string) => void): number[] {
  const unread: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const m = /^([^:：]{1,8})\s*[:：]\s*(.*)$/.exec(line);
    const field = m ? fields.find(([re]) => re.test(m[1]!.trim()))?.[1] : undefined;
    if (!m || !field) unread.push(i + 1);
    else fill(field, m[2]!);
  });
  return unread;
}

/** A conversation that asks an operator for a draft's fields one at a time, kept in the store between messages. */
export interface GuidedFormOptions<D, S extends string> {
  readonly store: Store;
  /** The store key prefix of a conversation in progress (one per person). */
  readonly name: string;
  readonly steps: readonly S[];
  readonly ttlMs: number;
  /** An answer that ends the conversation, and one that leaves a field as it is. */
  readonly cancel: RegExp;
  readonly skip: RegExp;
  ask(ctx: ChatContext, step: S): Promise<unknown>;
  /** Puts an answer (not a skip) into the draft. */
  fill(draft: D, step: S, answer: string): void;
  cancelled(ctx: ChatContext): Promise<unknown>;
  /** The last field is in: the preview. */
  done(ctx: ChatContext, draft: D): Promise<unknown>;
}

/** The guided conversation: `start` asks the first question; the middleware takes each answer (private chats, operators). */
export function guidedForm<D, S extends string>(o: GuidedFormOptions<D, S>): { start(ctx: ChatContext, draft: D): Promise<void>; middleware: Middleware } {
  const key = (ctx: Pick<ChatContext, 'platform' | 'sender'>) => `${o.name}:${ctx.platform}:${ctx.sender.id}`;
  return {
    async start(ctx, draft) {
      await o.store.set(key(ctx), { step: 0, draft }, o.ttlMs);
      await o.ask(ctx, o.steps[0]!);
    },
    middleware: async (ctx, next) => {
      if (ctx.chat.type !== 'private' || ctx.role !== 'admin' || ctx.text.startsWith('/')) return next();
      const state = await o.store.get<{ step: number; draft: D }>(key(ctx));
      if (!state) return next();
      const answer = ctx.text.trim();
      if (o.cancel.test(answer)) {
        await o.store.delete(key(ctx));
        return void (await o.cancelled(ctx));
      }
      const step = o.steps[state.step]!;
      if (!o.skip.test(answer)) o.fill(state.draft, step, answer);
      const following = state.step + 1;
      if (following < o.steps.length) {
        await o.store.set(key(ctx), { step: following, draft: state.draft }, o.ttlMs);
        return void (await o.ask(ctx, o.steps[following]!));
      }
      await o.store.delete(key(ctx));
      await o.done(ctx, state.draft);
    },
  };
}
