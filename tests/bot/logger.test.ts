import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskSecrets } from '../../src/bot/logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

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
    const { lines, stream } = capture();
    const logger = createLogger({ level: 'info', secrets: ['hunter2-secret'], pretty: false, destination: stream });
    logger.info(
      { apiKey: 'whatever', user: { phone: '13900001111', note: 'pw hunter2-secret' }, err: new Error('bad sk-abcdefghijklmnopqrstu') },
      'fan 13700002222 said hi',
    );
    const line = JSON.parse(lines.join('')) as Record<string, unknown>;
    const text = JSON.stringify(line);
    expect(line.msg).toBe('fan 137****2222 said hi');
    expect(line.apiKey).toBe('[REDACTED]');
    expect(text).not.toContain('13900001111');
    expect(text).not.toContain('hunter2-secret');
    expect(text).not.toContain('sk-abcdefghijklmnopqrstu');
    expect(text).toContain('139****1111');
  });
});
