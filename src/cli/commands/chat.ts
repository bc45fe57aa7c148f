import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clearLine, cursorTo } from 'node:readline';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { App } from '../../app/app.js';
import { ROLES, type Outbound, type Role } from '../../bot/context.js';
import type { Prompts } from '../../kernel/prompts.js';
import { out, UsageError } from '../output.js';

interface ChatOptions {
  as?: string;
  group?: string;
}

/** How the bot's message shows in a terminal. */
export function renderOutbound(content: Outbound, prompts: Prompts, savedAs?: (data: Buffer) => string): string {
  switch (content.kind) {
    case 'text':
      return content.text;
    case 'mention':
      return `${content.mentions.map((m) => `@${m.name}`).join(' ')} ${content.text}`;
    case 'image': {
      const params = { caption: content.caption ?? '', kb: Math.ceil(content.data.byteLength / 1024) };
      return savedAs ? prompts.render('cli/chat-image-saved', { ...params, file: savedAs(content.data) }) : prompts.render('cli/chat-image', params);
    }
  }
}

/**
 * The terminal playground: every line typed (or piped in) goes through the router as a message from
 * the chosen role, in a private chat or a named group, and the bot's answers are printed.
 */
export async function runPlayground(rt: App, options: { role: Role; group?: string }): Promise<void> {
  const { prompts } = rt;
  const { documents, chunks } = await rt.knowledge.build({ saveRequired: false });
  // A terminal cannot show a picture (a KPI chart): it is saved under the data dir, to be opened from there.
  let pictures = 0;
  const savePicture = (data: Buffer): string => {
    const dir = join(rt.config.dataDir, 'pictures');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${process.pid}-${++pictures}.png`);
    writeFileSync(file, data);
    return file;
  };
  const [{ startBot }, { LocalChat }] = await Promise.all([import('../../app/bot.js'), import('../../bot/adapters/local.js')]);
  const bot = await startBot(rt, { platforms: [], http: false });
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  // The line reader starts right before the loop (lines read before it would be lost); pushes re-prompt it.
  const ui: { rl?: ReturnType<typeof createInterface> } = {};
  // What arrives between two lines (an agent's reply from Telegram, a scheduled push) is shown at once.
  const onPush = ({ content }: { content: Outbound }) => {
    // Over the prompt line the person sees, then the prompt again with what they had typed.
    if (interactive) {
      clearLine(process.stdout, 0);
      cursorTo(process.stdout, 0);
    }
    out(renderOutbound(content, prompts, savePicture) + (interactive ? '\n' : ''));
    if (interactive) ui.rl?.prompt(true);
  };
  const chat = new LocalChat(bot.router, { ...options, onPush });
  await bot.attach('local', chat, 'local');
  const where = options.group ? prompts.render('cli/chat-in-group', { group: options.group }) : prompts.render('cli/chat-private');
  if (interactive) out(prompts.render('cli/playground-welcome', { documents, chunks, role: prompts.render(`cli/role-${options.role}`), where }));
  const rl = createInterface({ input: process.stdin, ...(interactive ? { output: process.stdout } : {}), terminal: interactive });
  ui.rl = rl;
  try {
    if (interactive) rl.setPrompt(prompts.render('cli/playground-prompt'));
    if (interactive) rl.prompt();
    for await (const line of rl) {
      const text = line.trim();
      if (prompts.render('cli/playground-exit-words').split(/\s+/).includes(text)) break;
      if (text) {
        const replies = await chat.say(text);
        for (const r of replies) out(renderOutbound(r.content, prompts, savePicture) + (interactive ? '\n' : ''));
      }
      if (interactive) rl.prompt();
    }
  } finally {
    rl.close();
    await bot.close();
  }
  if (interactive) out(prompts.render('cli/playground-bye'));
}

/** The role `--as` names; fan when not given. */
export function parseRole(value: string | undefined, prompts: Prompts): Role {
  if (value === undefined) return 'fan';
  if ((ROLES as readonly string[]).includes(value)) return value as Role;
  throw new UsageError(prompts.render('cli/chat-invalid-role', { value, roles: ROLES.join(prompts.render('cli/list-separator')) }));
}

/** `opsbot chat`: the playground, as a fan, an agent or an admin, privately or in a group. */
export function registerChat(program: Command, prompts: Prompts, app: (options?: { readonly quietLogs?: boolean }) => App): void {
  program
    .command('chat')
    .description(prompts.render('cli/chat-description'))
    .option('--as <role>', prompts.render('cli/chat-as-option'))
    .option('--group <name>', prompts.render('cli/chat-group-option'))
    .addHelpText('after', prompts.render('cli/chat-examples'))
    .action(async (options: ChatOptions) => {
      const role = parseRole(options.as, prompts);
      await runPlayground(app({ quietLogs: true }), { role, ...(options.group ? { group: options.group } : {}) });
    });
}
