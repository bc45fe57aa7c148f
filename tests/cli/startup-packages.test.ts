import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatReply, PACKAGE_ROOT, runOpsbot, startFakeOpenAi, tempDir, type CliRun } from '../helpers.js';

// What a command loads is what it costs to start: `ask`, `reply` and `kpi` answer from local files and
// must not load the platform adapters, the HTTP server, the picture and chart renderers, the model SDK
// or the Redis queue. Each run records every npm package the process loads (ESM and require()).
const HOOK = join(PACKAGE_ROOT, 'tests', 'fixtures', 'record-packages.mjs');
const NOT_ON_ANSWER_PATHS = ['wechaty', 'grammy', '@grammyjs/runner', '@grammyjs/auto-retry', 'echarts', '@resvg/resvg-js', 'fastify', 'openai', 'bullmq', 'ioredis'];

let work: { dir: string; cleanup: () => void };
let runs = 0;

/** Runs `opsbot` with the recording hook; resolves to the run and the packages it loaded. */
async function recorded(args: string[], env: Record<string, string> = {}): Promise<CliRun & { packages: Set<string> }> {
  const file = join(work.dir, `packages-${++runs}.txt`);
  const run = await runOpsbot(args, work.dir, { LOG_LEVEL: 'warn', NODE_OPTIONS: `--import ${HOOK}`, OPSBOT_RECORD_PACKAGES: file, ...env });
  const packages = new Set(existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
  return { ...run, packages };
}

beforeAll(async () => {
  work = tempDir('opsbot-startup-packages-');
  expect((await runOpsbot(['kb', 'build'], work.dir, { LOG_LEVEL: 'warn' })).code).toBe(0);
  const csv = join(work.dir, 'export.csv');
  writeFileSync(csv, 'date,channel,product,visitors,orders,buyers,revenue\n2026-11-24,淘宝,保温杯,100,5,4,400\n');
  expect((await runOpsbot(['metrics', 'import', csv], work.dir, { LOG_LEVEL: 'warn' })).code).toBe(0);
});
afterAll(() => work.cleanup());

describe('what the answering commands load', () => {
  it('the hook sees packages loaded by import and by require()', async () => {
    const run = await recorded(['ask', '直播预告应该提前多久发？']);
    expect(run.code).toBe(0);
    // commander is imported (ESM); better-sqlite3 is required by the metrics store, jieba is native.
    expect(run.packages).toContain('commander');
    expect(run.packages).toContain('@node-rs/jieba');
  });

  it.each([
    ['ask', ['ask', '直播预告应该提前多久发？']],
    ['reply', ['reply', '我昨天下的单什么时候发货？']],
    ['kpi', ['kpi', '昨天转化率', '--now', '2026-11-25']],
  ])('%s loads no adapter, server, renderer, model SDK or queue', async (_name, args) => {
    const run = await recorded(args);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).not.toBe('');
    expect(NOT_ON_ANSWER_PATHS.filter((p) => run.packages.has(p))).toEqual([]);
  });

  it('ask loads the model SDK when a model is configured', async () => {
    const model = await startFakeOpenAi({ chat: () => chatReply('提前一天发预告。') });
    try {
      const run = await recorded(['ask', '直播预告应该提前多久发？'], { OPENAI_BASE_URL: model.url, OPENAI_API_KEY: 'sk-test', OPENAI_MODEL: 'test-model' });
      expect(run.code, run.stderr).toBe(0);
      expect(run.packages).toContain('openai');
      expect(model.requests.length).toBeGreaterThan(0);
    } finally {
      await model.close();
    }
  });
});
