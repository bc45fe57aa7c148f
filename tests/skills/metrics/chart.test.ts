import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../../src/kernel/errors.js';
import { Prompts } from '../../../src/kernel/prompts.js';
import {
  bundledFontPath,
  MAX_CATEGORIES,
  renderChart,
  renderChartAsync,
  renderChartSvg,
  type ChartSpec,
} from '../../../src/skills/metrics/chart.js';

const days = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2026, 9, 24 + i)).toISOString().slice(0, 10));
const products = Array.from({ length: 25 }, (_, i) =>
  i % 2 === 0 ? `【官方旗舰】轻氧保温杯 500ml 大容量 款${i + 1}` : `冰丝凉感睡衣套装 款${i + 1}`,
);

const bar: ChartSpec = {
  kind: 'bar',
  title: '上周各渠道销售额（2026-11-16 至 2026-11-22）',
  labels: ['抖音直播', '淘宝', '微信小程序'],
  series: [{ name: '销售额', values: [123456.78, 8000.5, 4321.09] }],
  unit: 'yuan',
};
const line: ChartSpec = {
  kind: 'line',
  title: '近30天转化率（2026-10-24 至 2026-11-22）',
  labels: days,
  series: [{ name: '转化率', values: days.map((_, i) => (i === 12 || i === 13 ? null : 0.03 + 0.01 * Math.sin(i / 4))) }],
  unit: 'ratio',
};
const comparison: ChartSpec = {
  kind: 'bar',
  title: '本周与上周各渠道订单数',
  labels: ['抖音直播', '淘宝', '快手', '拼多多', '微信小程序'],
  series: [
    { name: '本周', values: [1234, 987, 456, null, 12] },
    { name: '上期', values: [1100, 1020, 300, 80, 40] },
  ],
  unit: 'count',
};
const manyProducts: ChartSpec = {
  kind: 'bar',
  title: '上月各商品销售额',
  labels: products,
  series: [{ name: '销售额', values: products.map((_, i) => Math.round(250_000 / (i + 1))) }],
  unit: 'yuan',
};

const BLUE = [0x33, 0x66, 0xe6] as const;
const GREY = [0xa3, 0xae, 0xc2] as const;

/** Pixel statistics of a PNG: size, share of non-white pixels, distinct colours, and counts of given colours. */
function inspect(png: Buffer) {
  const img = PNG.sync.read(png);
  const colours = new Map<number, number>();
  let ink = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const [r, g, b] = [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
    colours.set((r << 16) | (g << 8) | b, (colours.get((r << 16) | (g << 8) | b) ?? 0) + 1);
    if (r < 245 || g < 245 || b < 245) ink++;
  }
  const count = ([r, g, b]: readonly number[]) => colours.get((r! << 16) | (g! << 8) | b!) ?? 0;
  return { img, inkShare: ink / (img.width * img.height), distinct: colours.size, count };
}

/** Non-white pixels in rows [y0, y1) of a decoded PNG, and those rows' raw bytes. */
function band(img: PNG, y0: number, y1: number): { ink: number; bytes: Buffer } {
  const bytes = img.data.subarray(y0 * img.width * 4, y1 * img.width * 4);
  let ink = 0;
  for (let i = 0; i < bytes.length; i += 4) if (bytes[i]! < 200 || bytes[i + 1]! < 200 || bytes[i + 2]! < 200) ink++;
  return { ink, bytes: Buffer.from(bytes) };
}

function expectReadableChart(png: Buffer, minInk = 0.03) {
  const stats = inspect(png);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(stats.img.width).toBeGreaterThanOrEqual(1000);
  expect(stats.img.width).toBeLessThanOrEqual(1400);
  expect(stats.img.height).toBeGreaterThanOrEqual(500);
  expect(stats.inkShare).toBeGreaterThan(minInk);
  expect(stats.inkShare).toBeLessThan(0.6);
  expect(stats.distinct).toBeGreaterThanOrEqual(8);
  // The corner is the background: white, not transparent.
  expect([...stats.img.data.subarray(0, 4)]).toEqual([255, 255, 255, 255]);
  return stats;
}

/** The text of every <text> element, unescaped enough for these labels. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

describe('renderChart', () => {
  it('finds the bundled CJK font', () => {
    expect(bundledFontPath()).toMatch(/NotoSansHans-Regular\.otf$/);
    expect(existsSync(bundledFontPath())).toBe(true);
  });

  it('draws a bar chart of three channels in yuan, with its bars in the series colour', () => {
    const png = renderChart(bar);
    writeFileSync(join(tmpdir(), 'chart-bar.png'), png);
    const stats = expectReadableChart(png);
    expect(stats.count(BLUE)).toBeGreaterThan(5_000);
    const labels = texts(renderChartSvg(bar));
    expect(labels).toEqual(expect.arrayContaining(['¥12.35万', '¥8,000.50', '¥4,321.09', '抖音直播', bar.title]));
    // The value axis is compact: whole yuan, 万 from ten thousand.
    expect(labels).toContain('¥0');
    expect(labels.some((t) => /^¥\d+万$/.test(t))).toBe(true);
  });

  it('draws the same picture off the event loop (renderChartAsync), with the bundled font', async () => {
    const png = await renderChartAsync(bar);
    expect(png.equals(renderChart(bar))).toBe(true);
    expect(expectReadableChart(png).count(BLUE)).toBeGreaterThan(5_000);
  });

  it('draws a 30-day ratio trend as percentages, with a gap where a day is null and no crowded value labels', () => {
    const png = renderChart(line);
    writeFileSync(join(tmpdir(), 'chart-line.png'), png);
    const stats = expectReadableChart(png, 0.01);
    expect(stats.count(BLUE)).toBeGreaterThan(1_000);
    const svg = renderChartSvg(line);
    const labels = texts(svg);
    expect(labels).toEqual(expect.arrayContaining(['3%', '11-05', '11-22']));
    expect(labels.filter((t) => /^\d+\.\d\d%$/.test(t))).toEqual([]);
    // One stroke, broken once: two "move to" commands in the line's path.
    const stroke = [...svg.matchAll(/<path d="([^"]*)"[^>]*stroke="#3366e6"[^>]*>/g)].map((m) => m[1]!);
    expect(stroke.map((d) => d.split('M').length - 1)).toContain(2);
  });

  it('labels a short trend point by point, as percentages with two decimals', () => {
    const short: ChartSpec = { ...line, labels: days.slice(0, 7), series: [{ name: '转化率', values: [0.0345, 0.03, 0.041, 0.05, 0.02, 0.025, 0.1] }] };
    expect(texts(renderChartSvg(short))).toEqual(expect.arrayContaining(['3.45%', '4.10%', '10.00%']));
  });

  it('compares two periods side by side, with a legend and the comparison muted', () => {
    const png = renderChart(comparison);
    const stats = expectReadableChart(png);
    expect(stats.count(BLUE)).toBeGreaterThan(3_000);
    expect(stats.count(GREY)).toBeGreaterThan(3_000);
    const labels = texts(renderChartSvg(comparison));
    expect(labels).toEqual(expect.arrayContaining(['本周', '上期', '1,234', '1,100', '80']));
    expect(texts(renderChartSvg(bar))).not.toContain('销售额');
  });

  it('lays 25 long product names out so every one is written, and stretches the image to fit them', () => {
    const png = renderChart(manyProducts);
    const stats = expectReadableChart(png);
    expect(stats.img.height).toBeGreaterThan(stats.img.width);
    const written = texts(renderChartSvg(manyProducts)).join('\n');
    for (const name of products) expect(written).toContain(name.slice(-4));
  });

  it('keeps the first 30 bars, and every day of a 31-day month on a line', () => {
    const labels = Array.from({ length: 40 }, (_, i) => `渠道${i + 1}`);
    const spec: ChartSpec = { ...comparison, labels, series: [{ name: '订单数', values: labels.map((_, i) => 1000 - i) }] };
    const written = texts(renderChartSvg(spec));
    expect(MAX_CATEGORIES).toBe(30);
    expect(written).toContain(`渠道${MAX_CATEGORIES}`);
    expect(written).not.toContain(`渠道${MAX_CATEGORIES + 1}`);
    const month = Array.from({ length: 31 }, (_, i) => `10月${i + 1}日`);
    const trend: ChartSpec = { ...line, labels: month, series: [{ name: '本期', values: month.map((_, i) => 0.03 + i / 1000) }] };
    expect(texts(renderChartSvg(trend))).toEqual(expect.arrayContaining(month));
  });

  it('draws the Chinese title as glyphs: ink where the title goes, and different ink for different words', () => {
    const titled = inspect(renderChart({ ...bar, title: '上周各渠道销售额' })).img;
    const other = inspect(renderChart({ ...bar, title: '本月各商品退款率' })).img;
    const untitled = inspect(renderChart({ ...bar, title: '' })).img;
    const region = (img: PNG) => band(img, 0, 70);
    expect(region(titled).ink).toBeGreaterThan(1_000);
    expect(region(titled).ink).toBeGreaterThan(5 * region(untitled).ink);
    // Missing glyphs would all be the same box: two titles of equal length must not draw the same pixels.
    expect(region(other).ink).toBeGreaterThan(1_000);
    expect(region(titled).bytes.equals(region(other).bytes)).toBe(false);
  });

  it('rejects a chart without series, or with more than two, with the chart error code', () => {
    for (const series of [[], [...comparison.series, { name: 'x', values: [] }]]) {
      expect(() => renderChart({ ...bar, series })).toThrow(
        expect.objectContaining({ code: ErrorCode.METRICS_CHART_FAILED }),
      );
    }
  });

  it('takes the 万 and 亿 suffixes from prompts, and fails with the prompt code when they are missing', () => {
    const prompts = Prompts.fromEntries({ 'metrics/chart-wan': '{n}W', 'metrics/chart-yi': '{n}E' });
    const labels = texts(renderChartSvg({ ...bar, series: [{ name: 'a', values: [123456.78, 2e8, 1] }] }, { prompts }));
    expect(labels).toEqual(expect.arrayContaining(['¥12.35W', '¥2E', '¥1.00']));
    expect(() => renderChart(bar, { prompts: Prompts.fromEntries({}) })).toThrow(
      expect.objectContaining({ code: ErrorCode.PROMPT_MISSING }),
    );
  });
});

describe('renderChart when the rasteriser fails', () => {
  afterEach(() => {
    vi.doUnmock('@resvg/resvg-js');
    vi.resetModules();
  });

  it('wraps the failure in the chart error code, keeping the cause', async () => {
    vi.resetModules();
    vi.doMock('@resvg/resvg-js', () => ({
      Resvg: class {
        constructor() {
          throw new Error('resvg exploded');
        }
      },
    }));
    const { renderChart: render } = await import('../../../src/skills/metrics/chart.js');
    let caught: unknown;
    try {
      render(bar);
    } catch (err) {
      caught = err;
    }
    // A fresh module graph has its own OpsbotError class, so compare the code, not the class.
    expect(caught).toMatchObject({ name: 'OpsbotError', code: ErrorCode.METRICS_CHART_FAILED });
    expect((caught as Error).cause).toEqual(new Error('resvg exploded'));
  });
});
