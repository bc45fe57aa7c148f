import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/kernel/errors.js';
import { MetricsDb } from '../../src/skills/metrics/db.js';
import { startConsole, type ConsoleRun } from '../console/harness.js';

// The console's /api/kpi/import runs the same importer: a hostile upload is refused whole, naming its
// line, in Chinese, and what was imported before stays as it was.

let run: ConsoleRun;
const upload = (name: string, body: string | Uint8Array) =>
  run.api(`/api/kpi/import?name=${encodeURIComponent(name)}`, { method: 'POST', body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]), headers: { 'content-type': 'application/octet-stream' } });
const ALL = { from: '0001-01-01', to: '9999-12-31' };

/** What the metrics file holds, read through a second connection (WAL lets it read alongside). */
function stored() {
  const db = new MetricsDb(join(run.dir, 'data', 'metrics.sqlite'));
  try {
    return { rows: db.count(), sums: db.sums(ALL), channels: db.names('channel') };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  run = await startConsole();
  const seeded = await upload('seed.csv', '日期,渠道,访客数,支付金额\n2026-11-30,抖音直播,100,500\n2026-12-01,淘宝,200,800\n');
  expect(seeded.status).toBe(200);
}, 60_000);
afterAll(async () => run?.close());

describe('POST /api/kpi/import refuses a hostile export whole', () => {
  it.each<[string, string | Buffer, ErrorCode, RegExp]>([
    ['an unterminated quote', '日期,渠道,访客数\n2026-12-02,淘宝,1\n2026-12-03,"抖音直播,2\n2026-12-04,淘宝,3\n', ErrorCode.METRICS_QUOTE_UNCLOSED, /第 3 行.*引号/s],
    ['the date 9999-12-31', '日期,渠道,访客数\n9999-12-31,淘宝,1\n', ErrorCode.METRICS_VALUE_INVALID, /第 2 行.*9999-12-31/s],
    [
      'a UTF-8 export with one GBK row',
      Buffer.concat([Buffer.from('日期,渠道,访客数\n2026-12-02,抖音直播,1\n', 'utf8'), iconv.encode('2026-12-03,抖音直播,2\n', 'gbk'), Buffer.from('2026-12-04,抖音直播,3\n', 'utf8')]),
      ErrorCode.METRICS_ENCODING_MIXED,
      /第 3 行.*UTF-8/s,
    ],
    ['a 20,000-character channel name', `日期,渠道,访客数\n2026-12-02,${'抖'.repeat(20_000)},1\n`, ErrorCode.METRICS_VALUE_TOO_LONG, /第 2 行.*渠道/s],
  ])('%s', async (_name, body, code, said) => {
    const before = stored();
    const res = await upload('export.csv', body);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe(code);
    expect(error.message).toContain('export.csv');
    expect(error.message).toMatch(said);
    expect(error.message.length).toBeLessThan(1_000);
    expect(stored()).toEqual(before);
  });
});
