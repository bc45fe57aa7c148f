import { join } from 'node:path';
import { App } from '../../src/app/app.js';
import { startBot, type Bot } from '../../src/app/bot.js';
import { LocalChat } from '../../src/bot/adapters/local.js';
import { openConsole, type Console } from '../../src/console/index.js';
import { prompts, silentLogger, tempDir, testConfig } from '../helpers.js';

export interface ConsoleRun {
  readonly base: string;
  readonly token: string;
  readonly app: App;
  readonly bot: Bot;
  readonly web: Console;
  readonly dir: string;
  /** A fan in the shop's group 粉丝1群 on the local platform (its answers, and the agents' replies, land here). */
  readonly fan: LocalChat;
  readonly fanInbox: string[];
  /** fetch with the staff's token (or the one given). */
  api(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

/** The bot with its console on a free port of 127.0.0.1, in a fresh data dir, no platforms. */
export async function startConsole(env: Record<string, string> = {}): Promise<ConsoleRun> {
  const work = tempDir('opsbot-console-');
  const app = new App({ config: testConfig({ OPSBOT_DATA_DIR: join(work.dir, 'data'), OPSBOT_HTTP_PORT: '0', ...env }), prompts, logger: silentLogger, llm: null, tuning: { pollMs: 50 } });
  const web = await openConsole(app);
  const bot = await startBot(app, { platforms: [], extend: web.extend });
  const fanInbox: string[] = [];
  const fan = new LocalChat(bot.router, { role: 'fan', group: '粉丝1群', onPush: ({ content }) => void fanInbox.push(content.kind === 'image' ? '[image]' : content.text) });
  await bot.attach('local', fan, 'local');
  const base = `http://127.0.0.1:${bot.httpPort}`;
  const token = web.tokens.admin;
  return {
    base,
    token,
    app,
    bot,
    web,
    dir: work.dir,
    fan,
    fanInbox,
    api: (path, init = {}) => {
      const { token: t = token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (t) headers.set('authorization', `Bearer ${t}`);
      if (rest.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return fetch(base + path, { ...rest, headers });
    },
    close: async () => {
      await bot.close();
      await web.close();
      work.cleanup();
    },
  };
}
