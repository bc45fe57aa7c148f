import { createServer, type IncomingMessage as HttpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Update } from 'grammy/types';

/** A Bot API answer the test forces: an HTTP status and Telegram's JSON body. */
export interface ForcedReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One call the bot made, in order. */
export interface ApiCall {
  readonly method: string;
  readonly payload: Record<string, unknown>;
  /** What it was answered: the status code. */
  readonly status: number;
  /** When it came (epoch ms), for the waits between tries. */
  readonly at: number;
}

export const tooManyRequests = (retryAfter: number): ForcedReply => ({
  status: 429,
  body: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } },
});
export const serverError = (status = 502): ForcedReply => ({ status, body: { ok: false, error_code: status, description: 'Bad Gateway' } });
export const unauthorized: ForcedReply = { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } };
export const kicked: ForcedReply = { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was kicked from the group chat' } };
export const migrated = (to: number): ForcedReply => ({
  status: 400,
  body: { ok: false, error_code: 400, description: 'Bad Request: group chat was upgraded to a supergroup chat', parameters: { migrate_to_chat_id: to } },
});

/**
 * A Bot API server of the test's own on 127.0.0.1, for what telegram-test-api cannot do: it honours
 * getUpdates' offset and timeout (long polling), can be stopped and started again on the same port (an
 * outage), and answers any call the test chooses with a forced status (429, 5xx, 401, 403, 400).
 */
export class FakeBotApi {
  readonly calls: ApiCall[] = [];
  /** Return a reply to force it; undefined: the normal answer. */
  force: (method: string, payload: Record<string, unknown>) => ForcedReply | undefined = () => undefined;
  private updates: Update[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private waiters: (() => void)[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(readonly token: string, readonly username = 'fault_test_bot') {}

  /** The TELEGRAM_API_ROOT to give the bot. */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get id(): number {
    return Number(this.token.split(':')[0]);
  }

  /** Starts listening (again on the same port after a stop). */
  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Goes away at once: open long polls are cut, new connections refused. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.wake();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Queues an update for getUpdates; `updateId` to deliver one id again. Resolves to its id. */
  deliver(update: Omit<Update, 'update_id'>, updateId?: number): number {
    const id = updateId ?? this.nextUpdateId++;
    this.updates.push({ ...update, update_id: id } as Update);
    this.wake();
    return id;
  }

  /** A text message from a person in a chat (a group when `chatId` is negative). */
  text(chatId: number, from: number, text: string, updateId?: number): number {
    const chat = chatId < 0 ? { id: chatId, type: 'group' as const, title: `群${-chatId}` } : { id: chatId, type: 'private' as const, first_name: `用户${from}` };
    return this.deliver({ message: { message_id: this.nextMessageId++, date: Math.floor(Date.now() / 1000), chat, from: { id: from, is_bot: false, first_name: `用户${from}` }, text } }, updateId);
  }

  /** The texts the bot sent (sendMessage answered 200), to `chatId` or all. */
  sent(chatId?: number | string): string[] {
    return this.calls
      .filter((c) => c.method === 'sendMessage' && c.status === 200 && (chatId === undefined || String(c.payload.chat_id) === String(chatId)))
      .map((c) => String(c.payload.text));
  }

  /** How many times `method` was called (answered or not). */
  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  /** Updates not yet confirmed by a later offset. */
  get pending(): number {
    return this.updates.length;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async handle(req: HttpRequest, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const payload = (raw && (req.headers['content-type'] ?? '').includes('json') ? JSON.parse(raw) : {}) as Record<string, unknown>;
    const match = /^\/bot([^/]+)\/(\w+)/.exec(req.url ?? '');
    const method = match?.[2] ?? '';
    const answer = (status: number, body: Record<string, unknown>) => {
      this.calls.push({ method, payload, status, at: Date.now() });
      if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (match?.[1] !== this.token) return answer(401, unauthorized.body);
    const forced = this.force(method, payload);
    if (forced) return answer(forced.status, forced.body);
    const ok = (result: unknown) => answer(200, { ok: true, result });
    switch (method) {
      case 'getMe':
        return ok({ id: this.id, is_bot: true, first_name: 'Fault Test', username: this.username, can_join_groups: true, can_read_all_group_messages: true, supports_inline_queries: false });
      case 'getUpdates': {
        const offset = Number(payload.offset ?? 0);
        // An offset confirms every update before it, as Telegram does.
        if (offset > 0) this.updates = this.updates.filter((u) => u.update_id >= offset);
        const deadline = Date.now() + Math.min(Number(payload.timeout ?? 0), 30) * 1000;
        while (this.updates.length === 0 && Date.now() < deadline && this.server && !res.destroyed) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, deadline - Date.now());
            this.waiters.push(() => {
              clearTimeout(t);
              resolve();
            });
          });
        }
        return ok(this.updates.slice(0, Number(payload.limit ?? 100)));
      }
      case 'sendMessage':
        return ok({ message_id: this.nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: Number(payload.chat_id), type: 'group' }, text: payload.text });
      default:
        // setMyCommands, deleteWebhook, setWebhook, answerCallbackQuery…
        return ok(true);
    }
  }
}
