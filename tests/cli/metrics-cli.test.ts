import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/kernel/errors.js';
import { OPSBOT_BIN, prompts, runOpsbot, STACK_TRACE, tempDir } from '../helpers.js';

const BIN = OPSBOT_BIN;
let work: { dir: string; cleanup: () => void };

const opsbot = (args: string[], env: Record<string, string> = {}) => runOpsbot(args, work.dir, { LOG_LEVEL: 'warn', ...env });

const file = (name: string, content: string | Buffer) => {
  const path = join(work.dir, name);
  writeFileSync(path, content);
  return path;
};

// A back office's export in GBK with CRLF, Chinese headers, ￥ amounts (GBK has the full-width sign only) and a computed 点击率 column.
const EXPORT = [
  '日期,渠道,商品名称,展现量,点击量,访客数,加购人数,订单数,支付买家数,支付件数,支付金额,退款金额,点击率',
  '2026/11/17,抖音直播,保温杯,1000,80,50,5,5,5,5,"￥500.00",0,8%',
  '20261122,抖音直播,保温杯,1000,50,40,4,2,2,2,￥200,0,5%',
  '2026-11-23,抖音直播,保温杯,1000,50,40,8,5,4,6,"￥400.00",0,5%',
  '2026-11-23,淘宝,保温杯,3000,30,60,6,3,3,3,150,50,1%',
  '2026-11-24,抖音直播,保温杯,2000,100,100,10,10,9,12,"￥900.00",￥90,5%',
  '2026-11-24,抖音直播,羽绒服,500,20,10,1,1,1,1,"￥599.00",0,4%',
].join('\r\n');

beforeAll(async () => {
  work = tempDir('opsbot-metrics-cli-');
  const run = await opsbot(['metrics', 'import', file('export.csv', iconv.encode(EXPORT, 'gbk'))]);
  expect(run.code).toBe(0);
});
afterAll(() => work.cleanup());

describe('opsbot metrics import', () => {
  it('summarises the import, and with --json gives one object; importing again adds nothing', async () => {
    const run = await opsbot(['metrics', 'import', join(work.dir, 'export.csv'), '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ rows: 6, added: 0, replaced: 6, from: '2026-11-17', to: '2026-11-24', encoding: 'gbk', ignored: ['点击率'] });
    const status = JSON.parse((await opsbot(['metrics', 'status', '--json'])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ rows: 6, from: '2026-11-17', to: '2026-11-24', channels: ['抖音直播', '淘宝'], products: 2 });
  });

  it('rejects a whole file for one bad value, naming the file, the line and the column', async () => {
    const bad = file('bad.csv', 'date,channel,product,orders,revenue\n2026-11-01,淘宝,杯子,3,100\n2026-11-02,淘宝,杯子,3,100\n2026-11-03,淘宝,杯子,abc,100\n');
    const run = await opsbot(['metrics', 'import', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('bad.csv');
    expect(run.stderr).toContain('4');
    expect(run.stderr).toContain('orders');
    expect(run.stderr).not.toMatch(STACK_TRACE);
    const json = await opsbot(['metrics', 'import', bad, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: ErrorCode.METRICS_VALUE_INVALID, line: 4, column: 'orders', value: 'abc' } });
    // Nothing from that file: November 1st has no data.
    const kpi = JSON.parse((await opsbot(['kpi', '11月1日订单数', '--json', '--now', '2026-11-25'])).stdout) as Record<string, unknown>;
    expect(kpi.value).toBeNull();
  });

  it('explains an empty file and unknown headers, listing the columns it understands', async () => {
    const empty = await opsbot(['metrics', 'import', file('empty.csv', '')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('empty.csv');
    expect(empty.stderr).toContain('访客数');
    const unknown = await opsbot(['metrics', 'import', file('odd.csv', 'foo,bar\n1,2\n')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('foo');
    expect(unknown.stderr).toContain('销售额');
  });
});

describe('opsbot kpi', () => {
  it('answers with --json in the contract shape, "today" fixed by --now or OPSBOT_NOW', async () => {
    const run = await opsbot(['kpi', '昨天转化率？', '--json', '--now', '2026-11-25']);
    expect(run.code).toBe(0);
    const a = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(a).slice(0, 8)).toEqual(['question', 'metric', 'from', 'to', 'filters', 'value', 'unit', 'text']);
    expect(a).toMatchObject({ question: '昨天转化率？', metric: 'cvr', from: '2026-11-24', to: '2026-11-24', filters: {}, unit: 'ratio', text: '📊 昨天（11月24日）支付转化率：9.09%' });
    expect(a.value).toBeCloseTo(10 / 110, 10);
    const env = JSON.parse((await opsbot(['kpi', '昨天转化率？', '--json'], { OPSBOT_NOW: '2026-11-25' })).stdout) as Record<string, unknown>;
    expect(env).toMatchObject({ from: '2026-11-24', to: '2026-11-24' });
  });

  it('gives a comparison and a breakdown in the contract shape', async () => {
    const run = await opsbot(['kpi', '11月23日到11月24日各渠道销售额 环比', '--json', '--now', '2026-11-25']);
    const a = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(a).toMatchObject({
      metric: 'revenue',
      unit: 'yuan',
      value: 2049,
      compare: { from: '2026-11-21', to: '2026-11-22', value: 200 },
      breakdown: [
        { key: '抖音直播', value: 1899 },
        { key: '淘宝', value: 150 },
      ],
    });
    expect((a.compare as { change: number }).change).toBeCloseTo(1849 / 200, 10);
    expect(a.text).toContain('¥2,049.00');
    expect(a.text).toContain('+924.50%');
  });

  it('says there is no data for a period without any, with value null', async () => {
    const run = await opsbot(['kpi', '10月销售额', '--json', '--now', '2026-11-25']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ from: '2026-10-01', to: '2026-10-31', value: null });
  });

  it('writes the chart of a breakdown to --chart as a PNG', async () => {
    const out = join(work.dir, 'chart.png');
    const run = await opsbot(['kpi', '近7天每天的访客数', '--now', '2026-11-25', '--chart', out]);
    expect(run.code).toBe(0);
    const png = PNG.sync.read(readFileSync(out));
    expect(png.width).toBeGreaterThanOrEqual(1000);
    let ink = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 200) ink++;
    expect(ink).toBeGreaterThan(1000);
  });

  it('lists what can be asked for a question it cannot read, and exits 1', async () => {
    const run = await opsbot(['kpi', '你好', '--json']);
    expect(run.code).toBe(1);
    const a = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(a).toMatchObject({ question: '你好', metric: null, value: null, error: { code: ErrorCode.METRICS_QUESTION_UNKNOWN } });
    expect(a.text).toBe(prompts.render('metrics/help'));
  });

  it('answers a batch file line by line, one object per line, and refuses a bad --now', async () => {
    const batch = file('questions.txt', iconv.encode('昨天转化率\r\n\r\n你好\r\n上周销售额\r\n', 'gbk'));
    const run = await opsbot(['kpi', '--batch', batch, '--json', '--now', '2026-11-25']);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.metric)).toEqual(['cvr', null, 'revenue']);
    expect(lines[2]).toMatchObject({ from: '2026-11-16', to: '2026-11-22', value: 700 });
    const badNow = await opsbot(['kpi', '昨天销售额', '--now', '2026-13-01']);
    expect(badNow.code).toBe(2);
    expect(badNow.stderr).not.toMatch(STACK_TRACE);
  });

  it('answers an admin in the playground, saving the chart where the person can open it, and refuses a fan', () => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', OPSBOT_DATA_DIR: join(work.dir, 'data'), OPSBOT_NOW: '2026-11-25', LOG_LEVEL: 'warn' };
    const admin = spawnSync(process.execPath, [BIN, 'chat', '--as', 'admin'], { cwd: work.dir, env, input: '昨天转化率？\n/kpi 近3天每天的销售额\n', encoding: 'utf8', timeout: 60_000 });
    expect(admin.status).toBe(0);
    expect(admin.stdout).toContain('📊 昨天（11月24日）支付转化率：9.09%');
    const saved = /已保存到 (\S+\.png)/.exec(admin.stdout);
    expect(saved).not.toBeNull();
    expect(existsSync(saved![1]!)).toBe(true);
    const fan = spawnSync(process.execPath, [BIN, 'chat'], { cwd: work.dir, env, input: '/kpi 昨天销售额\n', encoding: 'utf8', timeout: 60_000 });
    expect(fan.stdout.trim()).toBe(prompts.render('metrics/admins-only'));
  });

  it('has Chinese help with examples', async () => {
    for (const cmd of [['kpi'], ['metrics'], ['metrics', 'import']]) {
      const run = await opsbot([...cmd, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('示例');
    }
  });
});
