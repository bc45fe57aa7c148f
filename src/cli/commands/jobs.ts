import type { Command } from 'commander';
import type { App } from '../../app/app.js';
import type { Job } from '../../bot/scheduler/types.js';
import type { Prompts } from '../../kernel/prompts.js';
import { out } from '../output.js';

/** The `jobs --json` contract: these fields in this order. */
function jobJson(j: Job): string {
  return JSON.stringify({ id: j.id, kind: j.kind, at: j.at, deadline: j.deadline, state: j.state, ...(j.reason ? { reason: j.reason } : {}) });
}

/** `opsbot jobs`: pending and recent jobs of the shared scheduler, with why any was skipped or interrupted. */
export function registerJobs(program: Command, prompts: Prompts, app: () => App): void {
  program
    .command('jobs')
    .description(prompts.render('cli/jobs-description'))
    .option('--json', prompts.render('cli/json-option'))
    .addHelpText('after', prompts.render('cli/jobs-examples'))
    .action(async (options: { json?: boolean }) => {
      // The scheduler's code is loaded by the commands that use it, not by every command the CLI knows.
      const { localTime } = await import('../../bot/scheduler/runner.js');
      const rt = app();
      const jobs = await (await rt.service('scheduler')).list();
      if (options.json) {
        for (const j of jobs) out(jobJson(j));
        return;
      }
      if (jobs.length === 0) {
        out(prompts.render('cli/jobs-none'));
        return;
      }
      const tz = rt.config.tz;
      // A kind in words where its plugin gives them (prompts/job-kind/<kind>.txt).
      const label = (kind: string) => (prompts.has(`job-kind/${kind}`) ? prompts.render(`job-kind/${kind}`) : kind);
      for (const j of jobs) {
        out(
          prompts.render('cli/jobs-line', {
            state: prompts.render(`cli/job-state-${j.state}`),
            at: localTime(j.at, tz),
            id: j.id,
            kind: j.state === 'pending' ? `${label(j.kind)}${prompts.render('cli/jobs-deadline', { deadline: localTime(j.deadline, tz) })}` : label(j.kind),
            reason: j.reason ? prompts.render('cli/jobs-reason', { reason: j.reason }) : '',
          }),
        );
      }
      const count = (...states: Job['state'][]) => jobs.filter((j) => states.includes(j.state)).length;
      out(prompts.render('cli/jobs-summary', { total: jobs.length, pending: count('pending'), running: count('running'), done: count('done'), trouble: count('skipped', 'interrupted', 'failed') }));
    });
}
