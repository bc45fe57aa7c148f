import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';
import { fmtValue } from './util';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** The same chart spec the PNG is drawn from (a breakdown as bars, a trend as lines), drawn in the page. */
export interface ChartSpec {
  kind: 'bar' | 'line';
  title: string;
  labels: string[];
  series: { name: string; values: (number | null)[] }[];
  unit: 'ratio' | 'yuan' | 'count';
}

export function Chart({ spec }: { spec: ChartSpec }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current);
    const bar = spec.kind === 'bar';
    const fmt = (v: number) => fmtValue(v, spec.unit);
    // Axis ticks as short as a round tick allows (¥1.5万); values in the tooltip exact.
    const tick = (v: number) => (spec.unit === 'yuan' && Math.abs(v) >= 1e4 ? `¥${+(v / 1e4).toFixed(2)}万` : spec.unit === 'ratio' ? `${+(v * 100).toFixed(2)}%` : fmt(v));
    const family = getComputedStyle(document.documentElement).fontFamily;
    const category = { type: 'category' as const, data: spec.labels, axisLabel: { width: 90, overflow: 'truncate' as const } };
    const value = { type: 'value' as const, axisLabel: { formatter: tick } };
    chart.setOption({
      textStyle: { fontFamily: family },
      title: { show: false },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => fmt(v) },
      legend: { show: spec.series.length > 1, top: 0 },
      grid: { left: 8, right: 16, top: spec.series.length > 1 ? 30 : 10, bottom: 8, containLabel: true },
      xAxis: bar ? value : category,
      yAxis: bar ? { ...category, inverse: true } : value,
      color: ['#3366e6', '#a3aec2'],
      series: spec.series.map((s) => ({ name: s.name, type: spec.kind, data: s.values, smooth: !bar, connectNulls: false })),
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => (window.removeEventListener('resize', resize), chart.dispose());
  }, [spec]);
  const height = spec.kind === 'bar' ? Math.max(220, spec.labels.length * 34 + 40) : 300;
  return (
    <figure class="chart">
      <figcaption>{spec.title}</figcaption>
      <div ref={el} style={{ height: `${height}px` }} data-testid="chart" />
    </figure>
  );
}
