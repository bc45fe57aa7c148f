import Fastify, { type FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { UserFacingError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import type { Prompts } from '../kernel/prompts.js';
import { politeFailure } from './boundary.js';
import type { PluginRoute } from './plugin.js';

/** A request handled outside the JSON API (the Telegram webhook): the status from its headers and body. */
export type RawHandler = (headers: Readonly<Record<string, string | string[] | undefined>>, body: unknown) => number;

export interface HttpServerOptions {
  readonly port: number;
  /** Default 127.0.0.1: nothing is reachable from outside the machine unless asked for. */
  readonly host?: string;
  readonly logger: Logger;
  readonly prompts: Prompts;
  /** What `/healthz` reports. */
  readonly health: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Each plugin's routes, mounted below `/api/<plugin>`. */
  readonly routes?: readonly { readonly plugin: string; readonly route: PluginRoute }[];
  /** POST endpoints by path (the Telegram webhook). */
  readonly hooks?: Readonly<Record<string, RawHandler>>;
  /** More on the same server (the console): `before` runs ahead of every route (hooks, OpenAPI), `after` last. */
  readonly extend?: HttpExtension;
}

export interface HttpExtension {
  before?(app: FastifyInstance): void | Promise<void>;
  after?(app: FastifyInstance): void | Promise<void>;
}

/** Who may call a route (the chats' roles): read by the console's sign-in hook from the route's config. */
export interface RouteAccess {
  readonly role: 'admin' | 'agent' | 'public';
}

/** Mounts plugins' routes below `${base}/<plugin>` with their zod schemas and their role in the route config. */
export function mountPluginRoutes(app: FastifyInstance, routes: readonly { readonly plugin: string; readonly route: PluginRoute }[], base = '/api', tag?: string): void {
  for (const { plugin, route } of routes) {
    const schema = route.schema ?? {};
    const access: RouteAccess = { role: route.role ?? 'admin' };
    app.route({
      method: route.method,
      url: `${base}/${plugin}${route.path}`,
      config: access,
      schema: {
        tags: [tag ?? plugin],
        ...(route.summary ? { summary: route.summary } : {}),
        ...(schema.params ? { params: schema.params } : {}),
        ...(schema.query ? { querystring: schema.query } : {}),
        ...(schema.body ? { body: schema.body } : {}),
        ...(schema.response ? { response: { 200: schema.response } } : {}),
      },
      handler: async (req) => route.handler({ params: req.params, query: req.query, body: req.body }),
    });
  }
}

/**
 * The HTTP server (Fastify): `/healthz`, the plugins' JSON routes with zod-checked inputs and replies,
 * and raw hooks such as the Telegram webhook. A bad input is a 400 naming what is wrong; a failure is
 * the polite failure with a code, never a stack.
 */
export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err, req, reply) => {
    const log = options.logger.child({ path: req.url });
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({ path: v.instancePath, message: v.message }));
      // Each field named as a reader finds it: `body.text`, `query.since`.
      const where = (path: string) => [err.validationContext ?? 'body', ...path.split('/').filter(Boolean)].join('.');
      const fields = [...new Set(issues.map((i) => where(i.path)))].join('、');
      return reply.code(400).send({ error: { code: 'OPSBOT_ERR_HTTP_INVALID', message: options.prompts.render('http/invalid-input', { fields }), fields: fields.split('、'), issues } });
    }
    // The user's own input refused (a live in the past, an unknown group): 400 with the sentence and its code.
    if (err instanceof UserFacingError && err.cause === undefined) {
      return reply.code(err.code.endsWith('_NOT_FOUND') ? 404 : 400).send({ error: { code: err.code, message: options.prompts.render(err.promptKey, err.params), details: err.details } });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return reply.code(status).send({ error: { code: 'OPSBOT_ERR_HTTP_REFUSED', message: (err as Error).message } });
    const code = (err as { code?: unknown }).code;
    return reply.code(500).send({ error: { code: typeof code === 'string' && code.startsWith('OPSBOT_ERR_') ? code : 'OPSBOT_ERR_HTTP_FAILED', message: politeFailure(err, options.prompts, log, 'http route failed', { staff: true }) } });
  });
  await options.extend?.before?.(app);
  app.get('/healthz', { config: { role: 'public' } satisfies RouteAccess, schema: { hide: true } }, async () => ({ ok: true, ...(await options.health()) }));
  for (const [path, handle] of Object.entries(options.hooks ?? {})) {
    app.post(path, { config: { role: 'public' } satisfies RouteAccess, schema: { hide: true } }, async (req, reply) => reply.code(handle(req.headers, req.body)).send());
  }
  mountPluginRoutes(app, options.routes ?? []);
  await options.extend?.after?.(app);
  return app;
}

/** Builds the server and listens on `host:port` (127.0.0.1 by default; port 0 picks a free one). */
export async function startHttpServer(options: HttpServerOptions): Promise<{ port: number; app: FastifyInstance; close(): Promise<void> }> {
  const app = await buildHttpServer(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.logger.info({ host, port }, 'http server listening');
  return { port, app, close: () => app.close() };
}
