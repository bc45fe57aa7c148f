/**
 * One import in a process of its own, so its memory is the importer's alone: prints, as JSON, the time,
 * the summary's counts, and the peak RSS over the process's life (getrusage maxRSS) minus the RSS just
 * before the import started, with the largest V8 heapUsed above its value before the import (sampled
 * at every progress report). Started by bench/metrics.ts: `metrics-import.ts <export.csv> <metrics.sqlite>`.
 */
import { MetricsDb } from '../src/skills/metrics/db.js';
import { importMetricsFile } from '../src/skills/metrics/import.js';
import { prompts } from '../tests/helpers.js';

const [file, dbPath] = process.argv.slice(2);
if (!file || !dbPath) throw new Error('usage: metrics-import.ts <export.csv> <metrics.sqlite>');
const db = new MetricsDb(dbPath);
(globalThis as { gc?: () => void }).gc?.();
const rssBefore = process.memoryUsage().rss;
const heapBefore = process.memoryUsage().heapUsed;
let heapPeak = heapBefore;
const t = performance.now();
const cpu0 = process.cpuUsage();
const summary = await importMetricsFile(file, {
  db,
  prompts,
  onProgress: () => {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  },
});
const ms = performance.now() - t;
const used = process.cpuUsage(cpu0);
const cpuMs = (used.user + used.system) / 1000;
const maxRss = process.resourceUsage().maxRSS * 1024;
db.close();
process.stdout.write(
  JSON.stringify({ ms, cpuMs, rows: summary.rows, added: summary.added, replaced: summary.replaced, rssBefore, rssPeakDelta: maxRss - rssBefore, heapPeakDelta: heapPeak - heapBefore }) + '\n',
);
