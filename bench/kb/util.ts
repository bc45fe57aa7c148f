/** Timing, statistics and formatting helpers shared by the knowledge-base benchmark's parts. */

export function log(message: string): void {
  process.stderr.write(`[bench:kb] ${message}\n`);
}

/** Small seeded PRNG (mulberry32): the synthetic corpus is the same on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hasGc(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) return;
  g();
  g();
}

/** Nearest-rank percentile of a sample. */
export function percentile(sample: readonly number[], p: number): number {
  const sorted = [...sample].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export const median = (sample: readonly number[]) => percentile(sample, 0.5);

export function ms(value: number): string {
  if (value >= 1000) return value.toFixed(0);
  if (value >= 100) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

export const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
/** opsbot ÷ peer; "n/a" when the peer's figure is not positive (nothing to divide by). */
export const ratio = (ours: number, theirs: number) => (theirs > 0 && ours >= 0 ? `${(ours / theirs).toFixed(2)}×` : 'n/a');
export const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
export const minutes = (seconds: number) => {
  const m = Math.max(1, Math.round(seconds / 30) / 2);
  return `${m} minute${m === 1 ? '' : 's'}`;
};

export async function timeAsync(fn: () => unknown): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** One warm-up, then `runs` timed runs: the median. */
export async function medianBuild(runs: number, fn: () => unknown): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeAsync(fn));
  return median(times);
}

export interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly n: number;
}

/**
 * Warm-up over the first `warmup` distinct queries (all of them by default), then each query timed on its
 * own. The timing includes awaiting the result, so async engines pay their microtask like everyone else.
 */
export async function latency(queries: readonly string[], fn: (q: string) => unknown, warmup = Infinity): Promise<Latency> {
  for (const q of [...new Set(queries)].slice(0, warmup)) await fn(q);
  const times: number[] = [];
  for (const q of queries) {
    const started = performance.now();
    await fn(q);
    times.push(performance.now() - started);
  }
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), n: times.length };
}

export interface Memory {
  /** heapUsed after the build minus before (both after `gc()`): the live index. */
  readonly heap: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
}

/** Runs `build` between two `gc()`ed memory readings. */
export async function measured<T>(build: () => T | Promise<T>): Promise<{ value: T; ms: number; memory: Memory }> {
  gc();
  const before = process.memoryUsage();
  const started = performance.now();
  const value = await build();
  const elapsed = performance.now() - started;
  gc();
  const after = process.memoryUsage();
  return { value, ms: elapsed, memory: { heap: after.heapUsed - before.heapUsed, rssBefore: before.rss, rssAfter: after.rss } };
}
