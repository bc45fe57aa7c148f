import { describe, expect, it } from 'vitest';
import { ErrorCode, OpsbotError } from '../../src/kernel/errors.js';
import { createLogger, maskSecrets } from '../../src/kernel/logger.js';
import { memoryStream } from '../helpers.js';

describe('maskSecrets', () => {
  it.each([
    ['key sk-proj-abcdefghijklmnop1234 leaked', 'key [REDACTED] leaked'],
    ['token 123456789:AAHk3j4k5l6m7n8o9p0qrstuvwxyzABCDEF', 'token [REDACTED]'],
    ['call 13812345678 now', 'call 138****5678 now'],
    ['Authorization: Bearer abc.def.ghi-jkl', 'Authorization: Bearer [REDACTED]'],
    ['puppet insecure_0123456789abcdef', 'puppet [REDACTED]'],
    ['order 202611241234567890 is not a phone', 'order 202611241234567890 is not a phone'],
  ])('%s', (input, expected) => {
    expect(maskSecrets(input)).toBe(expected);
  });

  it('masks configured secrets that match no pattern', () => {
    expect(maskSecrets('the key is local-key-42', ['local-key-42'])).toBe('the key is [REDACTED]');
  });
});

describe('createLogger', () => {
  it('masks secrets in message text, nested fields and errors, and redacts key fields', () => {
    const { lines, stream } = memoryStream();
    const logger = createLogger({ level: 'info', secrets: ['hunter2-secret'], pretty: false, destination: stream });
    logger.info(
      { apiKey: 'whatever', user: { phone: '13900001111', note: 'pw hunter2-secret' }, err: new Error('bad sk-abcdefghijklmnopqrstu') },
      'fan 13700002222 said hi',
    );
    const line = lines()[0]!;
    const text = JSON.stringify(line);
    expect(line.msg).toBe('fan 137****2222 said hi');
    expect(line.apiKey).toBe('[REDACTED]');
    expect(text).not.toContain('13900001111');
    expect(text).not.toContain('hunter2-secret');
    expect(text).not.toContain('sk-abcdefghijklmnopqrstu');
    expect(text).toContain('139****1111');
  });
});

describe('logged errors', () => {
  it('keep their type, code, stack and cause, masked', () => {
    const { lines, stream } = memoryStream();
    const logger = createLogger({ level: 'info', pretty: false, destination: stream });
    const cause = new Error('upstream said 500 for key sk-abcdefghijklmnopqrstu');
    logger.warn({ err: new OpsbotError(ErrorCode.LLM_FAILED, 'chat completion failed', { cause, details: { status: 500 } }) }, 'fallback');
    const err = lines()[0]!.err as Record<string, unknown>;
    expect(err.type).toBe('OpsbotError');
    expect(err.code).toBe(ErrorCode.LLM_FAILED);
    expect(err.details).toEqual({ status: 500 });
    expect(String(err.stack)).toContain('chat completion failed');
    expect(JSON.stringify(err)).toContain('upstream said 500 for key [REDACTED]');
  });
});
