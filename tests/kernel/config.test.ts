import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSecrets, loadConfig } from '../../src/kernel/config.js';
import { ErrorCode } from '../../src/kernel/errors.js';
import { DEFAULT_PLAYBOOK_DIR, tempDir, testConfig } from '../helpers.js';

function problemsOf(env: Record<string, string>) {
  try {
    testConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe(ErrorCode.CONFIG_INVALID);
    return (err as ConfigError).problems.map((p) => [p.variable, p.key]);
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has working defaults with nothing set: offline, Shanghai time, the shipped playbook', () => {
    const config = testConfig();
    expect(config.playbookDir).toBe(DEFAULT_PLAYBOOK_DIR);
    expect(config.dataDir).toBe(join(process.cwd(), 'data'));
    expect(config.tz).toBe('Asia/Shanghai');
    expect(config.now).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.llm).toEqual({ timeoutMs: 15_000 });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.llm)).toBe(true);
  });

  it('reports every problem in one error', () => {
    expect(
      problemsOf({
        OPSBOT_TZ: 'Mars/Olympus',
        OPSBOT_NOW: 'tomorrow',
        OPSBOT_LLM_TIMEOUT_MS: 'fast',
        OPENAI_BASE_URL: 'not a url',
        LOG_LEVEL: 'loud',
      }),
    ).toEqual([
      ['OPSBOT_TZ', 'config/invalid-tz'],
      ['OPSBOT_NOW', 'config/invalid-now'],
      ['OPSBOT_LLM_TIMEOUT_MS', 'config/invalid-timeout'],
      ['OPENAI_BASE_URL', 'config/invalid-url'],
      ['LOG_LEVEL', 'config/invalid-log-level'],
    ]);
  });

  it('refuses a model with neither a key nor a server address', () => {
    expect(problemsOf({ OPENAI_MODEL: 'gpt-4o-mini', OPENAI_EMBEDDING_MODEL: 'text-embedding-3-small' })).toEqual([
      ['OPENAI_MODEL', 'config/llm-needs-endpoint'],
      ['OPENAI_EMBEDDING_MODEL', 'config/llm-needs-endpoint'],
    ]);
  });

  it('lists schema problems and missing endpoints together, and never echoes URL credentials', () => {
    expect(problemsOf({ OPSBOT_TZ: 'bad', OPENAI_MODEL: 'm' })).toEqual([
      ['OPSBOT_TZ', 'config/invalid-tz'],
      ['OPENAI_MODEL', 'config/llm-needs-endpoint'],
    ]);
    try {
      testConfig({ OPENAI_BASE_URL: 'ftp://admin:s3cret@127.0.0.1/v1' });
    } catch (err) {
      expect(JSON.stringify((err as ConfigError).problems)).not.toContain('s3cret');
    }
  });

  it('accepts a local server without a key, and never treats the placeholder key as a secret', () => {
    const config = testConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', OPENAI_MODEL: 'qwen2.5:7b' });
    expect(config.llm.model).toBe('qwen2.5:7b');
    expect(config.llm.apiKey).toBeTruthy();
    expect(configSecrets(config)).toEqual([]);
    const withKey = testConfig({ OPENAI_API_KEY: 'sk-abcdefghijklmnopqrstuvwx', OPENAI_MODEL: 'm' });
    expect(configSecrets(withKey)).toEqual(['sk-abcdefghijklmnopqrstuvwx']);
  });

  it('treats empty values as unset and parses OPSBOT_NOW as an instant', () => {
    const config = testConfig({ OPENAI_API_KEY: '', OPENAI_MODEL: '  ', OPSBOT_NOW: '2026-11-24T09:00:00+08:00' });
    expect(config.llm.model).toBeUndefined();
    expect(config.now?.toISOString()).toBe('2026-11-24T01:00:00.000Z');
  });

  it('reads .env, with the environment winning over it', () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, '.env'), 'OPSBOT_TZ=Asia/Tokyo\nLOG_LEVEL=debug\nOPSBOT_DATA_DIR=state\n');
      const config = loadConfig({ cwd: dir, env: { LOG_LEVEL: 'warn' } });
      expect(config.tz).toBe('Asia/Tokyo');
      expect(config.logLevel).toBe('warn');
      expect(config.dataDir).toBe(join(dir, 'state'));
    } finally {
      cleanup();
    }
  });

  it('runs the platforms configured unless OPSBOT_PLATFORMS says which, and reads the shop\'s quiet hours', () => {
    const both = { TELEGRAM_BOT_TOKEN: '1:abc', WECHATY_PUPPET: 'wechaty-puppet-mock' };
    expect(testConfig(both).platforms).toEqual(['telegram', 'wechat']);
    expect(testConfig({ ...both, OPSBOT_PLATFORMS: ' wechat ' }).platforms).toEqual(['wechat']);
    expect(testConfig().platforms).toEqual([]);
    expect(testConfig().quietHours).toEqual({ start: '23:00', end: '08:00' });
    expect(testConfig({ OPSBOT_QUIET_HOURS: '00:30-07:00' }).quietHours).toEqual({ start: '00:30', end: '07:00' });
    expect(testConfig({ OPSBOT_QUIET_HOURS: 'OFF' }).quietHours).toBeNull();
    expect(problemsOf({ OPSBOT_QUIET_HOURS: '23-8', OPSBOT_PLATFORMS: 'telegram' }).map(([, key]) => key).sort()).toEqual(['config/invalid-quiet-hours', 'config/platform-not-configured']);
  });
});
