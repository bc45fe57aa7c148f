import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../app/app.js';
import { mountPluginRoutes, type HttpExtension, type RouteAccess } from '../bot/http.js';
import { ROLES, type Role } from '../bot/context.js';
import { PACKAGE_ROOT } from '../kernel/paths.js';
import { bundledFonts } from '../skills/shared/fonts.js';
import { consoleTokens, roleOf, signInHook, type ConsoleTokens } from './auth.js';
import { ConsoleEvents } from './events.js';
import { Pictures, sendPicture } from './pictures.js';
import { DEMO_GROUP, Playground } from './playground.js';
import { mountShopRoutes } from './shop-routes.js';

/** The built pages (`npm install` builds them with Vite). */
export const WEB_DIST = join(PACKAGE_ROOT, 'web', 'dist');
const PUBLIC = { role: 'public' } satisfies RouteAccess;
const MAX_SAY_CHARS = 2_000;

export interface Console {
  readonly tokens: ConsoleTokens;
  readonly playground: Playground;
  /** What `startBot` adds to its HTTP server. */
  readonly extend: HttpExtension;
  /** The address to open, with the staff's token in it (as Jupyter prints it). */
  url(port: number): string;
  close(): Promise<void>;
}

/** Digests of what the pages show, read from a shop's store: a change in one is a `change` event. */
async function digests(app: App): Promise<Record<string, string>> {
  const [coupons, lives, deliveries, store] = await Promise.all([app.service('coupons'), app.service('lives'), app.service('deliveries'), app.service('store')]);
  const drops = await coupons.list();
  const counts = await Promise.all(drops.map(async (d) => `${d.id}:${d.status}:${(await coupons.status(d.id)).claimed}`));
  const sessions = (await lives.list()).map((s) => `${s.id}:${s.revision}:${s.status}`);
  const [newest] = await deliveries.list({ limit: 1 });
  const escalations = (await store.list('esc-outcome:')).length + (await store.list('esc:')).length;
  return { coupons: counts.join(','), lives: sessions.join(','), deliveries: newest?.id ?? '', escalations: String(escalations) };
}

/**
 * The web console, served by `opsbot start` on the bot's own HTTP server: the pages (built with Vite,
 * no CDN), the OpenAPI description, the sign-in check, the shop's routes at `/api` and the playground's
 * demo shop at `/api/playground`, and live updates by server-sent events.
 */
export async function openConsole(app: App): Promise<Console> {
  const tokens = consoleTokens(app.config);
  const pictures = new Pictures();
  const shopEvents = new ConsoleEvents(() => digests(app));
  const demo: { events?: ConsoleEvents } = {};
  const playground = await Playground.open(app, pictures, () => demo.events?.poke('playground'));
  const demoEvents = (demo.events = new ConsoleEvents(() => digests(playground.app)));
  const host = app.config.httpHost;

  const before = async (http: FastifyInstance) => {
    const swagger = (await import('@fastify/swagger')).default;
    await http.register(swagger, {
      openapi: { info: { title: 'opsbot 控制台 API', version: '1' }, components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } }, security: [{ token: [] }] },
      transform: jsonSchemaTransform,
    });
    http.addHook('onRequest', signInHook(tokens, host, app.prompts));
    // An export dropped on the dashboard arrives as the file's bytes.
    http.addContentTypeParser(['application/octet-stream', 'text/csv', 'text/plain'], { parseAs: 'buffer', bodyLimit: 100 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  };

  const after = async (http: FastifyInstance) => {
    http.get('/api/openapi.json', { config: PUBLIC, schema: { hide: true } }, async () => http.swagger());
    http.get('/api/session', { config: { role: 'agent' } satisfies RouteAccess, schema: { tags: ['console'], summary: '当前口令的角色' } }, async (req) => ({ role: roleOf(req.headers.authorization, tokens) }));
    mountShopRoutes(http, '/api', app, pictures, 'shop');
    http.get('/api/events', { config: { role: 'agent' } satisfies RouteAccess, schema: { tags: ['shop'], summary: '页面实时更新（server-sent events）' } }, async (_req, reply) => shopEvents.attach(reply));

    const Say = z.object({ as: z.enum(ROLES as [Role, ...Role[]]), chat: z.enum(['group', 'private']), text: z.string().min(1).max(MAX_SAY_CHARS) });
    const Reply = z.object({ kind: z.enum(['text', 'mention', 'image']), text: z.string().optional(), url: z.string().optional(), mentions: z.array(z.string()).optional(), buttons: z.array(z.array(z.object({ text: z.string(), data: z.string() }))).optional() });
    const tags = ['playground'];
    http.post('/api/playground/say', { schema: { tags, summary: '在群聊模拟里以粉丝、客服或运营的身份发一句话', body: Say, response: { 200: z.object({ replies: z.array(Reply) }) } } }, async (req) => {
      const { as, chat, text } = req.body as z.infer<typeof Say>;
      const replies = await playground.say(as, chat, text);
      demoEvents.poke('playground');
      return { replies };
    });
    const Press = z.object({ as: z.enum(ROLES as [Role, ...Role[]]), chat: z.enum(['group', 'private']), data: z.string().min(1).max(64) });
    http.post('/api/playground/press', { schema: { tags, summary: '按下机器人消息下的按钮', body: Press, response: { 200: z.object({ replies: z.array(Reply) }) } } }, async (req) => {
      const { as, chat, data } = req.body as z.infer<typeof Press>;
      return { replies: await playground.press(as, chat, data) };
    });
    http.get('/api/playground/feed', { schema: { tags, summary: '机器人主动发出的消息（公告、客服回复）', querystring: z.object({ after: z.coerce.number().int().min(0).default(0) }) } }, async (req) => ({ items: playground.feedSince((req.query as { after: number }).after) }));
    http.get('/api/playground/info', { schema: { tags, summary: '示例店铺的说明' } }, async () => ({ group: DEMO_GROUP, sample: true, tz: app.config.tz }));
    http.get('/api/playground/pictures/:id', { schema: { tags, summary: '群聊模拟里的图片（PNG）', params: z.object({ id: z.string() }) } }, async (req, reply) => sendPicture(pictures, (req.params as { id: string }).id, reply, app.prompts));
    mountShopRoutes(http, '/api/playground', playground.app, pictures, 'playground');
    mountPluginRoutes(http, playground.bot.routes, '/api/playground', 'playground');
    http.get('/api/playground/events', { schema: { tags, summary: '示例店铺的实时更新' } }, async (_req, reply) => demoEvents.attach(reply));

    // The bundled CJK font, for a browser with none installed (the page asks for it only then).
    http.get('/fonts/:weight', { config: PUBLIC, schema: { hide: true, params: z.object({ weight: z.enum(['regular.otf', 'bold.otf']) }) } }, async (req, reply) => {
      const [regular, bold = regular] = bundledFonts();
      const file = (req.params as { weight: string }).weight === 'bold.otf' ? bold! : regular!;
      return reply.type('font/otf').header('cache-control', 'public, max-age=604800').send(createReadStream(file));
    });
    if (existsSync(join(WEB_DIST, 'index.html'))) {
      const serve = (await import('@fastify/static')).default;
      await http.register(serve, { root: WEB_DIST, wildcard: false, index: 'index.html' });
    } else {
      http.get('/', { config: PUBLIC, schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(app.prompts.render('console/not-built')));
    }
  };

  return {
    tokens,
    playground,
    extend: { before, after },
    url: (port) => `http://${host.includes(':') ? `[${host}]` : host}:${port}/?token=${tokens.admin}`,
    close: async () => {
      shopEvents.close();
      demoEvents.close();
      await playground.close();
    },
  };
}
