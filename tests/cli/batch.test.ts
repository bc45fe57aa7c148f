import { describe, expect, it } from 'vitest';
import { MAX_LINE_CHARS, runBatch } from '../../src/cli/batch.js';
import { ErrorCode, type UserFacingError } from '../../src/kernel/errors.js';

describe('a batch line limit counts characters as a person does', () => {
  it('takes a line of exactly MAX_LINE_CHARS emoji, and refuses one more saying how many characters', async () => {
    const exact = '😀'.repeat(MAX_LINE_CHARS);
    const over = `${exact}😀`;
    const handled: string[] = [];
    const refused: UserFacingError[] = [];
    const failures = await runBatch(
      [exact, over],
      'test',
      async (line) => {
        handled.push(line);
      },
      (_echo, err) => refused.push(err),
    );
    expect(handled).toEqual([exact]);
    expect(failures).toBe(1);
    expect(refused[0]).toMatchObject({ code: ErrorCode.CLI_BATCH_LINE_TOO_LONG, params: { n: 2, length: MAX_LINE_CHARS + 1, max: MAX_LINE_CHARS } });
  });
});
