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
