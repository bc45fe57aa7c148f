import { join } from 'node:path';
import type { Clock } from '../../kernel/clock.js';
import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import type { LlmService } from '../../kernel/llm.js';
import type { Logger } from '../../kernel/logger.js';
import type { Prompts } from '../../kernel/prompts.js';
import { charCount } from '../../kernel/text.js';
import type { KnowledgeBase } from '../../knowledge/knowledge-base.js';
import { adviceFor, DROP_THRESHOLD, type PlaybookAdvice } from './advice.js';
import type { ChartSpec } from './chart.js';
import { MetricsDb } from './db.js';
import { isRatio, type MetricName, type Unit } from './definitions.js';
import { changeOf, executeQuery, type BreakdownEntry, type KpiResult } from './execute.js';
import { displayKey, formatChange, formatPeriod, formatResult, formatScope } from './format.js';
import { parseWithModel } from './model-parse.js';
import { parseQuestion, type ParseContext } from './parse.js';
import { todayIn, yearOf } from './period.js';
import type { KpiQuery } from './query.js';

export const MAX_QUESTION_CHARS = 500;

/** The `kpi --json` contract, then extras (mode, advice). */
export interface KpiAnswer {
  readonly question: string;
  /** null: the question asks for no metric opsbot knows (the text lists what can be asked). */
  readonly metric: MetricName | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly filters: { readonly channel?: string; readonly product?: string };
  readonly value: number | null;
  readonly unit: Unit | null;
  readonly compare?: { readonly from: string; readonly to: string; readonly value: number | null; readonly change: number | null };
  readonly breakdown?: readonly BreakdownEntry[];
  readonly text: string;
  /** Who read the question: the offline parser or the model. */
  readonly mode: 'offline' | 'model';
  readonly advice?: PlaybookAdvice;
}

/** The --json contract: its fields in its order, then extras (mode, advice). */
export function kpiJson(a: KpiAnswer): string {
  return JSON.stringify(kpiFields(a));
}

export function kpiFields(a: KpiAnswer): Record<string, unknown> {
  const { question, metric, from, to, filters, value, unit, compare, breakdown, text, mode, advice } = a;
  return {
    question,
    metric,
    from,
    to,
    filters,
    value,
    unit,
    ...(compare ? { compare } : {}),
    ...(breakdown ? { breakdown } : {}),
    text,
    mode,
    ...(advice ? { advice } : {}),
  };
}

export interface KpiReply {
  readonly answer: KpiAnswer;
  /** A picture of a breakdown, a trend or a comparison, when the answer has one. */
  readonly chart?: ChartSpec;
}

export interface MetricsServiceOptions {
  readonly dataDir: string;
  readonly tz: string;
  readonly clock: Clock;
  readonly prompts: Prompts;
  readonly logger: Logger;
  readonly knowledge?: KnowledgeBase;
  readonly llm?: LlmService;
  /** An open database instead of the file under the data dir (tests). */
  readonly db?: MetricsDb;
}

/** Shop metrics: the database, and questions in plain Chinese or English answered from it. */
export class MetricsService {
  private opened?: MetricsDb;

  constructor(private readonly options: MetricsServiceOptions) {
    this.opened = options.db;
  }

  /** The metrics database (SQLite under the data dir), opened on first use. */
  get db(): MetricsDb {
    this.opened ??= new MetricsDb(join(this.options.dataDir, 'metrics.sqlite'));
    return this.opened;
  }

  /** Today in the shop's time zone, unless `today` fixes it (--now). */
  today(today?: string): string {
    return today ?? todayIn(this.options.tz, this.options.clock.now());
  }

  /** What the parser needs to know: today and the data's channel and product names. */
  context(today?: string): ParseContext {
    return { today: this.today(today), channels: this.db.names('channel'), products: this.db.names('product') };
  }

  /** Trims a question and refuses an empty or overlong one. */
  validate(question: string): string {
    const q = question.trim();
    if (!q) throw new UserFacingError(ErrorCode.METRICS_QUESTION_EMPTY, 'errors/metrics-question-empty');
    // Characters as a person counts them: an emoji is one.
    const length = charCount(q);
    if (length > MAX_QUESTION_CHARS) {
      throw new UserFacingError(ErrorCode.METRICS_QUESTION_TOO_LONG, 'errors/metrics-question-too-long', { length, max: MAX_QUESTION_CHARS });
    }
    return q;
  }

  /** Reads a question: the model's typed query when one is configured and answers well, else the offline parse. */
  async parse(question: string, ctx: ParseContext): Promise<{ query?: KpiQuery; mode: 'offline' | 'model' }> {
    const offline = parseQuestion(question, ctx);
    const fallback = { ...(offline.ok ? { query: offline.query } : {}), mode: 'offline' as const };
    const { llm, prompts, logger } = this.options;
    if (!llm?.chatModel) return fallback;
    try {
      const query = await parseWithModel(question, ctx, llm, prompts);
      return query ? { query, mode: 'model' } : fallback;
    } catch (err) {
      logger.warn({ err }, 'metrics: the model could not parse the question; the offline parse stands');
      return fallback;
    }
  }

  /** Answers a KPI question: the number, a comparison or breakdown, advice when a ratio fell, and a chart where one helps. */
  async ask(question: string, options: { today?: string; chat?: boolean } = {}): Promise<KpiReply> {
    const q = this.validate(question);
    const ctx = this.context(options.today);
    const { query, mode } = await this.parse(q, ctx);
    const { prompts } = this.options;
    if (!query) {
      const answer: KpiAnswer = { question: q, metric: null, from: null, to: null, filters: {}, value: null, unit: null, text: prompts.render('metrics/help'), mode };
      return { answer };
    }
    const result = executeQuery(this.db, query);
    const advice = await this.adviceOnDrop(result);
    const coverage = result.rows === 0 ? this.db.coverage() : undefined;
    const text = formatResult(result, prompts, {
      today: ctx.today,
      ...(options.chat ? { chat: true } : {}),
      ...(coverage ? { coverage } : {}),
      ...(advice ? { advice: this.adviceLine(result, advice, ctx.today) } : {}),
    });
    const r = result.query;
    const answer: KpiAnswer = {
      question: q,
      metric: r.metric,
      from: r.from,
      to: r.to,
      filters: r.filters,
      value: clean(result.value),
      unit: result.unit,
      ...(result.compare ? { compare: { ...result.compare, value: clean(result.compare.value), change: clean(result.compare.change) } } : {}),
      ...(result.breakdown ? { breakdown: result.breakdown.map((e) => ({ key: e.key, value: clean(e.value) })) } : {}),
      text,
      mode,
      ...(advice ? { advice } : {}),
    };
    const chart = this.chartFor(result, ctx.today);
    return { answer, ...(chart ? { chart } : {}) };
  }

  /**
   * Advice from the playbook when a ratio got worse by DROP_THRESHOLD or more against the previous
   * period: fell, or for the refund rate, rose.
   */
  private async adviceOnDrop(r: KpiResult): Promise<PlaybookAdvice | undefined> {
    const { knowledge, logger } = this.options;
    if (!knowledge || !isRatio(r.query.metric) || !r.previous) return undefined;
    const change = changeOf(r.value, r.previous.value);
    if (change === null || -change * worseSign(r.query.metric) < DROP_THRESHOLD) return undefined;
    return adviceFor(r.query.metric, knowledge, logger);
  }

  private adviceLine(r: KpiResult, advice: PlaybookAdvice, today: string): string {
    const { prompts } = this.options;
    const change = changeOf(r.value, r.previous!.value) ?? 0;
    return prompts.render(worseSign(r.query.metric) > 0 ? 'metrics/advice' : 'metrics/advice-rise', {
      metric: prompts.render(`metrics/name/${r.query.metric}`),
      period: formatPeriod(r.previous!, yearOf(today), prompts),
      drop: formatChange(Math.abs(change)).replace(/^\+/, ''),
      advice: advice.text,
      doc: advice.doc,
      section: advice.section ? prompts.render('metrics/advice-section', { section: advice.section }) : '',
    });
  }

  /** The picture for an answer: bars by channel or product, a line by date, or bars of a comparison. */
  chartFor(r: KpiResult, today: string): ChartSpec | undefined {
    const { prompts } = this.options;
    if (r.rows === 0) return undefined;
    const year = yearOf(today);
    const q = r.query;
    const title = prompts.render('metrics/chart-title', {
      period: formatPeriod(q, year, prompts),
      scope: formatScope(q.filters, prompts),
      metric: prompts.render(`metrics/name/${q.metric}`),
    });
    const current = prompts.render('metrics/chart-series-current');
    if (r.breakdown && !q.rank && r.breakdown.length > 0) {
      const byDate = q.breakdown === 'date';
      // Dates stay ISO: the chart shortens them to fit its axis.
      const labels = r.breakdown.map((e) => (byDate ? e.key : displayKey(e.key, prompts)));
      const series = [{ name: current, values: r.breakdown.map((e) => e.value) }];
      if (r.compareBreakdown && q.compare) {
        series.push({ name: prompts.render('metrics/chart-series-compare', { label: prompts.render(`metrics/compare-${q.compare}`) }), values: r.compareBreakdown.map((e) => e.value) });
      }
      return { kind: byDate ? 'line' : 'bar', title, labels, series, unit: r.unit };
    }
    if (r.compare && !q.breakdown) {
      return {
        kind: 'bar',
        title,
        labels: [formatPeriod(r.compare, year, prompts), formatPeriod(q, year, prompts)],
        series: [{ name: prompts.render('metrics/name/' + q.metric), values: [r.compare.value, r.value] }],
        unit: r.unit,
      };
    }
    return undefined;
  }

  /** Units sold per product on one day (YYYY-MM-DD), most first; empty when that day has no data. */
  unitsByProduct(day: string): { product: string; units: number }[] {
    if (this.db.count() === 0) return [];
    const result = executeQuery(this.db, { metric: 'units', from: day, to: day, filters: {}, breakdown: 'product' });
    return (result.breakdown ?? []).flatMap((b) => (typeof b.value === 'number' && b.value > 0 ? [{ product: b.key, units: b.value }] : []));
  }

  close(): void {
    this.opened?.close();
    this.opened = undefined;
  }
}

/** 1 where a fall is bad news (most ratios), −1 where a rise is (the refund rate). */
function worseSign(metric: MetricName): number {
  return metric === 'refund_rate' ? -1 : 1;
}

/** A value without binary noise (0.1 + 0.2), to ten decimals. */
function clean(v: number | null): number | null {
  return v === null ? null : Math.round(v * 1e10) / 1e10;
}
