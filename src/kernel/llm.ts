import type OpenAI from 'openai';
import type { LlmConfig } from './config.js';
import { ErrorCode, OpsbotError } from './errors.js';

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** The optional model behind better answers: an OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp). */
export interface LlmService {
  readonly chatModel?: string;
  readonly embeddingModel?: string;
  /** The model's reply to `messages`; throws LLM_TIMEOUT past the configured timeout, LLM_FAILED otherwise. */
  complete(messages: readonly ChatMessage[], options?: { signal?: AbortSignal; temperature?: number }): Promise<string>;
  /** One embedding per text, in order; same errors as `complete`. */
  embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
}

/**
 * The most of a reply read from the model, in bytes: a chat answer is a few hundred characters; a batch
 * of embeddings a few megabytes. A server that sends more (a runaway generation, a misrouted download)
 * is cut off rather than held in memory.
 */
const MAX_CHAT_REPLY_BYTES = 1024 * 1024;
const MAX_EMBEDDING_REPLY_BYTES = 64 * 1024 * 1024;
/** A chat reply longer than this is no answer to a person (they are asked for a few sentences). */
const MAX_REPLY_CHARS = 20_000;

/** `fetch` that stops reading a response body past `maxBytes` (for its URL) and fails the call. */
function cappedFetch(maxBytes: (url: string) => number): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    const max = maxBytes(url);
    const tooLong = (n: number) => new Error(`the model's reply is over ${max} bytes (${n} read); not read further`);
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > max) {
      await res.body?.cancel().catch(() => {});
      throw tooLong(declared);
    }
    if (!res.body) return res;
    const reader = res.body.getReader();
    let seen = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        seen += value.byteLength;
        if (seen > max) {
          // Cancelling the body closes the connection: the rest is never received.
          await reader.cancel().catch(() => {});
          return controller.error(tooLong(seen));
        }
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/** Creates the service when a chat or embedding model is configured, otherwise `undefined`: offline. */
export function createLlm(config: LlmConfig): LlmService | undefined {
  if (!config.model && !config.embeddingModel) return undefined;
  // The SDK's defaults are a 10-minute timeout and 2 retries, and its wait before a retry honours any
  // Retry-After without a cap or our abort signal. A person is waiting and the offline answer is ready,
  // so: no retries, and one hard deadline per call.
  // The SDK is loaded on the first call, so a process that never asks the model never pays for it.
  const sdk = () => import('openai');
  let made: Promise<OpenAI> | undefined;
  const client = () =>
    (made ??= sdk().then(
      ({ default: OpenAI }) => new OpenAI({
          apiKey: config.apiKey,
          ...(config.baseURL ? { baseURL: config.baseURL } : {}),
          timeout: config.timeoutMs,
          maxRetries: 0,
          fetch: cappedFetch((url) => (/\/embeddings(\?|$)/.test(url) ? MAX_EMBEDDING_REPLY_BYTES : MAX_CHAT_REPLY_BYTES)),
        }),
    ));
  const call = async <T>(what: string, fn: (client: OpenAI, signal: AbortSignal) => Promise<T>, outer?: AbortSignal): Promise<T> => {
    // Loading the SDK is not the model's time: the deadline starts after.
    const sdkClient = await client();
    const deadline = AbortSignal.timeout(config.timeoutMs);
    const signal = outer ? AbortSignal.any([deadline, outer]) : deadline;
    const expired = new Promise<never>((_, reject) => {
      const onAbort = () => reject(new OpsbotError(ErrorCode.LLM_TIMEOUT, `${what} timed out after ${config.timeoutMs} ms`));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    expired.catch(() => {}); // settled by the race below or never looked at
    try {
      return await Promise.race([fn(sdkClient, signal), expired]);
    } catch (err) {
      if (err instanceof OpsbotError) throw err;
      const { APIConnectionTimeoutError, APIError } = await sdk();
      if (deadline.aborted || err instanceof APIConnectionTimeoutError) {
        throw new OpsbotError(ErrorCode.LLM_TIMEOUT, `${what} timed out after ${config.timeoutMs} ms`, { cause: err });
      }
      const status = err instanceof APIError ? err.status : undefined;
      throw new OpsbotError(ErrorCode.LLM_FAILED, `${what} failed: ${(err as Error).message}`, {
        cause: err,
        details: { status },
      });
    }
  };
  return {
    ...(config.model ? { chatModel: config.model } : {}),
    ...(config.embeddingModel ? { embeddingModel: config.embeddingModel } : {}),
    async complete(messages, options = {}) {
      const model = config.model;
      if (!model) throw new OpsbotError(ErrorCode.LLM_FAILED, 'no chat model configured (OPENAI_MODEL)');
      const reply = await call(
        'chat completion',
        (c, signal) =>
          c.chat.completions.create(
            { model, messages: [...messages], temperature: options.temperature ?? 0.2 },
            { signal },
          ),
        options.signal,
      );
      // A server of the wrong kind answers 200 with some other JSON: no choices is no reply.
      const content: unknown = (reply as Partial<typeof reply>).choices?.[0]?.message?.content;
      const text = typeof content === 'string' ? content.trim() : '';
      if (!text) throw new OpsbotError(ErrorCode.LLM_EMPTY_REPLY, 'the model returned an empty reply');
      if (text.length > MAX_REPLY_CHARS) throw new OpsbotError(ErrorCode.LLM_FAILED, `the model's reply has ${text.length} characters, more than ${MAX_REPLY_CHARS}`);
      return text;
    },
    async embed(texts, options = {}) {
      const model = config.embeddingModel;
      if (!model) throw new OpsbotError(ErrorCode.LLM_FAILED, 'no embedding model configured (OPENAI_EMBEDDING_MODEL)');
      const reply = await call(
        'embedding',
        (c, signal) => c.embeddings.create({ model, input: [...texts], encoding_format: 'float' }, { signal }),
        options.signal,
      );
      const data = (reply as Partial<typeof reply>).data;
      if (!Array.isArray(data)) throw new OpsbotError(ErrorCode.LLM_FAILED, 'the embedding reply has no data');
      // Every vector a list of finite numbers, all of one size: anything else would score as NaN, silently.
      const usable = (e: unknown): e is number[] => Array.isArray(e) && e.length > 0 && e.every((x) => typeof x === 'number' && Number.isFinite(x));
      if (!data.every((d) => usable(d?.embedding) && d.embedding.length === data[0]!.embedding.length)) {
        throw new OpsbotError(ErrorCode.LLM_FAILED, 'the embedding reply holds something other than vectors of one size');
      }
      const vectors = [...data].sort((a, b) => a.index - b.index).map((d) => Float32Array.from(d.embedding));
      if (vectors.length !== texts.length) {
        throw new OpsbotError(ErrorCode.LLM_FAILED, `embedding returned ${vectors.length} vectors for ${texts.length} texts`);
      }
      return vectors;
    },
  };
}

/** The first JSON object in a model's reply (models wrap it in prose or ``` fences); throws when there is none. */
export function jsonObjectIn(reply: string): unknown {
  const start = reply.indexOf('{');
  const end = reply.lastIndexOf('}');
  if (start < 0 || end <= start) throw new Error('no JSON object in the reply');
  return JSON.parse(reply.slice(start, end + 1));
}
