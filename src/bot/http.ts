import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.js';

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface HttpServerOptions {
  readonly port: number;
  readonly logger: Logger;
  /** What `/healthz` reports. */
  readonly health: () => Record<string, unknown>;
  /** Extra routes by path (the Telegram webhook). */
  readonly routes?: Readonly<Record<string, HttpHandler>>;
}

/** The local HTTP server: `/healthz` and the routes given, bound to 127.0.0.1 only. */
export async function startHttpServer(options: HttpServerOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/healthz' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ ok: true, ...options.health() }));
      return;
    }
    const route = options.routes?.[path];
    if (route) {
      Promise.resolve(route(req, res)).catch((err: unknown) => {
        options.logger.error({ err, path }, 'http route failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  options.logger.info({ port }, 'http server listening on 127.0.0.1');
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
