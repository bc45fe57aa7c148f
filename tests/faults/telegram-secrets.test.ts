import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/cli/output.js';
import { ConfigError, configSecrets, loadConfig } from '../../src/kernel/config.js';
import { createLogger } from '../../src/kernel/logger.js';
import { memoryStream, PACKAGE_ROOT, prompts, tempDir, testBot, testConfig, until } from '../helpers.js';
import { FakeBotApi, kicked } from './telegram-api.js';

/** True when any 6 characters in a row of `secret` (past a common scheme or bot id) show up in `text`. */
function leaks(text: string, secret: string): boolean {
  for (let i = 0; i + 6 <= secret.length; i++) if (text.includes(secret.slice(i, i + 6))) return true;
  return false;
}

// A value slipped into .env with a stray quote or space, the secret part being what must not show.
const CASES: { name: string; value: string; secret: string }[] = [
  { name: 'TELEGRAM_BOT_TOKEN', value: `7012345678:AAHk3xQ9zLmNoPqRsTuVwXyZ012345678ab'`, secret: 'AAHk3xQ9zLmNoPqRsTuVwXyZ012345678ab' },
  { name: 'OPENAI_API_KEY', value: '"sk-proj-Q1w2E3r4T5y6U7i8O9p0AsDfGhJk', secret: 'sk-proj-Q1w2E3r4T5y6U7i8O9p0AsDfGhJk' },
  { name: 'OPSBOT_HTTP_TOKEN', value: 'c0nsole-Token Hunter2-xyz', secret: 'c0nsole-Token' },
  { name: 'OPSBOT_HTTP_AGENT_TOKEN', value: `agentTokenXyz9876543'`, secret: 'agentTokenXyz9876543' },
  { name: 'TELEGRAM_WEBHOOK_SECRET', value: 'hook-Secret-42/abc', secret: 'hook-Secret-42' },
  { name: 'REDIS_URL', value: 'redis//:RedisPa55word@127.0.0.1:6379', secret: 'RedisPa55word' },
  { name: 'REDIS_URL', value: 'http://opsbot:RedisPa55word@10.0.0.2:6379', secret: 'RedisPa55word' },
  { name: 'WECHATY_PUPPET_SERVICE_TOKEN', value: 'puppet_workpro_9f8e7d6c5b4a"', secret: 'workpro_9f8e7d6c5b4a' },
];

describe('a secret with a typo in the configuration', () => {
  for (const c of CASES) {
    it(`${c.name}=${c.value.slice(0, 4)}…: refused, the error names the variable and shows no more than a masked form`, () => {
      let caught: unknown;
      try {
        loadConfig({ env: { [c.name]: c.value, ...(c.name === 'WECHATY_PUPPET_SERVICE_TOKEN' ? { WECHATY_PUPPET: 'wechaty-puppet-service' } : {}) }, envFile: false });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      const { message, exitCode } = describeError(caught, prompts);
      expect(exitCode).toBe(1);
      expect(message).toContain(c.name);
      expect(leaks(message, c.secret)).toBe(false);
      // Nor in what a debug log of the error would carry.
      expect(leaks(JSON.stringify({ message: (caught as Error).message, details: (caught as ConfigError).details }), c.secret)).toBe(false);
    });
  }

  it('the CLI says it on stderr in Chinese, exit code 1, with the stray quote pointed out and the token masked', () => {
    const work = tempDir('opsbot-secret-');
    try {
      const token = CASES[0]!;
      const run = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin/opsbot.js'), 'start'], {
        cwd: work.dir,
        env: { PATH: process.env.PATH ?? '', OPSBOT_DATA_DIR: join(work.dir, 'data'), LOG_LEVEL: 'trace', TELEGRAM_BOT_TOKEN: token.value },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('TELEGRAM_BOT_TOKEN');
      expect(run.stderr).toContain('引号');
      expect(leaks(run.stderr, token.secret)).toBe(false);
    } finally {
      work.cleanup();
    }
  });
});

describe('the log never carries a configured secret', () => {
  it('at trace level, in messages, fields and errors (with causes)', () => {
    const config = loadConfig({
      env: {
        TELEGRAM_BOT_TOKEN: '7012345678:short-Tok3n',
        OPENAI_API_KEY: 'local-key-Q1w2E3r4',
        OPENAI_MODEL: 'qwen',
        OPSBOT_HTTP_TOKEN: 'c0nsole-Token-Hunter2',
        OPSBOT_HTTP_AGENT_TOKEN: 'agentTokenXyz9876543',
        TELEGRAM_WEBHOOK_SECRET: 'hook-Secret-42',
        REDIS_URL: 'redis://:RedisPa55word@127.0.0.1:6379',
        WECHATY_PUPPET: 'wechaty-puppet-service',
        WECHATY_PUPPET_SERVICE_TOKEN: 'tok-workpro-9f8e7d6c5b4a',
      },
      envFile: false,
    });
    const secrets = configSecrets(config);
    expect(secrets).toEqual(expect.arrayContaining(['7012345678:short-Tok3n', 'local-key-Q1w2E3r4', 'c0nsole-Token-Hunter2', 'agentTokenXyz9876543', 'hook-Secret-42', 'RedisPa55word', 'tok-workpro-9f8e7d6c5b4a']));
    const { stream, lines } = memoryStream();
    const logger = createLogger({ level: 'trace', secrets, destination: stream });
    for (const s of secrets) {
      const cause = new Error(`request to https://api.telegram.org/bot${s}/getMe failed, reason: connect ECONNREFUSED`);
      logger.trace({ url: `https://x/${s}`, nested: { list: [s] }, err: new Error(`Call to 'getMe' failed! (${s})`, { cause }) }, `calling with ${s}`);
    }
    const text = JSON.stringify(lines());
    expect(lines()).toHaveLength(secrets.length);
    for (const s of secrets) expect(text).not.toContain(s);
  });
});

describe('the log at trace level while Telegram fails and recovers', () => {
  it('has the failures, and neither the token nor its secret part', async () => {
    const token = '7012345678:AAHk3xQ9zLmNoPqRsTuVwXyZ0123456789';
    const api = new FakeBotApi(token);
    await api.start();
    await api.stop(); // away at first: the network error names the URL, token included
    const data = tempDir('opsbot-secret-trace-');
    const env = { TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: api.apiRoot, OPSBOT_DATA_DIR: data.dir, LOG_LEVEL: 'trace', OPSBOT_ADMINS: 'telegram:1001' };
    const { stream, lines } = memoryStream();
    const logger = createLogger({ level: 'trace', secrets: configSecrets(testConfig(env)), destination: stream });
    const { app, bot } = await testBot(env, { logger, start: { platforms: ['telegram'], telegram: { retryMs: 50, pacing: { gap: [0, 0], chatSwitchGap: [0, 0] } } } });
    try {
      expect(bot.telegram?.status).toBe('unreachable');
      await api.start();
      await until(() => bot.telegram?.status === 'polling');
      api.force = (method, payload) => (method === 'sendMessage' && Number(payload.chat_id) < 0 ? kicked : undefined);
      api.text(1001, 1001, '/help');
      api.text(-200, 1001, '/help');
      await until(() => api.sent(1001).length > 0 && api.calls.some((c) => c.status === 403));
      await until(() => lines().some((l) => l.status === 'failed'));
    } finally {
      await bot.close();
      await app.close();
      await api.stop();
      data.cleanup();
    }
    const text = JSON.stringify(lines());
    expect(text).toContain('telegram: the Bot API cannot be reached');
    expect(text).toContain('Forbidden: bot was kicked');
    expect(text).not.toContain(token);
    expect(leaks(text, token.split(':')[1]!)).toBe(false);
  });
});
