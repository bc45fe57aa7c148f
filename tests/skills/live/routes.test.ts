import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../../src/app/bot.js';
import { freePort, tempDir, testBot } from '../../helpers.js';

const data = tempDir('opsbot-live-api-');
let bot: Bot;
let base: string;

beforeAll(async () => {
  writeFileSync(join(data.dir, 'shop.json'), JSON.stringify({ groups: [{ platform: 'wechat', id: 'r1@chatroom', name: '粉丝1群', tags: ['fans'] }] }));
  const port = await freePort();
  ({ bot } = await testBot(
    { OPSBOT_DATA_DIR: data.dir, OPSBOT_SHOP_FILE: join(data.dir, 'shop.json'), OPSBOT_HTTP_PORT: String(port), OPSBOT_NOW: '2026-12-01T10:00:00+08:00' },
    { start: { http: true } },
  ));
  base = `http://127.0.0.1:${port}/api/live`;
});
afterAll(async () => {
  await bot.close();
  data.cleanup();
});

const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('/api/live', () => {
  it('schedules, lists, reschedules and cancels a live, with times in the shop\'s offset', async () => {
    const made = await post('/sessions', { title: '接口场', start: '2026-12-12 20:00', offers: ['满199减30'] });
    expect(made.status).toBe(200);
    const { session } = (await made.json()) as { session: { id: string; start: string; messages: { kind: string; at: string }[]; groups: { name: string }[] } };
    expect(session.start).toBe('2026-12-12T20:00:00+08:00');
    expect(session.messages.map((m) => m.kind)).toEqual(['preannounce', 'reminder', 'onair', 'recap']);
    expect(session.groups.map((g) => g.name)).toEqual(['粉丝1群']);
    const listed = (await (await fetch(`${base}/sessions`)).json()) as { sessions: { id: string }[] };
    expect(listed.sessions.map((s) => s.id)).toEqual([session.id]);
    const moved = (await (await post(`/sessions/${session.id}/reschedule`, { start: '2026-12-13 20:00' })).json()) as { session: { revision: number; start: string } };
    expect(moved.session).toMatchObject({ revision: 2, start: '2026-12-13T20:00:00+08:00' });
    const cancelled = (await (await post(`/sessions/${session.id}/cancel`, {})).json()) as { status: string };
    expect(cancelled.status).toBe('cancelled');
  });

  it('answers a live written wrong with 400, its code and every problem in words', async () => {
    const bad = await post('/sessions', { title: '', start: '2020-01-01 20:00' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('OPSBOT_ERR_LIVE_INVALID');
    expect(body.error.message).toContain('标题不能为空');
    const shapeless = await post('/sessions', { start: 7 });
    expect(shapeless.status).toBe(400);
    expect(((await shapeless.json()) as { error: { code: string } }).error.code).toBe('OPSBOT_ERR_HTTP_INVALID');
    const missing = await post('/sessions/nope/cancel', {});
    expect(missing.status).toBe(404);
  });
});
