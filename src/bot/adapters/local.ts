import type { IncomingMessage, Outbound, Role, SendResult, Transport } from '../context.js';
import type { Router } from '../router.js';

export interface LocalChatOptions {
  /** Who the person at the terminal plays. */
  readonly role: Role;
  /** Talk in a group of this name instead of a private chat; start a line with @ to address the bot. */
  readonly group?: string;
  /** Told of what the bot sends between two lines (a push: an agent's reply, a reminder), as it arrives. */
  readonly onPush?: (sent: { chatId: string; content: Outbound }) => void;
}

/** The local playground: a person at a terminal talks to every skill through the same router. */
export class LocalChat implements Transport {
  private outbox: { chatId: string; content: Outbound }[] = [];
  private seq = 0;
  private saying = 0;

  constructor(
    private readonly router: Router,
    private readonly options: LocalChatOptions,
  ) {}

  /** Delivers what the bot sends (to this chat or another) into the outbox `say()` returns. */
  async send(chatId: string, content: Outbound): Promise<SendResult> {
    if (this.saying === 0 && this.options.onPush) this.options.onPush({ chatId, content });
    else this.outbox.push({ chatId, content });
    return { status: 'sent' };
  }

  /** Sends `text` as the local user and returns what the bot sent in answer. */
  async say(text: string): Promise<{ chatId: string; content: Outbound }[]> {
    const group = this.options.group;
    const mentioned = group !== undefined && /^@\S*\s*/.test(text);
    const message: IncomingMessage = {
      platform: 'local',
      messageId: `local-${process.pid}-${Date.now()}-${++this.seq}`,
      time: new Date(),
      chat: group ? { id: `group:${group}`, type: 'group', title: group } : { id: `private:${this.options.role}`, type: 'private' },
      sender: { id: this.options.role, name: this.options.role },
      text: mentioned ? text.replace(/^@\S*\s*/, '') : text,
      mentioned,
      self: false,
    };
    this.saying++;
    try {
      await this.router.handle(message, this);
    } finally {
      this.saying--;
    }
    const out = this.outbox;
    this.outbox = [];
    return out;
  }
}
