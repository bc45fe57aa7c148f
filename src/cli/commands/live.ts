import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { App } from '../../app/app.js';
import { isoInZone, localDayTime } from '../../kernel/clock.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { LiveInput, LiveMessage, LiveSession } from '../../skills/live/session.js';
import { failAsJson, note, out } from '../output.js';

interface ScheduleOptions {
  title: string;
  start: string;
  theme?: string;
  offers?: string;
  products?: string;
  groups?: string;
  reminders?: string;
  duration?: string;
  link?: string;
  host?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** The `live schedule --json` contract: id, messages (kind, at with the shop's offset, text), poster; then extras. */
function planJson(app: App, id: string | null, messages: readonly LiveMessage[], poster: string, warnings: readonly string[]): string {
  const iso = (at: string) => isoInZone(new Date(at), app.config.tz);
  return JSON.stringify({ id, messages: messages.map((m) => ({ kind: m.kind, at: iso(m.at), text: m.text, ...(m.lead !== undefined ? { lead: m.lead } : {}) })), poster, warnings });
}

function sessionJson(app: App, s: LiveSession): string {
  return JSON.stringify({
    id: s.id,
    title: s.title,
    start: isoInZone(new Date(s.start), app.config.tz),
    end: isoInZone(new Date(s.end), app.config.tz),
    status: s.status,
    groups: s.groups.map((g) => g.name),
    messages: s.messages.map((m) => ({ kind: m.kind, at: isoInZone(new Date(m.at), app.config.tz), ...(m.lead !== undefined ? { lead: m.lead } : {}) })),
    poster: s.poster ?? null,
  });
}

/** The plan for a person: each message's time and name, the groups, the poster, the warnings (stderr). */
async function showPlan(app: App, prompts: Prompts, title: string, id: string | null, messages: readonly LiveMessage[], groups: readonly string[], poster: string, warnings: readonly string[]): Promise<void> {
  // The live skill's code is loaded by these commands only, not by every command the CLI knows.
  const { messageName } = await import('../../skills/live/plan.js');
  out(prompts.render(id ? 'cli/live-scheduled' : 'cli/live-dry-run', { title, id: id ?? '' }));
  for (const m of messages) out(prompts.render('cli/live-plan-line', { at: shortTime(m.at, app.config.tz), what: messageName(m, prompts) }));
  out(prompts.render('cli/live-groups', { count: groups.length, groups: groups.join(prompts.render('cli/list-separator')) || '-' }));
  out(prompts.render('cli/live-poster', { poster }));
  for (const w of warnings) note(w);
}

/** `opsbot live schedule|list|cancel|reschedule`: lives planned from the command line. */
export function registerLive(program: Command, prompts: Prompts, app: () => App): void {
  const live = program.command('live').description(prompts.render('cli/live-description')).addHelpText('after', prompts.render('cli/live-examples'));

  live
    .command('schedule')
    .description(prompts.render('cli/live-schedule-description'))
    .requiredOption('--title <title>', prompts.render('cli/live-title-option'))
    .requiredOption('--start <"YYYY-MM-DD HH:mm">', prompts.render('cli/live-start-option'))
    .option('--theme <theme>', prompts.render('cli/live-theme-option'))
    .option('--offers <"a;b">', prompts.render('cli/live-offers-option'))
    .option('--products <"a,b">', prompts.render('cli/live-products-option'))
    .option('--groups <"g1,g2">', prompts.render('cli/live-groups-option'))
    .option('--reminders <60m,10m>', prompts.render('cli/live-reminders-option'))
    .option('--duration <2h>', prompts.render('cli/live-duration-option'))
    .option('--link <url>', prompts.render('cli/live-link-option'))
    .option('--host <name>', prompts.render('cli/live-host-option'))
    .option('--dry-run', prompts.render('cli/live-dry-run-option'))
    .option('--json', prompts.render('cli/json-option'))
    .addHelpText('after', prompts.render('cli/live-schedule-examples'))
    .action(async (o: ScheduleOptions) => {
      const { splitList } = await import('../../skills/live/session.js');
      const rt = app();
      const lives = await rt.service('lives');
      const input: LiveInput = {
        title: o.title,
        start: o.start,
        ...(o.theme ? { theme: o.theme } : {}),
        offers: splitList(o.offers, /[;；\n]/),
        products: splitList(o.products),
        ...(o.groups ? { groups: splitList(o.groups) } : {}),
        ...(o.reminders ? { reminders: o.reminders } : {}),
        ...(o.duration ? { duration: o.duration } : {}),
        ...(o.link ? { link: o.link } : {}),
        ...(o.host ? { host: o.host } : {}),
      };
      try {
        if (o.dryRun) {
          const preview = await lives.preview(input);
          const poster = join(tmpdir(), `opsbot-live-preview-${process.pid}-${Date.now()}.png`);
          await writeFile(poster, preview.poster);
          if (o.json) return out(planJson(rt, null, preview.messages, poster, preview.plan.warnings));
          return await showPlan(rt, prompts, preview.plan.title, null, preview.messages, preview.plan.groups.map((g) => g.name), poster, preview.plan.warnings);
        }
        const { session, warnings } = await lives.schedule(input);
        if (o.json) return out(planJson(rt, session.id, session.messages, session.poster ?? '', warnings));
        await showPlan(rt, prompts, session.title, session.id, session.messages, session.groups.map((g) => g.name), session.poster ?? '', warnings);
      } catch (err) {
        failAsJson(o.json, err, prompts);
      }
    });

  live
    .command('list')
    .description(prompts.render('cli/live-list-description'))
    .option('--json', prompts.render('cli/json-option'))
    .action(async (o: { json?: boolean }) => {
      const rt = app();
      const sessions = await (await rt.service('lives')).list();
      if (o.json) return void sessions.forEach((s) => out(sessionJson(rt, s)));
      if (sessions.length === 0) return out(prompts.render('cli/live-none'));
      for (const s of sessions) {
        out(
          prompts.render('cli/live-list-line', {
            id: s.id,
            start: shortTime(s.start, rt.config.tz),
            title: s.title,
            status: prompts.render(`cli/live-status-${s.status === 'scheduled' && Date.parse(s.end) <= rt.now() ? 'over' : s.status}`),
            count: s.groups.length,
          }),
        );
      }
    });

  live
    .command('cancel')
    .description(prompts.render('cli/live-cancel-description'))
    .argument('<id>', prompts.render('cli/live-id-argument'))
    .option('--json', prompts.render('cli/json-option'))
    .action(async (id: string, o: { json?: boolean }) => {
      const rt = app();
      try {
        const s = await (await rt.service('lives')).cancel(id);
        out(o.json ? sessionJson(rt, s) : prompts.render('cli/live-cancelled', { id: s.id, title: s.title }));
      } catch (err) {
        failAsJson(o.json, err, prompts);
      }
    });

  live
    .command('reschedule')
    .description(prompts.render('cli/live-reschedule-description'))
    .argument('<id>', prompts.render('cli/live-id-argument'))
    .requiredOption('--start <"YYYY-MM-DD HH:mm">', prompts.render('cli/live-start-option'))
    .option('--json', prompts.render('cli/json-option'))
    .action(async (id: string, o: { start: string; json?: boolean }) => {
      const rt = app();
      try {
        const { session, warnings } = await (await rt.service('lives')).reschedule(id, o.start);
        if (o.json) return out(planJson(rt, session.id, session.messages, session.poster ?? '', warnings));
        await showPlan(rt, prompts, session.title, session.id, session.messages, session.groups.map((g) => g.name), session.poster ?? '', warnings);
      } catch (err) {
        failAsJson(o.json, err, prompts);
      }
    });
}

/** `2026-12-12 20:00` in the shop's time zone. */
export function shortTime(iso: string, tz: string): string {
  const { day, time } = localDayTime(new Date(iso), tz);
  return `${day} ${time}`;
}
