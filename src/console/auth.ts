import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteAccess } from '../bot/http.js';
import { isLoopback, type Config } from '../kernel/config.js';
import type { Prompts } from '../kernel/prompts.js';

/** The console's sign-in tokens: the staff's (operators) and, when set, the agents'. */
export interface ConsoleTokens {
  readonly admin: string;
  readonly agent?: string;
  /** Where a generated token is kept (owner-only); absent when OPSBOT_HTTP_TOKEN gives it. */
  readonly file?: string;
}

/** The file under the data dir that holds a generated token. */
export const TOKEN_FILE = 'console-token';

/**
 * OPSBOT_HTTP_TOKEN, or the token generated at the first start and kept owner-only (0600) under the
 * data dir, as Jupyter does: the same URL keeps working across restarts.
 */
export function consoleTokens(config: Config): ConsoleTokens {
  const agent = config.httpAgentToken ? { agent: config.httpAgentToken } : {};
  if (config.httpToken) return { admin: config.httpToken, ...agent };
  const file = join(config.dataDir, TOKEN_FILE);
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (/^[\x21-\x7e]{16,256}$/.test(kept)) {
      chmodSync(file, 0o600);
      return { admin: kept, file, ...agent };
    }
  }
  mkdirSync(config.dataDir, { recursive: true });
  const admin = randomBytes(24).toString('hex');
  try {
    // `wx`: of two processes starting at once, one writes and the other reads what it wrote.
    writeFileSync(file, `${admin}\n`, { mode: 0o600, flag: existsSync(file) ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return consoleTokens(config);
    throw err;
  }
  chmodSync(file, 0o600);
  return { admin, file, ...agent };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The role a request's `Authorization: Bearer <token>` signs in as, or undefined. */
export function roleOf(header: string | undefined, tokens: ConsoleTokens): 'admin' | 'agent' | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  if (same(m[1]!, tokens.admin)) return 'admin';
  if (tokens.agent && same(m[1]!, tokens.agent)) return 'agent';
  return undefined;
}

/**
 * The sign-in check run before every route: pages, `/healthz`, `/api/openapi.json` and the webhook are
 * public; the playground too while the server is bound to loopback; every other `/api` route needs a
 * token of a role the route allows (401 without or with a wrong one, 403 for too small a role).
 */
export function signInHook(tokens: ConsoleTokens, host: string, prompts: Prompts) {
  const loopback = isLoopback(host);
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const path = req.url.split('?')[0] ?? '';
    if (!path.startsWith('/api/') && path !== '/api') return;
    const access = req.routeOptions.config as Partial<RouteAccess> | undefined;
    if (access?.role === 'public') return;
    if (loopback && (path === '/api/playground' || path.startsWith('/api/playground/'))) return;
    const role = roleOf(req.headers.authorization, tokens);
    if (!role) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: { code: 'OPSBOT_ERR_HTTP_UNAUTHORIZED', message: prompts.render('console/unauthorized') } });
      return reply;
    }
    const needs = access?.role ?? 'admin';
    if (needs === 'admin' && role !== 'admin') {
      await reply.code(403).send({ error: { code: 'OPSBOT_ERR_HTTP_FORBIDDEN', message: prompts.render('console/forbidden') } });
      return reply;
    }
    (req as FastifyRequest & { consoleRole?: string }).consoleRole = role;
    return undefined;
  };
}
