import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One way an OpenAI-compatible endpoint goes wrong (or right), answered to every request. */
export type ModelFault =
  | { kind: 'json'; status?: number; body: unknown; delayMs?: number }
  | { kind: 'raw'; status?: number; contentType?: string; body: string }
  /** A chat completion whose content is `bytes` of filler, streamed as the client reads it. */
  | { kind: 'huge'; bytes: number }
  /** The connection is cut before any answer. */
  | { kind: 'reset' }
  /** Embeddings of `dims` dimensions for every input (a real model's shape), chat answered with `chat`. */
  | { kind: 'embeddings'; dims: number };

export interface FakeModel {
  readonly url: string;
  /** Requests seen. */
  readonly requests: { path: string; body: unknown }[];
  /** For `huge`: bytes written before the client stopped reading or the body ended, and whether the client hung up first. */
  readonly huge: { written: number; cutByClient: boolean }[];
  fault: ModelFault;
  close(): Promise<void>;
}

/** A chat completion in the OpenAI wire format. */
export const completion = (content: unknown, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-fault',
  object: 'chat.completion',
  created: 0,
  model: 'test-model',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  ...extra,
});

async function stream(res: ServerResponse, bytes: number, record: { written: number; cutByClient: boolean }): Promise<void> {
  const head = JSON.stringify(completion('X')).split('"X"');
  const chunk = '垃'.repeat(21_845); // 65,535 bytes of UTF-8
  res.writeHead(200, { 'content-type': 'application/json' });
  let closed = false;
  res.on('close', () => {
    closed = true;
    if (!res.writableFinished) record.cutByClient = true;
  });
  const write = (s: string) =>
    new Promise<void>((resolve) => {
      record.written += Buffer.byteLength(s);
      if (res.write(s)) resolve();
      else {
        // Whichever comes first; the other listener goes, so a long stream does not pile them up.
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      }
    });
  await write(`${head[0]}"`);
  while (!closed && record.written < bytes) await write(chunk);
  if (!closed) res.end(`"${head[1]}`);
}

/** An OpenAI-compatible server on 127.0.0.1 that answers with `fault` (changeable between calls). */
export async function startFakeModel(fault: ModelFault): Promise<FakeModel> {
  const requests: FakeModel['requests'] = [];
  const huge: FakeModel['huge'] = [];
  const state = { fault };
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += String(c)));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', body: data ? (JSON.parse(data) as unknown) : undefined });
      const f = state.fault;
      if (f.kind === 'reset') return void req.socket.destroy();
      if (f.kind === 'embeddings') {
        const input = ((requests.at(-1)!.body as { input?: string[] }).input ?? []) as string[];
        const data = input.map((text, index) => ({ object: 'embedding', index, embedding: Array.from({ length: f.dims }, (_, d) => ((text.codePointAt(d % Math.max(1, text.length)) ?? 1) % 97) / 97) }));
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ object: 'list', model: 'e', data, usage: { prompt_tokens: 1, total_tokens: 1 } }));
      }
      if (f.kind === 'huge') {
        const record = { written: 0, cutByClient: false };
        huge.push(record);
        return void stream(res, f.bytes, record);
      }
      const send = () => {
        if (res.destroyed) return;
        if (f.kind === 'raw') {
          res.writeHead(f.status ?? 200, { 'content-type': f.contentType ?? 'application/json' });
          res.end(f.body);
        } else {
          res.writeHead(f.status ?? 200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(f.body));
        }
      };
      if (f.kind === 'json' && f.delayMs) setTimeout(send, f.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    huge,
    get fault() {
      return state.fault;
    },
    set fault(f: ModelFault) {
      state.fault = f;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
