import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncomingMessage, Outbound, SendResult, Transport } from '../../src/bot/context.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { Router } from '../../src/bot/router.js';
import { openStore, type Store } from '../../src/bot/store/index.js';
import { createClock } from '../../src/kernel/clock.js';
import { createMetricsSkill } from '../../src/skills/metrics/index.js';
import { MetricsService } from '../../src/skills/metrics/service.js';
import { captureLogger, prompts, STACK_TRACE, tempDir } from '../helpers.js';

// /kpi in a chat when metrics.sqlite is corrupt: the admin reads which file is broken and what to do,
// in Chinese; a plain message still goes on to the fallback; the log has no stack trace below debug;
// the file is never written.

class Outbox implements Transport {
  sent: Outbound[] = [];
  async send(_chatId: string, content: Outbound): Promise<SendResult> {
    this.sent.push(content);
    return { status: 'sent' };
  }
  texts(): string[] {
    return this.sent.map((c) => (c.kind === 'image' ? '[image]' : c.text));
  }
}

let seq = 0;
const fromAdmin = (text: string): IncomingMessage => ({
  platform: 'telegram',
  messageId: `m${++seq}`,
  time: new Date(),
  chat: { id: 'c1', type: 'private' },
  sender: { id: '1', name: '运营' },
  mentioned: false,
  self: false,
  text,
});

let dir: { dir: string; cleanup: () => void };
let store: Store;
let metrics: MetricsService;
let path: string;

beforeEach(async () => {
  dir = tempDir('opsbot-faults-kpi-chat-');
  mkdirSync(join(dir.dir, 'data'));
  path = join(dir.dir, 'data', 'metrics.sqlite');
  writeFileSync(path, Buffer.alloc(4096, 'a spreadsheet saved over the database by mistake. '));
  store = await openStore({ dataDir: join(dir.dir, 'data') });
});
afterEach(async () => {
  metrics.close();
  await store.close();
  dir.cleanup();
});

describe('/kpi on a corrupt metrics.sqlite', () => {
  it('answers the admin in Chinese naming the file, logs no stack trace, and leaves the file as it was', async () => {
    const before = readFileSync(path);
    const logs = captureLogger();
    logs.logger.level = 'info';
    metrics = new MetricsService({ dataDir: join(dir.dir, 'data'), tz: 'Asia/Shanghai', clock: createClock(new Date('2026-11-25T04:00:00Z')), prompts, logger: logs.logger });
    const fallback = { name: 'fallback', roles: ['admin' as const], fallback: true, handle: async (ctx: { reply(t: string): Promise<unknown> }) => void (await ctx.reply('手册回答')) };
    const router = new Router({ store, prompts, logger: logs.logger, roles: new RoleDirectory({ admins: ['telegram:1'], agents: [] }) })
      .register(createMetricsSkill({ metrics, prompts }))
      .register(fallback)
      .start();
    const outbox = new Outbox();

    await router.handle(fromAdmin('/kpi 昨天销售额'), outbox);
    expect(outbox.texts()).toHaveLength(1);
    const [said] = outbox.texts();
    expect(said).toContain(path);
    expect(said).toMatch(/损坏/);
    expect(said).toMatch(/备份/);
    expect(said).not.toMatch(/file is not a database|SQLITE|Error/);

    // A plain question cannot be told from a KPI one without the names: it goes on, once, to the fallback.
    await router.handle(fromAdmin('昨天销售额多少'), outbox);
    expect(outbox.texts()).toEqual([said, '手册回答']);

    // The skill's own warning names the code and the file; the stack waits for LOG_LEVEL=debug.
    const own = logs.lines().filter((l) => String(l.msg).startsWith('metrics:'));
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ level: 40, code: 'OPSBOT_ERR_METRICS_DB_CORRUPT', params: { path } });
    expect(JSON.stringify(own)).not.toMatch(STACK_TRACE);
    expect(JSON.stringify(own)).not.toMatch(/\\n\s+at /);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
