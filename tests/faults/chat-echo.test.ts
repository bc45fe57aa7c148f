import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startConsole } from '../console/harness.js';
import { TelegramAdapter } from '../../src/bot/adapters/telegram.js';
import { TELEGRAM_MAX_TEXT } from '../../src/bot/adapters/telegram-format.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { Router } from '../../src/bot/router.js';
import { memoryStore, PACKAGE_ROOT, prompts, silentLogger, until } from '../helpers.js';

const HOSTILE = '<script>alert(1)</script> [x](javascript:alert(1)) <a href="javascript:alert(2)">点我</a> &lt; *粗体* _斜体_';

/** A Telegram adapter whose API calls are caught by a transformer: what would have been sent, counted. */
function telegram() {
  const calls: { method: string; payload: Record<string, unknown> }[] = [];
  const store = memoryStore();
  const adapter = new TelegramAdapter({
    token: '123456:hostile-echo-test',
    router: new Router({ store, prompts, logger: silentLogger, roles: new RoleDirectory({ admins: [], agents: [] }) }).start(),
    store,
    logger: silentLogger,
    prompts,
    tz: 'Asia/Shanghai',
    pacing: { gap: [0, 0], chatSwitchGap: [0, 0], quietHours: { start: '00:00', end: '00:00' } },
  });
  adapter.bot.api.config.use(async (_prev, method, payload) => {
    calls.push({ method, payload: payload as Record<string, unknown> });
    return { ok: true, result: { message_id: calls.length, date: 0, chat: { id: -100, type: 'supergroup', title: 'g' } } } as never;
  });
  return { adapter, calls };
}

/** What Telegram's HTML parse mode would take for markup: tags other than the mention link, or a broken entity. */
function markupIn(html: string): string[] {
  const withoutLinks = html.replace(/<a href="tg:\/\/user\?id=[^"<>]*">[^<>]*<\/a>/g, '');
  return [...(withoutLinks.match(/<[^>]*>|&(?!(amp|lt|gt|quot);)[^;\s]*;?/g) ?? [])];
}

describe('hostile HTML and Markdown echoed into a chat', () => {
  it('plain text goes without a parse mode: Telegram shows it as typed, nothing is markup', async () => {
    const { adapter, calls } = telegram();
    expect(await adapter.send('-100', { kind: 'text', text: HOSTILE })).toMatchObject({ status: 'sent' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.payload).toMatchObject({ text: HOSTILE });
    expect(calls[0]!.payload.parse_mode).toBeUndefined();
  });

  it('a mention (parse mode HTML) escapes the text and the names: the only markup is the mention link', async () => {
    const { adapter, calls } = telegram();
    await adapter.send('-100', { kind: 'mention', text: HOSTILE, mentions: [{ id: '42', name: '<b>小王</b>&' }] });
    expect(calls).toHaveLength(1);
    const html = String(calls[0]!.payload.text);
    expect(calls[0]!.payload.parse_mode).toBe('HTML');
    expect(markupIn(html)).toEqual([]);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&amp;lt;');
  });

  it('a long mention is cut before it is escaped, so no entity or tag is cut in half', async () => {
    const { adapter, calls } = telegram();
    // Each & becomes five characters when escaped: a cut after escaping lands inside "&amp;".
    await adapter.send('-100', { kind: 'mention', text: '&'.repeat(5_000), mentions: [{ id: '42', name: '小王' }] });
    const html = String(calls[0]!.payload.text);
    expect(html.length).toBeLessThanOrEqual(TELEGRAM_MAX_TEXT);
    expect(markupIn(html)).toEqual([]);
    expect(html).toMatch(/&amp;$/);
  });
});

describe('the console\'s pages', () => {
  it('render text as text: no dangerouslySetInnerHTML or innerHTML anywhere in web/src', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(tsx?|jsx?)$/.test(name)) files.push(p);
      }
    };
    walk(join(PACKAGE_ROOT, 'web', 'src'));
    expect(files.length).toBeGreaterThan(3);
    const offending = files.filter((f) => /dangerouslySetInnerHTML|\.innerHTML\s*=|insertAdjacentHTML|document\.write/.test(readFileSync(f, 'utf8')));
    expect(offending).toEqual([]);
  });
});

describe('hostile text through the console API', () => {
  it('a fan\'s markup in an escalation comes back as the same JSON string, never as a page', async () => {
    const run = await startConsole();
    try {
      const complaint = `我要退货 ${HOSTILE} <img src=x onerror=alert(3)>`;
      await run.fan.say(`@助手 ${complaint}`);
      const res = await until(async () => {
        const r = await run.api('/api/cs/escalations');
        const { items } = (await r.clone().json()) as { items: { text: string }[] };
        return items.some((e) => e.text.includes('我要退货')) ? r : undefined;
      });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const { items } = (await res.json()) as { items: { text: string }[] };
      expect(items.map((e) => e.text)).toEqual([complaint]);
      // The playground echoes what the bot said as data too.
      const said = await run.api('/api/playground/say', { method: 'POST', body: JSON.stringify({ as: 'fan', chat: 'group', text: `@助手 ${HOSTILE}` }), token: null });
      expect(said.headers.get('content-type')).toMatch(/^application\/json/);
    } finally {
      await run.close();
    }
  });
});
