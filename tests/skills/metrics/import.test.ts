import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, UserFacingError } from '../../../src/kernel/errors.js';
import { MetricsDb } from '../../../src/skills/metrics/db.js';
import { importMetricsFile, parseCount, parseDate, parseMoney, type ImportSummary } from '../../../src/skills/metrics/import.js';
import { fieldOfHeader, mapHeaders, normalizeHeader } from '../../../src/skills/metrics/headers.js';
import { PACKAGE_ROOT, prompts, tempDir } from '../../helpers.js';

let dir: string;
let cleanup: () => void;
let db: MetricsDb;

beforeEach(() => {
  ({ dir, cleanup } = tempDir('opsbot-metrics-'));
  db = new MetricsDb(join(dir, 'data', 'metrics.db'));
});

afterEach(() => {
  db.close();
  cleanup();
});

/** Writes `content` (text as UTF-8, or bytes as they are) to a file in the temp dir and returns its path. */
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function load(path: string, extra: { name?: string; onProgress?: (done: number, total: number) => void } = {}): Promise<ImportSummary> {
  return importMetricsFile(path, { db, prompts, ...extra });
}

/** The UserFacingError an import fails with; its message must render with the real prompts. */
async function failure(path: string): Promise<UserFacingError> {
  const err = await load(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserFacingError);
  const ufe = err as UserFacingError;
  expect(() => prompts.render(ufe.promptKey, ufe.params)).not.toThrow();
  return ufe;
}

const ALL = { from: '2000-01-01', to: '2999-12-31' };
const sums = (filters: { channel?: string; product?: string } = {}) => db.sums({ ...ALL, filters }).sums;

describe('importMetricsFile', () => {
  it('imports English headers, in any case and with spaces for underscores', async () => {
    const path = file(
      'daily.csv',
      [
        'Date,Channel,Product,Impressions,Clicks,Visitors,Add To Cart,orders,BUYERS,units,Revenue,refund amount',
        '2026-11-25,douyin,A,1000,100,80,20,10,9,12,1234.5,100',
        '2026-11-26,douyin,A,2000,150,120,30,15,14,16,2000,0',
      ].join('\n'),
    );
    const summary = await load(path);
    expect(summary).toEqual({
      file: path,
      encoding: 'utf-8',
      delimiter: ',',
      rows: 2,
      added: 2,
      replaced: 0,
      first: '2026-11-25',
      last: '2026-11-26',
      columns: {
        date: 'Date',
        channel: 'Channel',
        product: 'Product',
        impressions: 'Impressions',
        clicks: 'Clicks',
        visitors: 'Visitors',
        add_to_cart: 'Add To Cart',
        orders: 'orders',
        buyers: 'BUYERS',
        units: 'units',
        revenue: 'Revenue',
        refund_amount: 'refund amount',
      },
      ignored: [],
      totals: 0,
    });
    expect(sums()).toEqual({
      impressions: 3000,
      clicks: 250,
      visitors: 200,
      add_to_cart: 50,
      orders: 25,
      buyers: 23,
      units: 28,
      revenue: 323450,
      refund_amount: 10000,
    });
    expect(db.names('channel')).toEqual(['douyin']);
  });

  it('imports Chinese headers, units in brackets, and reports the columns it ignores', async () => {
    const path = file(
      'traffic.csv',
      ['统计日期,来源,商品名称,展现量,访客数,点击率,支付买家数,支付金额（元）', '2026-11-25,抖音,保温杯,5000,300,6.00%,12,"1,199.00"'].join('\n'),
    );
    const summary = await load(path, { name: '生意参谋.csv' });
    expect(summary.file).toBe('生意参谋.csv');
    expect(summary.columns).toEqual({
      date: '统计日期',
      channel: '来源',
      product: '商品名称',
      impressions: '展现量',
      visitors: '访客数',
      buyers: '支付买家数',
      revenue: '支付金额（元）',
    });
    expect(summary.ignored).toEqual(['点击率']);
    expect(sums({ channel: '抖音', product: '保温杯' })).toMatchObject({ impressions: 5000, visitors: 300, buyers: 12, revenue: 119900, clicks: null });
  });

  it('reads a GBK file', async () => {
    const text = '日期,渠道,商品,访客数,销售额\r\n2026-11-25,淘宝,羽绒服,88,"￥12,345.60"\r\n';
    const summary = await load(file('gbk.csv', iconv.encode(text, 'gbk')));
    expect(summary.encoding).toBe('gbk');
    expect(summary.rows).toBe(1);
    expect(db.names('product')).toEqual(['羽绒服']);
    expect(sums({ channel: '淘宝' })).toMatchObject({ visitors: 88, revenue: 1234560 });
  });

  it('reads UTF-8 with a BOM', async () => {
    const path = file('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('日期,订单数\n2026-11-25,7\n')]));
    const summary = await load(path);
    expect(summary.encoding).toBe('utf-8-bom');
    expect(summary.columns).toEqual({ date: '日期', orders: '订单数' });
    expect(sums().orders).toBe(7);
  });

  it('parses money with ￥ / ¥ / 元 and thousands separators into exact fen, and counts with separators', async () => {
    const path = file(
      'money.csv',
      [
        '日期,商品,销售额,退款金额,销量',
        '2026-11-25,a,"￥12,345.60",¥12345.6,"1,234"',
        '2026-11-25,b,12345.6元,0.29,"12,345"',
        '2026-11-25,c,0.1,0.07,1',
      ].join('\n'),
    );
    await load(path);
    expect(sums({ product: 'a' })).toMatchObject({ revenue: 1234560, refund_amount: 1234560, units: 1234 });
    expect(sums({ product: 'b' })).toMatchObject({ revenue: 1234560, refund_amount: 29, units: 12345 });
    expect(sums({ product: 'c' })).toMatchObject({ revenue: 10, refund_amount: 7, units: 1 });
  });

  it('reads CRLF line ends', async () => {
    const summary = await load(file('crlf.csv', '日期,渠道,访客数\r\n2026-11-25,抖音,10\r\n2026-11-26,抖音,20\r\n'));
    expect(summary.rows).toBe(2);
    expect(db.names('channel')).toEqual(['抖音']);
    expect(sums().visitors).toBe(30);
  });

  it('reads TSV, including a .txt export', async () => {
    const tsv = await load(file('a.tsv', '日期\t渠道\t支付金额\n2026-11-25\t快手\t1,000.5\n'));
    expect(tsv.delimiter).toBe('\t');
    expect(sums().revenue).toBe(100050);
    const txt = await load(file('b.txt', '日期\t渠道\t支付金额\n2026-11-26\t快手\t1\n'));
    expect(txt.delimiter).toBe('\t');
    expect(sums().revenue).toBe(100150);
  });

  it('reads every date form, ignoring a time, and stores YYYY-MM-DD', async () => {
    const path = file(
      'dates.csv',
      [
        '日期,订单数',
        '2026-11-25,1',
        '2026/11/24,1',
        '20261123,1',
        '2026-11-5,1',
        '2026年11月22日,1',
        '2026-11-21 00:00:00,1',
        '2026/1/2 08:30,1',
        '２０２６－１１－２０,1',
      ].join('\n'),
    );
    const summary = await load(path);
    expect(summary).toMatchObject({ rows: 8, first: '2026-01-02', last: '2026-11-25' });
    expect(db.groupSums(ALL, 'date').map((g) => g.key)).toEqual([
      '2026-01-02',
      '2026-11-05',
      '2026-11-20',
      '2026-11-21',
      '2026-11-22',
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
    ]);
  });

  it('stores an empty channel and product when the file has no such columns', async () => {
    await load(file('plain.csv', '日期,访客数\n2026-11-25,5\n'));
    expect(db.names('channel')).toEqual(['']);
    expect(db.names('product')).toEqual(['']);
    expect(sums({ channel: '', product: '' }).visitors).toBe(5);
  });

  it('treats an empty cell, - and -- as no value', async () => {
    await load(file('gaps.csv', '日期,商品,访客数,销售额\n2026-11-25,a,,-\n2026-11-25,b,--, \n2026-11-25,c,12.0,1\n'));
    expect(sums({ product: 'a' })).toMatchObject({ visitors: null, revenue: null });
    expect(sums({ product: 'b' })).toMatchObject({ visitors: null, revenue: null });
    expect(sums({ product: 'c' })).toMatchObject({ visitors: 12, revenue: 100 });
  });

  it('changes nothing when the same file is imported again', async () => {
    const path = file('same.csv', '日期,渠道,访客数,支付金额\n2026-11-25,抖音,10,1.5\n2026-11-26,抖音,20,2.5\n');
    const first = await load(path);
    const before = sums();
    const again = await load(path);
    expect(first).toMatchObject({ rows: 2, added: 2, replaced: 0 });
    expect(again).toMatchObject({ rows: 2, added: 0, replaced: 2 });
    expect(sums()).toEqual(before);
    expect(db.count()).toBe(2);
  });

  it('lets two files with different columns complete each other for the same keys', async () => {
    await load(file('traffic.csv', '日期,渠道,曝光量,访客数\n2026-11-25,抖音,1000,100\n'));
    const sales = await load(file('sales.csv', '日期,渠道,订单数,成交金额\n2026-11-25,抖音,5,500\n'));
    expect(sales).toMatchObject({ rows: 1, added: 0, replaced: 1 });
    expect(db.count()).toBe(1);
    expect(sums()).toMatchObject({ impressions: 1000, visitors: 100, orders: 5, revenue: 50000, clicks: null });
  });

  it('stops at a malformed value, naming line and column, and stores nothing from the file', async () => {
    await load(file('earlier.csv', '日期,订单数\n2026-11-01,3\n'));
    const path = file('bad.csv', '日期,渠道,订单数\n2026-11-25,抖音,1\n2026-11-26,抖音,2\n2026-11-27,抖音,abc\n2026-11-28,抖音,4\n');
    const err = await failure(path);
    expect(err.code).toBe(ErrorCode.METRICS_VALUE_INVALID);
    expect(err.promptKey).toBe('errors/metrics-value-invalid');
    expect(err.params).toEqual({ file: path, line: 4, column: '订单数', value: 'abc', expected: prompts.render('metrics/expect-count') });
    expect(db.count()).toBe(1);
    expect(sums().orders).toBe(3);
    // The database is usable afterwards: the transaction was rolled back, not left open.
    await load(file('good.csv', '日期,订单数\n2026-11-02,4\n'));
    expect(sums().orders).toBe(7);
  });

  it.each([
    ['a fraction in a count', '日期,订单数\n2026-11-25,1.5\n', '订单数', '1.5', 'metrics/expect-count'],
    ['a percentage', '日期,访客数\n2026-11-25,12%\n', '访客数', '12%', 'metrics/expect-count'],
    ['a negative count', '日期,访客数\n2026-11-25,-3\n', '访客数', '-3', 'metrics/expect-count'],
    ['a wrongly grouped number', '日期,访客数\n2026-11-25,"12,34"\n', '访客数', '12,34', 'metrics/expect-count'],
    ['a malformed amount', '日期,销售额(元)\n2026-11-25,1.2.3\n', '销售额(元)', '1.2.3', 'metrics/expect-money'],
    ['an invalid date', '日期,订单数\n2026-02-30,1\n', '日期', '2026-02-30', 'metrics/expect-date'],
    ['a date that is not one', '日期,订单数\n上周,1\n', '日期', '上周', 'metrics/expect-date'],
    ['a missing date', '日期,订单数\n,1\n', '日期', '', 'metrics/expect-date'],
  ])('rejects %s', async (_name, text, column, value, expectedKey) => {
    const path = file('bad.csv', text);
    const err = await failure(path);
    expect(err.code).toBe(ErrorCode.METRICS_VALUE_INVALID);
    expect(err.params).toEqual({ file: path, line: 2, column, value, expected: prompts.render(expectedKey) });
    expect(db.count()).toBe(0);
  });

  it('rejects a row with more fields than the header, but not trailing empty ones', async () => {
    await load(file('trailing.csv', '日期,订单数\n2026-11-25,1,,\n'));
    expect(db.count()).toBe(1);
    const path = file('extra.csv', '日期,订单数\n2026-11-26,1\n2026-11-27,1,234\n');
    const err = await failure(path);
    expect(err.code).toBe(ErrorCode.METRICS_VALUE_INVALID);
    expect(err.params).toMatchObject({ line: 3, column: prompts.render('metrics/import-column-extra', { index: 3 }), value: '234' });
    expect(db.count()).toBe(1);
  });

  it('rejects the same date, channel and product twice in one file', async () => {
    const path = file('dup.csv', '日期,渠道,商品,订单数\n2026-11-25,抖音,A,1\n2026-11-25,抖音,B,1\n2026/11/25,抖音,A,2\n');
    const err = await failure(path);
    expect(err.code).toBe(ErrorCode.METRICS_ROW_DUPLICATE);
    expect(err.promptKey).toBe('errors/metrics-row-duplicate');
    expect(err.params).toEqual({ file: path, firstLine: 2, line: 4, key: '2026-11-25 / 抖音 / A' });
    expect(db.count()).toBe(0);
  });

  it.each([
    ['no bytes', ''],
    ['only blank lines', '\r\n\n\n'],
    ['only a header', '日期,渠道,访客数\n'],
    ['a header and empty rows', '日期,渠道,访客数\n,,\n\n'],
  ])('reports an empty file: %s', async (_name, text) => {
    const path = file('empty.csv', text);
    const err = await failure(path);
    expect(err.code).toBe(ErrorCode.METRICS_FILE_EMPTY);
    expect(err.promptKey).toBe('errors/metrics-file-empty');
    expect(err.params.file).toBe(path);
    for (const name of ['date', '日期', 'revenue', '支付金额', 'GMV', 'refund_amount', '退款金额']) expect(String(err.params.columns)).toContain(name);
  });

  it('reports headers it cannot use: no date, or no measure', async () => {
    const noDate = file('a.csv', 'day,uv_count,gmv_total\n2026-11-25,1,2\n');
    const err = await failure(noDate);
    expect(err.code).toBe(ErrorCode.METRICS_HEADERS_UNKNOWN);
    expect(err.promptKey).toBe('errors/metrics-headers-unknown');
    expect(err.params.file).toBe(noDate);
    expect(err.params.found).toBe(['day', 'uv_count', 'gmv_total'].join(prompts.render('metrics/import-list-separator')));
    expect(String(err.params.columns)).toContain('访客数');

    const noMeasure = await failure(file('b.csv', '日期,渠道,点击率\n2026-11-25,抖音,5%\n'));
    expect(noMeasure.code).toBe(ErrorCode.METRICS_HEADERS_UNKNOWN);
    expect(noMeasure.promptKey).toBe('errors/metrics-headers-unknown');
  });

  it('reports two columns for the same field', async () => {
    const err = await failure(file('twice.csv', '日期,销售额,支付金额\n2026-11-25,1,2\n'));
    expect(err.code).toBe(ErrorCode.METRICS_HEADERS_UNKNOWN);
    expect(err.promptKey).toBe('errors/metrics-headers-duplicate');
    expect(err.params).toMatchObject({ field: 'revenue', first: '销售额', second: '支付金额' });
  });

  it('imports a tab-separated export named .xls as text', async () => {
    const summary = await load(file('export.xls', '日期\t访客数\n2026-11-25\t9\n'));
    expect(summary).toMatchObject({ delimiter: '\t', rows: 1 });
    expect(sums().visitors).toBe(9);
  });

  it('reads quoted fields with commas and quotes', async () => {
    await load(file('quoted.csv', '日期,商品,访客数,销售额\n2026-11-25,"杯子, 大号 ""新款""","1,234","￥1,000"\n'));
    expect(db.names('product')).toEqual(['杯子, 大号 "新款"']);
    expect(sums()).toMatchObject({ visitors: 1234, revenue: 100000 });
  });

  it.each([
    ['a missing file', () => join(dir, 'nope.csv'), 'metrics/unreadable-missing'],
    ['a directory', () => (mkdirSync(join(dir, 'folder.csv')), join(dir, 'folder.csv')), 'metrics/unreadable-directory'],
    ['an .xlsx workbook', () => file('book.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0])), 'metrics/unreadable-xlsx'],
    ['a workbook renamed to .csv', () => file('book.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0])), 'metrics/unreadable-xlsx'],
    ['an old .xls workbook', () => file('book.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])), 'metrics/unreadable-xlsx'],
    ['an HTML table saved as .xls', () => file('export.xls', '<html><table><tr><td>日期</td></tr></table></html>'), 'metrics/unreadable-xlsx'],
    ['a binary file', () => file('image.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d])), 'metrics/unreadable-binary'],
    ['undecodable bytes', () => file('odd.csv', Buffer.from([0xff, 0xff, 0xfe, 0x81, 0x30, 0xff])), 'metrics/unreadable-undecodable-line'],
  ])('reports %s as unreadable', async (_name, make, reasonKey) => {
    const path = make();
    const err = await failure(path);
    expect(err.code).toBe(ErrorCode.METRICS_FILE_UNREADABLE);
    expect(err.promptKey).toBe('errors/metrics-file-unreadable');
    // Undecodable bytes are named by their line (here the first).
    expect(err.params).toEqual({ file: path, reason: prompts.render(reasonKey, { line: 1 }) });
  });

  it('reads a file of many pieces: quoted line breaks across pieces, and the line of a bad value far down', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => {
      const date = new Date(Date.UTC(2020, 0, 1) + Math.floor(i / 10) * 86_400_000).toISOString().slice(0, 10);
      // Every 997th product name is quoted with a comma inside; every 1999th note spans two lines.
      const product = i % 997 === 0 ? `"杯子,${i % 10}"` : `杯子${i % 10}`;
      return `${date},${product},${i},"${i % 1999 === 0 ? '备注\n第二行' : '备注'}"`;
    });
    const text = `date,product,visitors,note\n${rows.join('\n')}\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(4 * 128 * 1024);
    const summary = await load(file('long.csv', text));
    expect(summary).toMatchObject({ rows: 30_000, added: 30_000 });
    expect(sums().visitors).toBe((29_999 * 30_000) / 2);
    // The same rows then one bad value: its line counts every line break, the quoted ones too.
    const breaks = rows.filter((_, i) => i % 1999 === 0).length;
    const bad = await failure(file('bad.csv', `${text}2030-01-01,杯子,x,备注\n`));
    expect(bad.code).toBe(ErrorCode.METRICS_VALUE_INVALID);
    expect(bad.params).toMatchObject({ line: 30_002 + breaks, value: 'x' });
    expect(db.count()).toBe(30_000);
  });

  it('reports progress every 20,000 rows and at the end', async () => {
    const lines = ['日期,商品,访客数'];
    for (let i = 0; i < 45_000; i++) lines.push(`2026-11-25,p${i},1`);
    const calls: [number, number][] = [];
    const summary = await load(file('big.csv', lines.join('\n')), { onProgress: (done, total) => calls.push([done, total]) });
    expect(summary.rows).toBe(45_000);
    expect(calls).toEqual([
      [20_000, 45_000],
      [40_000, 45_000],
      [45_000, 45_000],
    ]);
    expect(sums().visitors).toBe(45_000);
  });

  it('yields to the event loop during a long import, so a progress bar can draw', async () => {
    const lines = ['日期,商品,访客数'];
    for (let i = 0; i < 60_000; i++) lines.push(`2026-11-25,p${i},1`);
    let latest = 0;
    let drawnAt: number | undefined;
    await load(file('long.csv', lines.join('\n')), {
      onProgress: (done) => {
        latest = done;
        if (done === 20_000) setImmediate(() => (drawnAt = latest));
      },
    });
    // Without a yield the callback would only run after the last row (60,000).
    expect(drawnAt).toBe(40_000);
  });
});

describe('headers', () => {
  it.each([
    ['日期', 'date'],
    ['\uFEFF日期', 'date'],
    [' 时间 ', 'date'],
    ['平台', 'channel'],
    ['商品名', 'product'],
    ['曝光', 'impressions'],
    ['点击次数', 'clicks'],
    ['UV', 'visitors'],
    ['uv', 'visitors'],
    ['ＵＶ', 'visitors'],
    ['加购件数', 'add_to_cart'],
    ['下单数', 'orders'],
    ['成交人数', 'buyers'],
    ['销售件数', 'units'],
    ['销售额(元)', 'revenue'],
    ['支付金额（元）', 'revenue'],
    ['GMV', 'revenue'],
    ['退款额', 'refund_amount'],
    ['Refund  Amount', 'refund_amount'],
    ['add_to_cart', 'add_to_cart'],
    ['点击率', undefined],
    ['转化率', undefined],
    ['客单价', undefined],
    ['', undefined],
  ])('%j → %s', (header, field) => {
    expect(fieldOfHeader(header)).toBe(field);
  });

  it('normalises full-width forms and trailing units', () => {
    expect(normalizeHeader(' 支付金额 （元） ')).toBe('支付金额');
    expect(normalizeHeader('Add To Cart')).toBe('add_to_cart');
  });

  it('maps a header row, listing unknown columns and rejecting a field named twice', () => {
    expect(mapHeaders(['日期', '点击率', '', '访客数'])).toEqual({
      ok: true,
      index: { date: 0, visitors: 3 },
      columns: { date: '日期', visitors: '访客数' },
      ignored: ['点击率'],
    });
    expect(mapHeaders(['日期', '时间', '访客数'])).toEqual({ ok: false, field: 'date', first: '日期', second: '时间' });
  });
});

describe('value parsers', () => {
  it.each([
    ['2026-11-25', '2026-11-25'],
    ['2026/11/25', '2026-11-25'],
    ['20261125', '2026-11-25'],
    ['2026-11-5', '2026-11-05'],
    ['2026年11月25日', '2026-11-25'],
    ['2026-11-25 00:00:00', '2026-11-25'],
    ['2026-11-25T10:00', '2026-11-25'],
    ['2024-02-29', '2024-02-29'],
    ['2026-02-29', undefined],
    ['2026-02-30', undefined],
    ['2026-13-01', undefined],
    ['2026-11-00', undefined],
    ['2026-11/25', undefined],
    ['25/11/2026', undefined],
    ['', undefined],
  ])('date %j → %s', (raw, expected) => {
    expect(parseDate(raw)).toBe(expected);
  });

  it.each([
    ['12', 12],
    ['1,234', 1234],
    ['1,234,567', 1234567],
    ['12.0', 12],
    [' 7 ', 7],
    ['１２', 12],
    ['', null],
    ['-', null],
    ['--', null],
    ['1.5', undefined],
    ['abc', undefined],
    ['12%', undefined],
    ['1.2.3', undefined],
    ['-3', undefined],
    ['12,34', undefined],
  ])('count %j → %s', (raw, expected) => {
    expect(parseCount(raw)).toBe(expected);
  });

  it.each([
    ['0.29', 29],
    ['1.1', 110],
    ['12345.6', 1234560],
    ['￥12,345.60', 1234560],
    ['¥12345.6', 1234560],
    ['12345.6元', 1234560],
    ['¥ 100', 10000],
    ['0.125', 13],
    ['0.124', 12],
    ['0.995', 100],
    ['', null],
    ['--', null],
    ['abc', undefined],
    ['12%', undefined],
    ['1.2.3', undefined],
    ['-1', undefined],
  ])('money %j → %s fen', (raw, expected) => {
    expect(parseMoney(raw)).toBe(expected);
  });
});

describe('what spreadsheets and back offices add to an export', () => {
  it('skips totals rows, reads Excel\'s sep= line and scientific notation', async () => {
    const path = file(
      'excel.csv',
      'sep=;\r\n日期;渠道;商品;访客数;支付金额\r\n2026-11-24;淘宝;杯子;1.2E+4;100\r\n2026-11-24;抖音;杯子;100;50\r\n合计;;;12100;150\r\n',
    );
    const summary = await load(path);
    expect(summary).toMatchObject({ rows: 2, totals: 1, delimiter: ';' });
    expect(db.sums({ from: '2026-11-24', to: '2026-11-24' }).sums).toMatchObject({ visitors: 12_100, revenue: 15_000 });
  });

  it('waits for another process\'s import holding the write lock, and counts what it added inside the lock', async () => {
    const dbPath = join(dir, 'data', 'metrics.db');
    // Another process takes the write lock, writes a row, holds the lock for a moment, then commits.
    const holder = spawn(process.execPath, [
      '-e',
      `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(dbPath)});
       db.exec('BEGIN IMMEDIATE'); db.prepare("INSERT INTO daily_metrics (date, channel, product, visitors) VALUES ('2026-11-20', '', '', 1)").run();
       process.stdout.write('locked\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 800); db.exec('COMMIT'); db.close();`,
    ], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    // Listened for from the start: the holder may exit while the import is still finishing.
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const summary = await load(file('second.csv', 'date,visitors\n2026-11-21,5\n'));
    expect(summary).toMatchObject({ rows: 1, added: 1, replaced: 0 });
    expect(db.count()).toBe(2);
    await exited;
  });
});
