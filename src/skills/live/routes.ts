import { z } from 'zod';
import type { PluginRoute } from '../../bot/plugin.js';
import type { LiveDesk } from './desk.js';
import { LiveInputSchema, type LiveSession } from './session.js';

const Message = z.object({ kind: z.string(), lead: z.number().optional(), at: z.string(), deadline: z.string(), text: z.string() });
const Session = z.object({
  id: z.string(),
  revision: z.number(),
  status: z.enum(['scheduled', 'cancelled']),
  title: z.string(),
  start: z.string(),
  end: z.string(),
  groups: z.array(z.object({ platform: z.string(), id: z.string(), name: z.string() })),
  messages: z.array(Message),
});
const Scheduled = z.object({ session: Session, warnings: z.array(z.string()) });

/** The session as the API gives it: times with the shop's offset. */
function view(lives: LiveDesk, s: LiveSession): z.infer<typeof Session> {
  return {
    id: s.id,
    revision: s.revision,
    status: s.status,
    title: s.title,
    start: lives.iso(s.start),
    end: lives.iso(s.end),
    groups: s.groups.map((g) => ({ ...g })),
    messages: s.messages.map((m) => ({ ...m, at: lives.iso(m.at), deadline: lives.iso(m.deadline) })),
  };
}

/**
 * The live plugin's HTTP routes, below /api/live (for the console and other tools): list, schedule,
 * cancel, reschedule. A schedule made here reaches a running bot the same way as one made in the CLI.
 */
export function liveRoutes(lives: LiveDesk): PluginRoute[] {
  return [
    { method: 'GET', path: '/sessions', schema: { response: z.object({ sessions: z.array(Session) }) }, handler: async () => ({ sessions: (await lives.list()).map((s) => view(lives, s)) }) },
    {
      method: 'POST',
      path: '/sessions',
      schema: { body: LiveInputSchema, response: Scheduled },
      handler: async ({ body }) => {
        const { session, warnings } = await lives.schedule(body as z.infer<typeof LiveInputSchema>);
        return { session: view(lives, session), warnings: [...warnings] };
      },
    },
    {
      method: 'POST',
      path: '/preview',
      summary: '直播预告的预览：计划发送的消息、提醒与海报，不保存（同 /live 的预览）',
      schema: { body: LiveInputSchema, response: z.object({ title: z.string(), start: z.string(), groups: z.array(z.object({ platform: z.string(), id: z.string(), name: z.string() })), messages: z.array(Message), warnings: z.array(z.string()), poster: z.string() }) },
      handler: async ({ body }) => {
        const p = await lives.preview(body as z.infer<typeof LiveInputSchema>);
        return {
          title: p.plan.title,
          start: lives.iso(p.plan.start.toISOString()),
          groups: p.plan.groups.map((g) => ({ ...g })),
          messages: p.messages.map((m) => ({ ...m, at: lives.iso(m.at), deadline: lives.iso(m.deadline) })),
          warnings: [...p.plan.warnings],
          poster: `data:image/png;base64,${p.poster.toString('base64')}`,
        };
      },
    },
    {
      method: 'GET',
      path: '/sessions/:id/poster',
      summary: '直播海报（PNG，data URL）',
      schema: { params: z.object({ id: z.string() }), response: z.object({ poster: z.string().nullable() }) },
      handler: async ({ params }) => {
        const png = await lives.posterOf((params as { id: string }).id);
        return { poster: png ? `data:image/png;base64,${png.toString('base64')}` : null };
      },
    },
    {
      method: 'POST',
      path: '/sessions/:id/cancel',
      schema: { params: z.object({ id: z.string() }), response: Session },
      handler: async ({ params }) => view(lives, await lives.cancel((params as { id: string }).id)),
    },
    {
      method: 'POST',
      path: '/sessions/:id/reschedule',
      schema: { params: z.object({ id: z.string() }), body: z.object({ start: z.string() }), response: Scheduled },
      handler: async ({ params, body }) => {
        const { session, warnings } = await lives.reschedule((params as { id: string }).id, (body as { start: string }).start);
        return { session: view(lives, session), warnings: [...warnings] };
      },
    },
  ];
}
