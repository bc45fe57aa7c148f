import { describe, expect, it } from 'vitest';
import { Reason, reasonInWords } from '../../src/bot/deliveries/reasons.js';
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

describe('reasons in words', () => {
  it('says the runtime\'s own reasons in Chinese, and keeps a platform\'s error as it was given', () => {
    for (const code of Object.values(Reason)) expect(reasonInWords(code, prompts)).toMatch(/[\u4e00-\u9fff]/);
    expect(reasonInWords(`${Reason.PAST_DEADLINE} 2026-12-01T12:00:00.000Z`, prompts)).toBe(prompts.render('delivery/reason-past-deadline'));
    expect(reasonInWords(`wechat ${Reason.NOT_RUNNING}`, prompts)).toBe(prompts.render('delivery/reason-not-running'));
    expect(reasonInWords(Reason.QUIET_SHUTDOWN, prompts)).toBe(prompts.render('delivery/reason-quiet-shutdown'));
    expect(reasonInWords('403: Forbidden: bot was kicked from the group chat', prompts)).toBe('403: Forbidden: bot was kicked from the group chat');
  });

  it('puts them in words in the operators\' summary', async () => {
    const sent: string[] = [];
    const reporter = new Reporter({ prompts, logger: silentLogger, send: async (t) => void sent.push(t), batchMs: 60_000 });
    reporter.add({ kind: 'send-expired', what: 'welcome', chat: 'r1@chatroom', reason: `${Reason.PAST_DEADLINE} 2026-12-01T12:00:00.000Z` });
    await reporter.flush();
    expect(sent[0]).toContain(prompts.render('delivery/reason-past-deadline'));
    expect(sent[0]).not.toContain('past its deadline');
  });
});
