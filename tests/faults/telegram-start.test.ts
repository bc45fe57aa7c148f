import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, PACKAGE_ROOT, prompts, tempDir } from '../helpers.js';
import { FakeBotApi, serverError } from './telegram-api.js';

const TOKEN = '7012345678:AAHk3xQ9zLmNoPqRsTuVwXyZ0123456789';
const work = tempDir('opsbot-tg-start-');
let api: FakeBotApi;
let running: ChildProcess | undefined;

beforeAll(async () => {
  api = new FakeBotApi(TOKEN);
  await api.start();
});
afterEach(() => {
  running?.kill('SIGKILL');
  running = undefined;
});
afterAll(async () => {
  await api.stop();
  work.cleanup();
});

/** `opsbot start` against the fake Bot API, at the default log level (no LOG_LEVEL=debug). */
function start(env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin/opsbot.js'), 'start'], {
    cwd: work.dir,
    env: { PATH: process.env.PATH ?? '', OPSBOT_DATA_DIR: join(work.dir, 'data'), TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: api.apiRoot, ...env },
  });
  running = child;
  child.stdout!.on('data', (d: Buffer) => (stdout += String(d)));
  child.stderr!.on('data', (d: Buffer) => (stderr += String(d)));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Resolves when `probe` gives a value; the process's own output is what makes the test fail otherwise. */
async function until<T>(probe: () => Promise<T | undefined>, what: string, output: () => string, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const health = async (port: number) => {
  const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
  return r?.ok ? ((await r.json()) as Record<string, unknown>) : undefined;
};

/** Nothing a person should not read: no English grammY line, no stack trace, no token. */
function expectClean(text: string): void {
  expect(text).not.toContain("Call to 'getMe' failed");
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(TOKEN.split(':')[1]!);
}

describe('opsbot start when Telegram is not there', () => {
  it('a revoked token (401): said once in Chinese, Telegram stopped (no retry), /healthz not ok, the console still runs', async () => {
    const port = await freePort();
    api.calls.length = 0;
    const run = start({ TELEGRAM_BOT_TOKEN: '7012345678:REVOKEDxQ9zLmNoPqRsTuVwXyZ012345678' , OPSBOT_HTTP_PORT: String(port) });
    const output = () => run.stdout() + run.stderr();
    const h = await until(async () => {
      const body = await health(port);
      return body?.telegram === 'unauthorized' ? body : undefined;
    }, 'telegram: unauthorized', output);
    expect(h.ok).toBe(false);
    expect(run.stderr()).toContain(prompts.render('cli/telegram-unauthorized'));
    // The console and its playground keep working without Telegram.
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBeLessThan(500);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    // Over the whole life of the process: asked once, never polled, nothing sent.
    expect(api.count('getMe')).toBe(1);
    expect(api.count('getUpdates')).toBe(0);
    expect(api.count('sendMessage')).toBe(0);
    expect(run.stdout()).toContain(prompts.render('cli/platform-telegram-unauthorized'));
    expect(run.stderr().split(prompts.render('cli/telegram-unauthorized')).length - 1).toBe(1);
    expectClean(output());
  });

  for (const fault of ['500', 'unreachable'] as const) {
    it(`the Bot API ${fault === '500' ? 'answering 500' : 'unreachable'}: said in Chinese, /healthz not ok, then polling once it is back`, async () => {
      const port = await freePort();
      api.calls.length = 0;
      if (fault === '500') api.force = () => serverError(500);
      else await api.stop();
      const run = start({ OPSBOT_HTTP_PORT: String(port) });
      const output = () => run.stdout() + run.stderr();
      const h = await until(async () => {
        const body = await health(port);
        return body?.telegram === 'unreachable' ? body : undefined;
      }, 'telegram: unreachable', output);
      expect(h.ok).toBe(false);
      await until(async () => (run.stderr().includes(prompts.render('cli/telegram-unreachable')) ? true : undefined), 'the Chinese notice', output);
      // Back: it connects on its own and answers what an operator sent meanwhile.
      api.force = () => undefined;
      if (fault === 'unreachable') await api.start();
      api.text(5005, 5005, '/help');
      const back = await until(async () => {
        const body = await health(port);
        return body?.telegram === 'polling' ? body : undefined;
      }, 'telegram: polling', output);
      expect(back.ok).toBe(true);
      await until(async () => (api.sent(5005).length > 0 ? true : undefined), 'the answer', output);
      expect(run.stderr()).toContain(prompts.render('cli/telegram-back'));
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(api.sent(5005)).toHaveLength(1);
      expectClean(output());
    });
  }
});
