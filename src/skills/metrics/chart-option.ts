import type { EChartsCoreOption } from 'echarts/core';
import type { Prompts } from '../../kernel/prompts.js';
import { FONT_FAMILY } from '../shared/picture.js';

// The layout of a chart: its ECharts option (axes, labels, sizes) from a spec, nothing drawn here.

/** A chart of one metric: a breakdown (bar) or a trend by date (line), with an optional comparison series. */
export interface ChartSpec {
  readonly kind: 'bar' | 'line';
  /** Shown as is, e.g. 上周各渠道销售额（2026-11-16 至 2026-11-22）; '' for none. */
  readonly title: string;
  /** Categories (channel or product names) or days; bars keep the first MAX_CATEGORIES, lines the last MAX_POINTS. */
  readonly labels: readonly string[];
  /** One series, or two: the second is the comparison period, drawn muted. Null is a gap. */
  readonly series: readonly { readonly name: string; readonly values: readonly (number | null)[] }[];
  /** ratio: fractions shown as percentages; yuan: ¥ with 万/亿 when large; count: digit separators. */
  readonly unit: 'ratio' | 'yuan' | 'count';
}

/** Most bars drawn: the caller sorts, the first ones stay. */
export const MAX_CATEGORIES = 30;
/** Most points on a line: a quarter of days; the latest stay (a trend's end is its news). */
export const MAX_POINTS = 92;

// Laid out at 800 logical px, rasterised at 1.5x by chart.ts: 1200 px wide, text big enough for a phone screen.
export const WIDTH = 800;
const PAD = 16;
const FAMILY = FONT_FAMILY;
const SIZE = { title: 20, axis: 14, label: 13, legend: 14 } as const;
const COLORS = ['#3366e6', '#a3aec2'] as const;
const LABEL_COLORS = ['#1d2129', '#6b7385'] as const;
const AXIS_COLOR = '#4e5969';
const LINE_COLOR = '#c9cdd4';
const SPLIT_COLOR = '#eceef2';
/** Widest category label on a horizontal bar chart before it wraps to a second line. */
const NAME_MAX = 220;

export interface Formatters {
  /** A value label: exact below 10,000 (¥1,234.56, 3.45%, 1,234). */
  readonly label: (v: number) => string;
  /** An axis tick: as short as the round tick allows (¥1.5万, 3%). */
  readonly axis: (v: number) => string;
}

/** The value-label and axis-tick formatters of a unit, their 万/亿 suffixes from the catalogue. */
export function formatters(unit: ChartSpec['unit'], prompts: Prompts): Formatters {
  // Resolved before echarts runs, so a missing prompt surfaces as itself rather than as a chart failure.
  const wan = (n: string) => prompts.render('metrics/chart-wan', { n });
  const yi = (n: string) => prompts.render('metrics/chart-yi', { n });
  wan('1');
  yi('1');
  const num = (v: number, min: number, max: number) =>
    v.toLocaleString('en-US', { minimumFractionDigits: min, maximumFractionDigits: max });
  const money = (v: number, exact: boolean) => {
    const a = Math.abs(v);
    const body = a >= 1e8 ? yi(num(a / 1e8, 0, 2)) : a >= 1e4 ? wan(num(a / 1e4, 0, 2)) : num(a, exact ? 2 : 0, 2);
    return `${v < 0 ? '-' : ''}¥${body}`;
  };
  switch (unit) {
    case 'ratio':
      return { label: (v) => `${num(v * 100, 2, 2)}%`, axis: (v) => `${num(v * 100, 0, 2)}%` };
    case 'yuan':
      return { label: (v) => money(v, true), axis: (v) => money(v, false) };
    case 'count':
      return { label: (v) => num(v, 0, 2), axis: (v) => num(v, 0, 2) };
  }
}

/** Estimated width in px: CJK and full-width characters one em, the rest about 0.6 em (Noto Sans). */
function textWidth(text: string, size: number): number {
  let em = 0;
  for (const ch of text) em += ch.codePointAt(0)! >= 0x2e80 ? 1 : 0.6;
  return em * size;
}

const DAY = /^(\d{4})-(\d{2}-\d{2})$/;

/** Days within one year lose the year (the title carries the period); anything else stays as given. */
function categoryLabels(labels: readonly string[]): { names: string[]; dates: boolean } {
  const years = labels.map((l) => DAY.exec(l)?.[1]);
  const dates = labels.length > 0 && years.every((y) => y !== undefined);
  if (!dates || new Set(years).size > 1) return { names: [...labels], dates };
  return { names: labels.map((l) => DAY.exec(l)![2]!), dates };
}

/** Extra room on the value axis, as a share of its span, so a label beyond the longest bar fits. */
function headroom(labelExtent: number, plotExtent: number): string {
  const share = labelExtent / Math.max(plotExtent - labelExtent, 1);
  return `${Math.ceil(share * 100) + 2}%`;
}

type Option = EChartsCoreOption;

/** The ECharts option of the chart laid out at WIDTH, and the height it needs. */
export function buildOption(spec: ChartSpec, fmt: Formatters): { option: Option; height: number } {
  const skip = spec.kind === 'line' ? Math.max(0, spec.labels.length - MAX_POINTS) : 0;
  const { names, dates } = categoryLabels(spec.labels.slice(skip, skip + (spec.kind === 'line' ? MAX_POINTS : MAX_CATEGORIES)));
  const n = names.length;
  const twoSeries = spec.series.length === 2;
  const values = spec.series.map((s) =>
    names.map((_, i) => {
      const v = s.values[skip + i];
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    }),
  );

  const titleLines = spec.title ? Math.ceil(textWidth(spec.title, SIZE.title) / (WIDTH - 2 * PAD)) : 0;
  const titleBottom = titleLines ? PAD + titleLines * SIZE.title * 1.35 : 0;
  const legendTop = titleBottom + (titleLines ? 6 : PAD);
  const top = (twoSeries ? legendTop + SIZE.legend + 12 : titleBottom) + 20;

  const nameWidth = Math.max(0, ...names.map((l) => textWidth(l, SIZE.axis)));
  const labelWidth = Math.max(0, ...values.flat().map((v) => (v === null ? 0 : textWidth(fmt.label(v), SIZE.label))));
  const plotWidth = WIDTH - 2 * PAD - 70;
  const slot = plotWidth / Math.max(n, 1);
  const horizontal =
    spec.kind === 'bar' && !dates && (nameWidth > 2 * slot || (n > 8 && nameWidth > 4 * SIZE.axis));

  const base: Option = {
    animation: false,
    backgroundColor: '#ffffff',
    color: [...COLORS],
    textStyle: { fontFamily: FAMILY, color: AXIS_COLOR },
    title: {
      show: titleLines > 0,
      text: spec.title,
      left: 'center',
      top: PAD,
      textStyle: {
        fontSize: SIZE.title,
        fontWeight: 'bold',
        color: '#1d2129',
        width: WIDTH - 2 * PAD,
        overflow: 'break',
        lineHeight: SIZE.title * 1.35,
      },
    },
    legend: {
      show: twoSeries,
      top: legendTop,
      left: 'center',
      itemGap: 28,
      itemWidth: 20,
      itemHeight: 12,
      textStyle: { fontSize: SIZE.legend, color: AXIS_COLOR },
    },
  };
  const valueAxis = (gap: string) => ({
    type: 'value',
    boundaryGap: ['0%', gap],
    // Counts are whole: no tick at 2.5 orders.
    minInterval: spec.unit === 'count' ? 1 : 0,
    axisLabel: { fontSize: SIZE.axis, color: AXIS_COLOR, formatter: (v: number) => fmt.axis(v) },
    splitLine: { lineStyle: { color: SPLIT_COLOR } },
  });
  const categoryAxis = {
    type: 'category',
    data: names,
    axisLine: { lineStyle: { color: LINE_COLOR } },
    axisTick: { show: false },
  };
  const valueLabel = (i: number) => ({
    fontSize: SIZE.label,
    color: LABEL_COLORS[i],
    formatter: (p: { value?: unknown }) => (typeof p.value === 'number' ? fmt.label(p.value) : ''),
  });

  if (horizontal) {
    const wraps = nameWidth > NAME_MAX;
    const rowHeight = (wraps ? 44 : 30) + (twoSeries ? 12 : 0);
    const height = Math.round(top + n * rowHeight + 40 + PAD);
    const barPlot = WIDTH - 2 * PAD - Math.min(nameWidth, NAME_MAX) - 12;
    const option: Option = {
      ...base,
      grid: { top, left: PAD, right: PAD + 8, bottom: PAD, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
      xAxis: valueAxis(headroom(labelWidth + 10, barPlot)),
      yAxis: {
        ...categoryAxis,
        inverse: true,
        axisLabel: {
          fontSize: SIZE.axis,
          color: '#1d2129',
          interval: 0,
          width: Math.min(nameWidth + 2, NAME_MAX),
          overflow: 'break',
          lineHeight: SIZE.axis * 1.25,
        },
      },
      series: spec.series.map((s, i) => ({
        type: 'bar',
        name: s.name,
        data: values[i],
        barMaxWidth: 28,
        barGap: '15%',
        itemStyle: { borderRadius: [0, 3, 3, 0] },
        label: { show: true, position: 'right', distance: 6, ...valueLabel(i) },
      })),
    };
    return { option, height };
  }

  // Vertical bars or a line. Names that do not fit their slot wrap (at most two lines) or turn 45/90°.
  const fits = nameWidth <= slot * 0.92;
  const wrap = !fits && !dates && nameWidth <= 2 * slot * 0.92;
  const rotate = fits || wrap ? 0 : slot >= SIZE.axis * 1.8 ? 45 : 90;
  const height = 500 + (rotate ? Math.min(nameWidth, 12 * SIZE.axis) * (rotate === 45 ? 0.7 : 1) - 20 : 0);
  const plotHeight = height - top - 60;
  const labelled = spec.kind === 'bar' || n <= 14;
  // Value labels that do not fit over a bar stand upright on it.
  const barSlot = slot / (twoSeries ? 2.4 : 1.4);
  const uprightLabels = spec.kind === 'bar' && labelWidth > barSlot;
  const gap = !labelled ? '4%' : headroom((uprightLabels ? labelWidth : SIZE.label * 1.4) + 8, plotHeight);

  const option: Option = {
    ...base,
    grid: { top, left: PAD, right: PAD + 8, bottom: PAD, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    xAxis: {
      ...categoryAxis,
      axisLabel: {
        fontSize: SIZE.axis,
        color: '#1d2129',
        // Every bar keeps its name; a line's days thin out when crowded.
        interval: spec.kind === 'bar' || rotate !== 90 || slot >= SIZE.axis * 1.2 ? 0 : 'auto',
        rotate,
        lineHeight: SIZE.axis * 1.25,
        // Only a constrained label gets a box: echarts reserves the whole box when it rotates one.
        ...(wrap ? { width: slot * 0.92, overflow: 'break' } : {}),
        ...(rotate && nameWidth > 12 * SIZE.axis ? { width: 12 * SIZE.axis, overflow: 'truncate' } : {}),
      },
    },
    // A trend need not start at zero; bars must, or their lengths lie.
    yAxis: { ...valueAxis(gap), scale: spec.kind === 'line' },
    series: spec.series.map((s, i) => {
      const label = { show: labelled && (spec.kind === 'bar' || i === 0), ...valueLabel(i) };
      if (spec.kind === 'bar') {
        return {
          type: 'bar',
          name: s.name,
          data: values[i],
          barMaxWidth: 64,
          barGap: '10%',
          labelLayout: { hideOverlap: true },
          itemStyle: { borderRadius: [3, 3, 0, 0] },
          label: uprightLabels
            ? { ...label, position: 'top', rotate: 90, align: 'left', verticalAlign: 'middle', distance: 6 }
            : { ...label, position: 'top', distance: 5 },
        };
      }
      return {
        type: 'line',
        name: s.name,
        data: values[i],
        connectNulls: false,
        showSymbol: true,
        symbol: 'circle',
        symbolSize: n > 20 ? 5 : 7,
        z: 3 - i,
        labelLayout: { hideOverlap: true },
        lineStyle: { width: i === 0 ? 3 : 2, type: i === 0 ? 'solid' : 'dashed' },
        label: { ...label, position: 'top', distance: 7 },
      };
    }),
  };
  return { option, height: Math.round(height) };
}
