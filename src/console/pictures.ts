import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Prompts } from '../kernel/prompts.js';

/**
 * Pictures the console shows (the playground's charts and posters, the KPI charts) kept in memory for a
 * while under unguessable ids, the oldest dropped first: a page asks for one soon after it was made.
 */
export class Pictures {
  private readonly items = new Map<string, { data: Buffer; mime: string; at: number }>();

  constructor(
    private readonly max = 200,
    private readonly ttlMs = 60 * 60_000,
  ) {}

  put(data: Buffer, mime: string): string {
    const id = randomBytes(12).toString('hex');
    this.items.set(id, { data, mime, at: Date.now() });
    while (this.items.size > this.max) this.items.delete(this.items.keys().next().value!);
    return id;
  }

  get(id: string): { data: Buffer; mime: string } | undefined {
    const item = this.items.get(id);
    if (!item) return undefined;
    if (Date.now() - item.at > this.ttlMs) {
      this.items.delete(id);
      return undefined;
    }
    return item;
  }
}

/** Answers with picture `id`, or a 404 saying it has expired. */
export function sendPicture(pictures: Pictures, id: string, reply: FastifyReply, prompts: Prompts): FastifyReply {
  const picture = pictures.get(id);
  if (!picture) return reply.code(404).send({ error: { code: 'OPSBOT_ERR_HTTP_NOT_FOUND', message: prompts.render('console/picture-gone') } });
  return reply.type(picture.mime).send(picture.data);
}
