import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { App } from '../app/app.js';
import { importMetricsFile } from '../skills/metrics/import.js';
import { addDays } from '../skills/metrics/period.js';

/** Days of sample metrics the demo shop holds, ending yesterday. */
const DAYS = 60;
const CHANNELS = ['抖音直播', '淘宝店铺', '微信小程序'] as const;
const PRODUCTS = [
  ['羊毛围巾', 129],
  ['保温杯', 69],
  ['轻薄羽绒服', 399],
  ['暖手宝', 39],
] as const;

/** A number in [0, 1) from a string: the same day always has the same sample figures. */
function unit(seed: string): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return ((h >>> 0) % 100_000) / 100_000;
}

/** A back-office export of the sample shop: `days` days up to `last`, three channels, four products. */
export function sampleExport(last: string, days = DAYS): string {
  const lines = ['日期,渠道,商品名称,展现量,点击量,访客数,加购人数,订单数,支付买家数,支付件数,支付金额,退款金额'];
  for (let d = days - 1; d >= 0; d--) {
    const date = addDays(last, -d);
    const weekend = [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay()) ? 1.3 : 1;
    CHANNELS.forEach((channel, c) => {
      for (const [product, price] of PRODUCTS) {
        const r = (k: string) => unit(`${date}|${channel}|${product}|${k}`);
        const impressions = Math.round((2_000 + r('i') * 6_000) * weekend * (c === 0 ? 1.8 : 1));
        const clicks = Math.round(impressions * (0.03 + r('c') * 0.04));
        const visitors = Math.round(clicks * (0.7 + r('v') * 0.2));
        const cart = Math.round(visitors * (0.08 + r('a') * 0.1));
        const buyers = Math.round(visitors * (0.02 + r('b') * 0.05));
        const units = buyers + Math.round(r('u') * buyers * 0.4);
        const revenue = (units * price).toFixed(2);
        const refund = r('r') < 0.15 ? (price * Math.max(1, Math.round(units * 0.05))).toFixed(2) : '0';
        lines.push(`${date},${channel},${product},${impressions},${clicks},${visitors},${cart},${buyers},${buyers},${units},${revenue},${refund}`);
      }
    });
  }
  return lines.join('\n') + '\n';
}

/** `YYYY-MM-DD HH:mm` of `epochMs` in `tz`. */
function localMinute(epochMs: number, tz: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(epochMs))
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/**
 * Gives the demo shop what every example needs, each marked 示例: metrics up to yesterday, a live
 * coming up (tomorrow 20:00) and an open coupon drop (keyword 领券) in its fan group. Run at each start;
 * only what is missing or stale is added.
 */
export async function seedDemo(app: App, group: string): Promise<void> {
  const { metrics, lives, coupons, prompts } = await app.services(['metrics', 'lives', 'coupons', 'prompts']);
  const today = metrics.today();
  const yesterday = addDays(today, -1);
  if ((metrics.db.coverage()?.last ?? '') < yesterday) {
    const dir = join(app.config.dataDir, 'samples');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'sample-export.csv');
    await writeFile(file, sampleExport(yesterday));
    await importMetricsFile(file, { db: metrics.db, prompts, name: prompts.render('console/demo-export-name') });
  }
  const now = app.now();
  const upcoming = (await lives.list()).some((s) => s.status === 'scheduled' && Date.parse(s.start) > now);
  if (!upcoming) {
    const day = localMinute(now + 24 * 3600_000, app.config.tz).slice(0, 10);
    await lives.schedule({
      title: prompts.render('console/demo-live-title'),
      start: `${day} 20:00`,
      theme: prompts.render('console/demo-live-theme'),
      offers: prompts.render('console/demo-live-offers').split('\n').filter(Boolean),
      products: prompts.render('console/demo-live-products').split('\n').filter(Boolean),
      host: prompts.render('console/demo-live-host'),
      groups: [group],
    });
  }
  const drops = await coupons.list();
  const open = await Promise.all(drops.filter((d) => d.status === 'open').map(async (d) => (await coupons.status(d.id)).remaining > 0));
  if (!open.includes(true)) {
    await coupons.create({ name: prompts.render('console/demo-drop-name'), stock: 100, keyword: '领券', perUser: 1, groups: [group] });
  }
}
