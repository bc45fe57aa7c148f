import { z } from 'zod';
import type { PluginRoute } from '../../bot/plugin.js';
import type { CouponDesk } from './desk.js';
import { DropInputSchema, type CouponDrop } from './drop.js';

const Drop = z.object({
  id: z.string(),
  name: z.string(),
  stock: z.number(),
  keyword: z.string(),
  perUser: z.number(),
  starts: z.string(),
  ends: z.string().optional(),
  status: z.enum(['open', 'cancelled']),
  codes: z.enum(['generated', 'imported']),
  groups: z.array(z.object({ platform: z.string(), id: z.string(), name: z.string() })),
  claimed: z.number(),
  remaining: z.number(),
});

/** The drop as the API (and `opsbot coupon … --json`) gives it: times with the shop's offset, and its counts. */
export async function dropView(coupons: CouponDesk, d: CouponDrop): Promise<z.infer<typeof Drop>> {
  const s = await coupons.status(d.id);
  return {
    id: d.id,
    name: d.name,
    stock: d.stock,
    keyword: d.keyword,
    perUser: d.perUser,
    starts: coupons.iso(d.startsAt),
    ...(d.endsAt ? { ends: coupons.iso(d.endsAt) } : {}),
    status: d.status,
    codes: d.codes,
    groups: d.groups.map((g) => ({ ...g })),
    claimed: s.claimed,
    remaining: s.remaining,
  };
}

/** The coupon plugin's HTTP routes, below /api/coupon: list, create (generated codes), status, claims. */
export function couponRoutes(coupons: CouponDesk): PluginRoute[] {
  return [
    {
      method: 'GET',
      path: '/drops',
      schema: { response: z.object({ drops: z.array(Drop) }) },
      handler: async () => ({ drops: await Promise.all((await coupons.list()).map((d) => dropView(coupons, d))) }),
    },
    {
      method: 'POST',
      path: '/drops',
      schema: { body: DropInputSchema.omit({ codes: true }), response: Drop },
      handler: async ({ body }) => dropView(coupons, await coupons.create(body as z.infer<typeof DropInputSchema>)),
    },
    {
      method: 'GET',
      path: '/drops/:id',
      schema: { params: z.object({ id: z.string() }), response: Drop },
      handler: async ({ params }) => dropView(coupons, await coupons.mustGet((params as { id: string }).id)),
    },
    {
      method: 'GET',
      path: '/drops/:id/claims',
      schema: {
        params: z.object({ id: z.string() }),
        response: z.object({ claims: z.array(z.object({ seq: z.number(), at: z.string(), user: z.string(), name: z.string().optional(), group: z.string().optional(), code: z.string() })) }),
      },
      handler: async ({ params }) => ({
        claims: (await coupons.claims((params as { id: string }).id)).map((c) => ({
          seq: c.seq,
          at: coupons.iso(c.at),
          user: c.holder,
          ...(c.meta.name ? { name: c.meta.name } : {}),
          ...(c.meta.group ? { group: c.meta.group } : {}),
          code: c.item,
        })),
      }),
    },
  ];
}
