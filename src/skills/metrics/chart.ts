import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { LabelLayout } from 'echarts/features';
import { SVGRenderer } from 'echarts/renderers';
import { ErrorCode, OpsbotError } from '../../kernel/errors.js';
import { Prompts } from '../../kernel/prompts.js';
import { bundledFonts, rasterize, rasterizeAsync } from '../shared/picture.js';
import { buildOption, formatters, WIDTH, type ChartSpec } from './chart-option.js';

export { bundledFontPath } from '../shared/picture.js';
export { MAX_CATEGORIES, MAX_POINTS, type ChartSpec } from './chart-option.js';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, LabelLayout, SVGRenderer]);

export interface RenderChartOptions {
  /** The catalogue the 万/亿 suffixes come from; the shipped one by default. */
  readonly prompts?: Prompts;
}

// Laid out at WIDTH (800 logical px) and rasterised at 1.5x: 1200 px wide, text big enough for a phone screen.
const OUT_WIDTH = 1200;

let shipped: Prompts | undefined;

/** Renders the chart as a PNG about 1200 px wide on white, with only the bundled font. */
export function renderChart(spec: ChartSpec, options: RenderChartOptions = {}): Buffer {
  const svg = renderChartSvg(spec, options);
  const fonts = bundledFonts();
  try {
    return rasterize(svg, OUT_WIDTH, fonts);
  } catch (cause) {
    throw chartFailed('rasterising the chart failed', spec, cause);
  }
}

/**
 * renderChart off the event loop (resvg's thread pool): what the bot uses, so a chart being drawn never
 * holds up other chats' messages.
 */
export async function renderChartAsync(spec: ChartSpec, options: RenderChartOptions = {}): Promise<Buffer> {
  const svg = renderChartSvg(spec, options);
  const fonts = bundledFonts();
  try {
    return await rasterizeAsync(svg, OUT_WIDTH, fonts);
  } catch (cause) {
    throw chartFailed('rasterising the chart failed', spec, cause);
  }
}

/** The chart as an SVG string (what renderChart rasterises); text is left as text, in the bundled font's family. */
export function renderChartSvg(spec: ChartSpec, options: RenderChartOptions = {}): string {
  if (spec.series.length < 1 || spec.series.length > 2) {
    throw chartFailed(`a chart has 1 or 2 series, got ${spec.series.length}`, spec);
  }
  const fmt = formatters(spec.unit, options.prompts ?? (shipped ??= Prompts.load()));
  const { option, height } = buildOption(spec, fmt);
  let chart: ReturnType<typeof echarts.init> | undefined;
  try {
    chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
    chart.setOption(option);
    return chart.renderToSVGString();
  } catch (cause) {
    throw chartFailed('drawing the chart failed', spec, cause);
  } finally {
    chart?.dispose();
  }
}

function chartFailed(message: string, spec: ChartSpec, cause?: unknown): OpsbotError {
  const details = { kind: spec.kind, unit: spec.unit, labels: spec.labels.length, series: spec.series.length };
  return new OpsbotError(ErrorCode.METRICS_CHART_FAILED, message, { cause, details });
}
