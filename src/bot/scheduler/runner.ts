import type { Logger } from '../../kernel/logger.js';
import type { Prompts } from '../../kernel/prompts.js';
import { politeFailure } from '../boundary.js';
import type { Reporter } from '../reports.js';
import { CATCH_UP_MS, type Job, type JobHandler, type JobState } from './types.js';

/** How a claimed job ended. */
export interface RunOutcome {
  readonly state: Extract<JobState, 'done' | 'skipped' | 'failed' | 'interrupted'>;
  readonly reason?: string;
}

export interface RunnerOptions {
  readonly handlers: ReadonlyMap<string, JobHandler>;
  readonly prompts: Prompts;
  readonly logger: Logger;
  readonly tz: string;
  readonly now: () => number;
  readonly reporter?: Reporter;
}

/** `12月1日 20:00` in the shop's time zone. */
export function localTime(iso: string, tz: string): string {
  return new Intl.DateTimeFormat('zh-CN', { timeZone: tz, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/**
 * Runs a job a process has claimed, the same on every backend: past its deadline, or due more than the
 * 10-minute catch-up window ago, it is skipped with the reason; else its kind's handler runs inside the
 * error boundary. What is skipped or failed is reported to the operators.
 */
export async function runClaimed(job: Job, options: RunnerOptions): Promise<RunOutcome> {
  const { prompts, reporter } = options;
  const log = options.logger.child({ job: job.id, kind: job.kind });
  const now = options.now();
  const late = now - Date.parse(job.at);
  const end = (outcome: RunOutcome): RunOutcome => {
    const level = outcome.state === 'done' ? 'info' : 'warn';
    log[level]({ state: outcome.state, reason: outcome.reason, lateMs: Math.max(0, late) }, 'job ended');
    if (outcome.state !== 'done') reporter?.add({ kind: `job-${outcome.state}`, what: job.id, reason: outcome.reason ?? '' });
    return outcome;
  };
  if (now > Date.parse(job.deadline)) {
    return end({ state: 'skipped', reason: prompts.render('scheduler/reason-deadline', { deadline: localTime(job.deadline, options.tz) }) });
  }
  if (late > CATCH_UP_MS) {
    return end({ state: 'skipped', reason: prompts.render('scheduler/reason-late', { minutes: Math.round(late / 60_000), window: CATCH_UP_MS / 60_000 }) });
  }
  const handler = options.handlers.get(job.kind);
  if (!handler) return end({ state: 'failed', reason: prompts.render('scheduler/reason-no-handler', { kind: job.kind }) });
  try {
    const result = await handler(job, { logger: log, lateMs: Math.max(0, late) });
    return end({ state: 'done', ...(result?.note ? { reason: result.note } : {}) });
  } catch (err) {
    return end({ state: 'failed', reason: prompts.render('scheduler/reason-failed', { message: politeFailure(err, prompts, log, 'job failed', { staff: true }) }) });
  }
}

/** The default deadline: the catch-up window after the job's time. */
export function defaultDeadline(at: Date): Date {
  return new Date(at.getTime() + CATCH_UP_MS);
}
