/** The console's calls to its JSON API: the staff's token from the URL opsbot start printed, kept in this browser. */
const KEY = 'opsbot-token';

export function takeTokenFromUrl(): void {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (token) {
    localStorage.setItem(KEY, token);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
}

export const token = (): string | null => localStorage.getItem(KEY);
export const setToken = (t: string) => localStorage.setItem(KEY, t.trim());

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `demo`: the playground's sample shop (`/api/playground/…`) instead of the shop's own data. */
export async function api<T>(path: string, init: RequestInit & { demo?: boolean } = {}): Promise<T> {
  const { demo, ...rest } = init;
  const headers = new Headers(rest.headers);
  const t = token();
  if (t) headers.set('authorization', `Bearer ${t}`);
  if (rest.body && typeof rest.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const r = await fetch((demo ? '/api/playground' : '/api') + path, { ...rest, headers });
  const body = r.headers.get('content-type')?.includes('json') ? await r.json() : undefined;
  if (!r.ok) throw new ApiError(r.status, body?.error?.message ?? `HTTP ${r.status}`);
  return body as T;
}

export const post = <T>(path: string, body: unknown, demo = false) => api<T>(path, { method: 'POST', body: JSON.stringify(body), demo });

/** A picture behind the token, as a URL the page can show. */
export async function pictureUrl(path: string): Promise<string> {
  const headers = new Headers();
  const t = token();
  if (t) headers.set('authorization', `Bearer ${t}`);
  const r = await fetch(path, { headers });
  return URL.createObjectURL(await r.blob());
}

/**
 * Calls `onChange(topics)` whenever the server says something changed (server-sent events over fetch, so the token
 * stays in a header); `['*']` after a reconnect, when what changed in the gap is unknown.
 */
export function watch(demo: boolean, onChange: (topics: string[]) => void): () => void {
  const ctrl = new AbortController();
  let connects = 0;
  const run = async () => {
    for (;;) {
      try {
        const headers = new Headers();
        const t = token();
        if (t) headers.set('authorization', `Bearer ${t}`);
        const r = await fetch(demo ? '/api/playground/events' : '/api/events', { headers, signal: ctrl.signal });
        if (!r.ok || !r.body) throw new Error(String(r.status));
        // Back after a drop: what changed while the stream was away was never announced, so reload all.
        if (connects++ > 0) onChange(['*']);
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const event = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = /^data: (.*)$/m.exec(event)?.[1];
            if (data) onChange((JSON.parse(data) as { topics: string[] }).topics);
          }
        }
      } catch {
        if (ctrl.signal.aborted) return;
      }
      await new Promise((r) => setTimeout(r, 3000));
    }
  };
  void run();
  return () => ctrl.abort();
}
