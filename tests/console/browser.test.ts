/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT, until } from '../helpers.js';
import { startConsole, type ConsoleRun } from './harness.js';

const ARTIFACTS = join(PACKAGE_ROOT, 'tests', 'artifacts');
const SIZES = { laptop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const ui = (await import('../../prompts/web/ui.json', { with: { type: 'json' } })).default as Record<string, string>;

let run: ConsoleRun;
let browser: Browser;
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [run, browser] = await Promise.all([
    startConsole(),
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
  ]);
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await run?.close();
});

async function open(hash: string, size: keyof typeof SIZES = 'laptop'): Promise<Page> {
  const context = await browser.newContext({ viewport: SIZES[size], locale: 'zh-CN' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: run.base });
  const page = await context.newPage();
  await page.goto(`${run.base}/?token=${run.token}${hash}`);
  return page;
}

describe('the console in Chromium', () => {
  it('opens every page at laptop and phone widths (screenshots in tests/artifacts/)', async () => {
    for (const size of ['laptop', 'phone'] as const) {
      for (const [hash, ready] of [
        ['#/playground', '[data-testid=chatlog]'],
        ['#/desk', '[data-testid=paste]'],
        ['#/dashboard', '[data-testid=tiles]'],
        ['#/calendar', 'text=' + ui['cal.drops']],
        ['#/deliveries', '[data-testid=deliveries]'],
      ] as const) {
        const page = await open(hash, size);
        await page.locator(ready).first().waitFor();
        // Where the machine has no Chinese font, the bundled one is fetched once the text needs it.
        await page.evaluate(async () => {
          await Promise.all([document.fonts.load('400 16px opsbot-cjk', '中'), document.fonts.load('600 16px opsbot-cjk', '中')]);
          await document.fonts.ready;
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        });
        // Nothing wider than the screen: a phone scrolls down, never sideways.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${hash} at ${size}`).toBeLessThanOrEqual(1);
        await page.screenshot({ path: join(ARTIFACTS, `${hash.slice(2)}-${size}.png`), fullPage: true });
        await page.context().close();
      }
    }
  }, 120_000);

  it('客服台: a pasted message gets suggestions, and one is copied', async () => {
    const page = await open('#/desk');
    await page.fill('[data-testid=paste]', '亲，我的快递三天没动了😭');
    await page.click(`text=${ui['desk.suggest']}`);
    await page.locator('[data-testid=suggestions] li').first().waitFor();
    await page.locator('[data-testid=copy]').first().click();
    await page.locator(`text=${ui['desk.copied']}`).first().waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied.length).toBeGreaterThan(5);
    expect(await page.locator('[data-testid=suggestions] li').first().innerText()).toContain(copied.slice(0, 10));
    await page.context().close();
  });

  it('数据看板: a KPI question is answered with a chart drawn in the page', async () => {
    const page = await open('#/dashboard');
    await page.click('[data-testid=shop-demo]');
    await page.locator('.tile .value').first().waitFor();
    await page.fill('[data-testid=kpi-question]', '上周各渠道销售额');
    await page.click(`button:has-text("${ui['dash.ask']}")`);
    await page.locator('[data-testid=kpi-answer]').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-chart.png'), fullPage: true });
    await page.locator('[data-testid=chart] canvas').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-chart.png'), fullPage: true });
    expect(await page.locator('[data-testid=kpi-answer]').innerText()).toContain('销售额');
    await page.context().close();
  });

  it('直播与优惠券: a live scheduled with its preview is listed; a claim in the playground moves the drop count', async () => {
    const page = await open('#/calendar');
    await page.click('[data-testid=shop-demo]');
    await page.click(`text=${ui['cal.newLive']}`);
    await page.fill('input[name=title]', '周五晚八点福利专场');
    await page.fill('input[name=start]', '2099-01-02 20:00');
    await page.click(`button:has-text("${ui['cal.preview']}")`);
    await page.locator('[data-testid=live-preview] img.poster').waitFor();
    await page.click(`text=${ui['cal.schedule']}`);
    await page.locator('[data-testid=live]', { hasText: '周五晚八点福利专场' }).waitFor();

    const count = page.locator('[data-testid=drop-count]').first();
    const before = await count.innerText();
    const fan = await open('#/playground');
    await fan.fill('[data-testid=say]', '领券');
    await fan.keyboard.press('Enter');
    await fan.locator('[data-testid=msg-bot]', { hasText: '券码' }).waitFor();
    // The calendar was not reloaded: the count changes by the server's event.
    await page.waitForFunction(([el, was]) => (el as HTMLElement).innerText !== was, [await count.elementHandle(), before] as const, { timeout: 15_000 });
    expect(await count.innerText()).toContain('已领 1');
    await page.screenshot({ path: join(ARTIFACTS, 'calendar-after-claim.png'), fullPage: true });
    await fan.screenshot({ path: join(ARTIFACTS, 'playground-claim.png'), fullPage: true });
    await fan.context().close();
    await page.context().close();
  }, 60_000);

  it('客服台: an escalation from a group is approved with 发送 and reaches the fan', async () => {
    await run.fan.say('@助手 衣服刚穿一次就起球了，质量太差了，我要投诉');
    const page = await open('#/desk');
    const item = page.locator('[data-testid=escalation]', { hasText: '起球' });
    await item.waitFor();
    const suggestion = await item.locator('.suggestions li p').first().innerText();
    await item.locator('[data-testid=esc-send]').first().click();
    await item.locator(`text=${ui['desk.done.sent']}`).waitFor();
    await until(() => run.fanInbox.some((t) => t.includes(suggestion)));
    await page.context().close();
  });
});
