import { describe, expect, it } from 'vitest';
import { Reporter } from '../../src/bot/reports.js';
import { prompts, silentLogger } from '../helpers.js';

describe('the operators\' summary', () => {
  it('gathers what happens together into one message, at most 20 lines and a count of the rest', async () => {
    const sent: string[] = [];
    const reporter = new Reporter({ prompts, logger: silentLogger, send: async (t) => void sent.push(t), batchMs: 60_000 });
    for (let i = 0; i < 23; i++) reporter.add({ kind: 'send-expired', what: `live:1:reminder:${i}m`, chat: 'r1@chatroom', reason: '已过截止时间' });
    reporter.add({ kind: 'job-interrupted', what: 'live:1:onair', reason: '运行它的进程中途退出了' });
    await reporter.flush();
    expect(sent).toHaveLength(1);
    const lines = sent[0]!.split('\n');
    expect(lines[0]).toBe(prompts.render('report/header', { count: 24 }));
    expect(lines).toHaveLength(1 + 20 + 1);
    expect(lines.at(-1)).toBe(prompts.render('report/more', { count: 4 }));
    expect(lines[1]).toContain('过期未发');
    expect(lines[1]).toContain('r1@chatroom');
  });

  it('sends nothing for nothing, and after close only logs', async () => {
    const sent: string[] = [];
    const reporter = new Reporter({ prompts, logger: silentLogger, send: async (t) => void sent.push(t), batchMs: 10 });
    await reporter.flush();
    await reporter.close();
    reporter.add({ kind: 'job-skipped', what: 'x', reason: 'y' });
    await new Promise((r) => setTimeout(r, 50));
    await reporter.flush();
    expect(sent).toEqual([]);
  });
});
