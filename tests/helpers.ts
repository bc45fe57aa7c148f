import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { App, type RuntimeTuning } from '../src/app/app.js';
import { startBot, type Bot, type StartOptions } from '../src/app/bot.js';
import type { KnowledgeBase } from '../src/knowledge/knowledge-base.js';
import { loadConfig, type Config } from '../src/kernel/config.js';
import { Prompts } from '../src/kernel/prompts.js';
import type { Delivery } from '../src/bot/deliveries/types.js';
import type { Store } from '../src/bot/store/index.js';
import { DEFAULT_PLAYBOOK_DIR, PACKAGE_ROOT } from '../src/kernel/paths.js';

export { DEFAULT_PLAYBOOK_DIR, PACKAGE_ROOT };

/** A logger that writes nowhere. */
export const silentLogger = pino({ level: 'silent' });

/** The project's real prompt catalogue. */
export const prompts = Prompts.load();

/**
 * A fresh temporary folder, removed by the returned cleanup. Its name is the prefix and lower-case hex:
 * mkdtemp's mixed-case suffix could spell a raw error code ("…-M5EEHX/") in a message naming the path,
 * and the tests that check no raw code reaches a person would fail by chance.
 */
export function tempDir(prefix = 'opsbot-test-'): { dir: string; cleanup: () => void } {
  for (;;) {
    const dir = join(tmpdir(), `${prefix}${randomBytes(6).toString('hex')}`);
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }
}

/** A config built from the given variables only (no `.env`, no process environment). */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ env, envFile: false });
}

/** A writable stream that keeps JSON log lines, parsed, for assertions. */
export function memoryStream(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      raw.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => raw.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** A pino logger that keeps its lines (parsed) for assertions. */
export function captureLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const { stream, lines } = memoryStream();
  return { logger: pino({ level: 'debug' }, stream), lines };
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** Wait this long before answering (a slow model). */
  delayMs?: number;
  json?: unknown;
}

export interface FakeOpenAiOptions {
  chat?: (body: { model: string; messages: { role: string; content: string }[] }) => FakeReply;
  embeddings?: (body: { model: string; input: string[] }) => FakeReply;
}

export interface FakeOpenAi {
  /** Base URL for OPENAI_BASE_URL, ending in /v1. */
  readonly url: string;
  readonly requests: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

/** A chat completion reply in the OpenAI wire format. */
export function chatReply(content: string): FakeReply {
  return {
    json: {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 0,
      model: 'test-model',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    },
  };
}

/**
 * A deterministic embedding: character bigrams hashed into 64 dimensions, so texts that share words
 * get similar vectors, as with a real model.
 */
export function fakeEmbedding(text: string): number[] {
  const v = new Array<number>(64).fill(0);
  const chars = [...text.replace(/\s+/g, '')];
  for (let i = 0; i + 1 < chars.length; i++) {
    let h = 2166136261;
    for (const c of chars[i]! + chars[i + 1]!) h = Math.imul(h ^ c.codePointAt(0)!, 16777619);
    v[(h >>> 0) % 64]! += 1;
  }
  return v;
}

export function embeddingsReply(input: string[]): FakeReply {
  return {
    json: {
      object: 'list',
      model: 'test-embedding',
      data: input.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text) })),
      usage: { prompt_tokens: 1, total_tokens: 1 },
    },
  };
}

/** Starts an OpenAI-compatible HTTP server on 127.0.0.1 (chat completions and embeddings) for the real SDK to call. */
export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const requests: FakeOpenAi['requests'] = [];
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += String(c)));
    req.on('end', () => {
      const body = (data ? JSON.parse(data) : {}) as Record<string, unknown>;
      const path = req.url ?? '';
      requests.push({ path, body });
      let reply: FakeReply;
      if (path.endsWith('/chat/completions')) {
        reply = options.chat ? options.chat(body as never) : chatReply('好的。');
      } else if (path.endsWith('/embeddings')) {
        const input = (Array.isArray(body.input) ? body.input : [body.input]) as string[];
        reply = options.embeddings ? options.embeddings({ model: String(body.model), input }) : embeddingsReply(input);
      } else {
        reply = { status: 404, json: { error: { message: 'not found' } } };
      }
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        res.end(JSON.stringify(reply.json ?? { error: { message: 'fake error', type: 'server_error' } }));
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The Store contract in memory, on Date.now (so fake timers drive expiry): for tests of code above the store. */
export function memoryStore(): Store & { keys(): string[] } {
  const data = new Map<string, { value: unknown; expires: number }>();
  const live = (key: string) => {
    const e = data.get(key);
    if (e && e.expires <= Date.now()) data.delete(key);
    return data.get(key);
  };
  const expires = (ttlMs?: number) => (ttlMs && ttlMs > 0 ? Date.now() + ttlMs : Infinity);
  return {
    kind: 'sqlite',
    keys: () => [...data.keys()].filter((k) => live(k)),
    get: async <T>(key: string) => live(key)?.value as T | undefined,
    set: async (key, value, ttlMs) => void data.set(key, { value, expires: expires(ttlMs) }),
    delete: async (key) => data.delete(key),
    list: async <T>(prefix: string) =>
      [...data.keys()]
        .filter((k) => k.startsWith(prefix) && live(k))
        .sort()
        .map((k) => [k, data.get(k)!.value as T] as [string, T]),
    // Atomic keys live apart from plain values, as on the real stores: delete() does not free them.
    setIfAbsent: async (key, ttlMs) => (live(`atomic:${key}`) ? false : (data.set(`atomic:${key}`, { value: 1, expires: expires(ttlMs) }), true)),
    release: async (key) => Boolean(live(`atomic:${key}`)) && data.delete(`atomic:${key}`),
    increment: async (key, by = 1, ttlMs) => {
      const e = live(`atomic:${key}`);
      const value = ((e?.value as number | undefined) ?? 0) + by;
      data.set(`atomic:${key}`, { value, expires: e?.expires ?? expires(ttlMs) });
      return value;
    },
    // Pools are the real stores' (tests/bot/store/pools.test.ts); nothing above the store tested here uses them.
    pools: new Proxy({} as Store['pools'], {
      get: () => () => Promise.reject(new Error('the memory store has no pools')),
    }),
    close: async () => {},
    tables: memoryTables(),
  };
}

/** The delivery log in memory; the scheduler and outbox need a real store (SQLite in a temp dir, or Redis). */
function memoryTables(): Store['tables'] {
  const deliveries: Delivery[] = [];
  const unsupported = () => {
    throw new Error('the memory store has no jobs or outbox tables: open a SQLite store in a temp dir');
  };
  return {
    kind: 'sqlite',
    deliveries: {
      async record(d) {
        const i = deliveries.findIndex((x) => x.id === d.id);
        if (i >= 0) deliveries.splice(i, 1);
        deliveries.push(d);
      },
      async list(q = {}) {
        return deliveries
          .filter((d) => (!q.since || Date.parse(d.at) >= q.since.getTime()) && (q.chat === undefined || d.chat === q.chat) && (!q.source || d.source.startsWith(q.source)))
          .reverse()
          .slice(0, q.limit ?? 100);
      },
      async get(id) {
        return deliveries.find((d) => d.id === id);
      },
    },
    jobs: new Proxy({}, { get: unsupported }) as never,
    outbox: new Proxy({}, { get: unsupported }) as never,
    processes: new Proxy({}, { get: unsupported }) as never,
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The `opsbot` entry point, run as `node bin/opsbot.js` by the CLI tests. */
export const OPSBOT_BIN = join(PACKAGE_ROOT, 'bin', 'opsbot.js');

/** What a person must never see: a stack trace. */
export const STACK_TRACE = /\n\s+at .+:\d+:\d+/;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `opsbot` in `cwd` with only the variables given (no .env, no model), data under `cwd/data`. */
export function runOpsbot(args: readonly string[], cwd: string, env: Record<string, string> = {}, input?: string): Promise<CliRun> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', OPSBOT_DATA_DIR: join(cwd, 'data') };
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [OPSBOT_BIN, ...args], { cwd, env: { ...base, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    // What is typed (piped) in; without it stdin is closed at once.
    child.stdin?.end(input ?? '');
  });
}

export interface TestBotOptions {
  readonly knowledge?: KnowledgeBase;
  readonly tuning?: RuntimeTuning;
  readonly start?: StartOptions;
  readonly logger?: Logger;
}

/**
 * The app (no model, the shop's plugins) and a bot started from it, with the given variables only: no
 * HTTP server and no platform unless asked for, and the outbox polled often so tests never wait long.
 */
export async function testBot(env: Record<string, string>, options: TestBotOptions = {}): Promise<{ app: App; bot: Bot }> {
  const app = new App({
    config: testConfig(env),
    prompts,
    logger: options.logger ?? silentLogger,
    llm: null,
    ...(options.knowledge ? { knowledge: options.knowledge } : {}),
    tuning: { pollMs: 50, ...options.tuning },
  });
  const bot = await startBot(app, { platforms: [], http: false, ...options.start });
  return { app, bot };
}

/** Polls `probe` until it gives a value (not undefined or false), or fails after `timeoutMs`. */
export async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 30));
  }
}
