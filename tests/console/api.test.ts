import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/kernel/config.js';
import { ConfigError } from '../../src/kernel/config.js';
import { prompts, until } from '../helpers.js';
import { startConsole, type ConsoleRun } from './harness.js';

let run: ConsoleRun;
beforeAll(async () => {
  run = await startConsole({ OPSBOT_HTTP_AGENT_TOKEN: 'agent-token-0123456789' });
}, 60_000);
afterAll(async () => run?.close());

const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body) });

describe('the console API: access', () => {
  it('serves /healthz and the OpenAPI description without a token, listing every /api route', async () => {
    expect(await (await run.api('/healthz', { token: null })).json()).toMatchObject({ ok: true });
    const doc = (await (await run.api('/api/openapi.json', { token: null })).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/api/playground/say', '/api/cs/reply', '/api/kpi', '/api/deliveries', '/api/cs/escalations', '/api/coupon/drops', '/api/live/sessions', '/api/kpi/dashboard']) expect(Object.keys(doc.paths)).toContain(path);
  });

  it('answers 401 without a token or with a wrong one, and 403 when an agent asks for an operator route', async () => {
    for (const path of ['/api/deliveries', '/api/kpi/dashboard', '/api/cs/escalations', '/api/coupon/drops', '/api/live/sessions', '/api/session']) {
      expect((await run.api(path, { token: null })).status, path).toBe(401);
      expect((await run.api(path, { token: 'wrong-token-0123456789' })).status, path).toBe(401);
    }
    const refused = await run.api('/api/kpi', { ...json({ question: '昨天转化率' }), token: 'wrong' });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(prompts.render('console/unauthorized'));
    const agent = 'agent-token-0123456789';
    expect((await run.api('/api/kpi', { ...json({ question: '昨天转化率' }), token: agent })).status).toBe(403);
    expect((await run.api('/api/deliveries', { token: agent })).status).toBe(403);
    expect((await run.api('/api/cs/reply', { ...json({ message: '什么时候发货' }), token: agent })).status).toBe(200);
    expect(await (await run.api('/api/session', { token: agent })).json()).toEqual({ role: 'agent' });
  });

  it('keeps a generated token owner-only under the data dir and reuses it', async () => {
    const file = join(run.dir, 'data', 'console-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(run.token);
    expect(run.web.url(1234)).toBe(`http://127.0.0.1:1234/?token=${run.token}`);
  });

  it('refuses to bind another address without OPSBOT_HTTP_TOKEN, saying why', () => {
    let error: unknown;
    try {
      loadConfig({ env: { OPSBOT_HTTP_HOST: '0.0.0.0' }, envFile: false });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.key)).toEqual(['config/host-needs-token']);
    expect(() => loadConfig({ env: { OPSBOT_HTTP_HOST: '0.0.0.0', OPSBOT_HTTP_TOKEN: 'a-long-enough-token-123' }, envFile: false })).not.toThrow();
  });
});

describe('the console API: the sign-in check', () => {
  it('asks for a token on the playground too when bound to another address than loopback', async () => {
    const Fastify = (await import('fastify')).default;
    const { signInHook } = await import('../../src/console/auth.js');
    const http = Fastify();
    http.addHook('onRequest', signInHook({ admin: 'a-long-enough-token-123' }, '192.168.1.5', prompts));
    http.post('/api/playground/say', async () => ({ replies: [] }));
    expect((await http.inject({ method: 'POST', url: '/api/playground/say', payload: {} })).statusCode).toBe(401);
    expect((await http.inject({ method: 'POST', url: '/api/playground/say', payload: {}, headers: { authorization: 'Bearer a-long-enough-token-123' } })).statusCode).toBe(200);
    await http.close();
  });
});

describe('the console API: the playground', () => {
  it('answers a fan in the demo group, an operator privately (a chart as a picture), with no token on loopback', async () => {
    const say = async (body: unknown) => run.api('/api/playground/say', { ...json(body), token: null });
    const claim = (await (await say({ as: 'fan', chat: 'group', text: '领券' })).json()) as { replies: { kind: string; text?: string }[] };
    expect(claim.replies[0]!.text).toContain('券码');
    expect(((await (await say({ as: 'fan', chat: 'group', text: '哈哈今天天气不错' })).json()) as { replies: unknown[] }).replies).toEqual([]);
    const kpi = (await (await say({ as: 'admin', chat: 'private', text: '/kpi 上周各渠道销售额' })).json()) as { replies: { kind: string; url?: string }[] };
    const image = kpi.replies.find((r) => r.kind === 'image');
    expect(image?.url).toMatch(/^\/api\/playground\/pictures\//);
    const png = await run.api(image!.url!, { token: null });
    expect(png.headers.get('content-type')).toBe('image/png');
    const live = (await (await say({ as: 'fan', chat: 'group', text: '今晚几点直播' })).json()) as { replies: { text?: string }[] };
    expect(live.replies[0]?.text).toContain('20:00');
  });

  it('presses a button under a bot message, and lists what the demo shop pushed on its own', async () => {
    // /lives lists the sample live with a button under it; pressing it answers through the router.
    const list = (await (await run.api('/api/playground/say', { ...json({ as: 'admin', chat: 'private', text: '/lives' }), token: null })).json()) as { replies: { text?: string; buttons?: { data: string }[][] }[] };
    expect(list.replies.map((r) => r.text).join('\n')).toContain(prompts.render('console/demo-live-title'));
    const button = list.replies.flatMap((r) => r.buttons ?? []).flat()[0];
    expect(button).toBeDefined();
    const pressed = (await (await run.api('/api/playground/press', { ...json({ as: 'admin', chat: 'private', data: button!.data }), token: null })).json()) as { replies: unknown[] };
    expect(pressed.replies.length).toBeGreaterThan(0);
    // The sample drop's announcement went to the demo group's WeChat outbox, not to the playground: the feed
    // holds only what the demo shop pushed to the playground itself, and nothing after the newest seq.
    const feed = (await (await run.api('/api/playground/feed?after=0', { token: null })).json()) as { items: { seq: number }[] };
    const newest = feed.items.at(-1)?.seq ?? 0;
    expect(((await (await run.api(`/api/playground/feed?after=${newest}`, { token: null })).json()) as { items: unknown[] }).items).toEqual([]);
    expect((await run.api('/api/playground/press', { ...json({ as: 'admin', chat: 'private' }), token: null })).status).toBe(400);
  });

  it('previews a live in the demo shop (messages, poster) and serves a saved live\'s poster', async () => {
    const preview = (await (await run.api('/api/playground/live/preview', { ...json({ title: '预览专场', start: '2099-01-02 20:00' }), token: null })).json()) as { messages: unknown[]; poster: string; groups: { name: string }[] };
    expect(preview.messages.length).toBeGreaterThan(1);
    expect(preview.poster).toMatch(/^data:image\/png;base64,/);
    expect(preview.groups.map((g) => g.name)).toEqual(['示例粉丝群']);
    const { sessions } = (await (await run.api('/api/playground/live/sessions', { token: null })).json()) as { sessions: { id: string }[] };
    const poster = (await (await run.api(`/api/playground/live/sessions/${sessions[0]!.id}/poster`, { token: null })).json()) as { poster: string };
    expect(poster.poster).toMatch(/^data:image\/png;base64,/);
    expect((await run.api('/api/playground/live/preview', { ...json({ start: '2099-01-02 20:00' }), token: null })).status).toBe(400);
  });

  it('streams changes as server-sent events', async () => {
    const ctrl = new AbortController();
    const r = await run.api('/api/events', { signal: ctrl.signal });
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    ctrl.abort();
    expect((await run.api('/api/events', { token: null })).status).toBe(401);
  });

  it('names the field of a bad input', async () => {
    const r = await run.api('/api/playground/say', { ...json({ as: 'boss', chat: 'group' }), token: null });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { fields: string[]; message: string } };
    expect(body.error.fields).toEqual(expect.arrayContaining(['body.as', 'body.text']));
    expect(body.error.message).toContain('body.text');
  });

  it('keeps the demo shop apart: its drop is in /api/playground, not in the shop', async () => {
    const demo = (await (await run.api('/api/playground/coupon/drops', { token: null })).json()) as { drops: { name: string; claimed: number }[] };
    expect(demo.drops.map((d) => d.name)).toContain(prompts.render('console/demo-drop-name'));
    expect(((await (await run.api('/api/coupon/drops')).json()) as { drops: unknown[] }).drops).toEqual([]);
  });
});

describe('the console API: the shop', () => {
  it('POST /api/cs/reply gives the object `reply --json` prints', async () => {
    const r = (await (await run.api('/api/cs/reply', json({ message: '亲，我的快递三天没动了😭' }))).json()) as Record<string, unknown>;
    expect(Object.keys(r).slice(0, 4)).toEqual(['message', 'intent', 'confidence', 'suggestions']);
    expect(r.intent).toBe('logistics');
    expect((await run.api('/api/cs/reply', json({ message: '' }))).status).toBe(400);
  });

  it('POST /api/kpi gives the object `kpi --json` prints; an import names the bad row', async () => {
    const csv = '日期,渠道,访客数,支付买家数,支付金额\n2026-11-30,抖音,100,5,500\n2026-12-01,抖音,200,8,800\n';
    const imported = await run.api('/api/kpi/import?name=export.csv', { method: 'POST', body: csv, headers: { 'content-type': 'application/octet-stream' } });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({ rows: 2, added: 2 });
    const bad = await run.api('/api/kpi/import?name=bad.csv', { method: 'POST', body: '日期,渠道,访客数\n2026-11-30,抖音,abc\n', headers: { 'content-type': 'application/octet-stream' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/第 ?2 ?行/);
    const a = (await (await run.api('/api/kpi', json({ question: '2026年12月1日的转化率' }))).json()) as Record<string, unknown>;
    expect(a).toMatchObject({ metric: 'cvr', value: 0.04, from: '2026-12-01' });
    const trend = (await (await run.api('/api/kpi', json({ question: '2026年11月30日到12月1日每天的访客数' }))).json()) as { chart?: string; chartSpec?: { kind: string } };
    expect(trend.chart).toMatch(/^\/api\/kpi\/charts\//);
    expect(trend.chartSpec?.kind).toBe('line');
    expect((await run.api(trend.chart!)).headers.get('content-type')).toBe('image/png');
    expect((await run.api(trend.chart!, { token: null })).status).toBe(401);
  });

  it('the escalation queue: 发送 reaches the fan once; a second decision is refused', async () => {
    await run.fan.say('@助手 衣服刚穿一次就起球了，质量太差了，我要投诉');
    const queue = await until(async () => {
      const { items } = (await (await run.api('/api/cs/escalations')).json()) as { items: { id: string; text: string; suggestions: { text: string }[] }[] };
      return items.find((e) => e.text.includes('起球'));
    });
    const sent = await run.api(`/api/cs/escalations/${queue.id}`, json({ action: 'send', suggestion: 0 }));
    expect(await sent.json()).toEqual({ status: 'sent' });
    await until(() => run.fanInbox.some((t) => t.includes(queue.suggestions[0]!.text)));
    const again = await run.api(`/api/cs/escalations/${queue.id}`, json({ action: 'ignore' }));
    expect(again.status).toBe(409);
    const { items } = (await (await run.api('/api/cs/escalations')).json()) as { items: { id: string }[] };
    expect(items.map((e) => e.id)).not.toContain(queue.id);
    expect((await run.api('/api/cs/escalations/nope', json({ action: 'ignore' }))).status).toBe(404);
  });

  it('GET /api/deliveries lists sends as `deliveries --json` lines; a bad since is named', async () => {
    const log = await run.app.service('deliveries');
    const at = new Date().toISOString();
    await log.record({ id: 'd1', at, platform: 'wechat', chat: '12345678@chatroom', source: 'live:abc:preannounce', status: 'sent' });
    await log.record({ id: 'd2', at, platform: 'wechat', chat: '12345678@chatroom', source: 'live:abc:reminder:10m', status: 'uncertain', reason: 'process-died' });
    const { items } = (await (await run.api('/api/deliveries?source=live:')).json()) as { items: Record<string, unknown>[] };
    expect(items.map((d) => d.id).sort()).toEqual(['d1', 'd2']);
    expect(Object.keys(items[0]!).slice(0, 6)).toEqual(['id', 'at', 'platform', 'chat', 'source', 'status']);
    const uncertain = (await (await run.api('/api/deliveries?status=uncertain')).json()) as { items: Record<string, unknown>[] };
    expect(uncertain.items).toEqual([expect.objectContaining({ id: 'd2', reason: 'process-died' })]);
    expect(Object.keys(items[0]!).slice(0, 6)).toEqual(['id', 'at', 'platform', 'chat', 'source', 'status']);
    expect((await run.api('/api/deliveries?since=yesterday')).status).toBe(400);
    expect((await run.api('/api/deliveries?status=lost')).status).toBe(400);
  });

  it('the playbook search cites passages', async () => {
    const r = (await (await run.api(`/api/kb/search?q=${encodeURIComponent('直播预告应该提前多久发')}`)).json()) as { found: boolean; sources: { doc: string; text: string }[] };
    expect(r.found).toBe(true);
    expect(r.sources[0]!.doc).toBeTruthy();
    expect((await run.api('/api/kb/search')).status).toBe(400);
  });
});
