import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, UserFacingError } from '../../src/kernel/errors.js';
import { MetricsDb } from '../../src/skills/metrics/db.js';
import { importMetricsFile, MAX_FILE_BYTES } from '../../src/skills/metrics/import.js';
import { prompts, tempDir } from '../helpers.js';

// Hostile and malformed exports: each is refused whole, naming the line, and what was stored before stays.

let dir: string;
let cleanup: () => void;
let db: MetricsDb;

const ALL = { from: '0001-01-01', to: '9999-12-31' };
const SEED = ['date,channel,product,orders,revenue', '2026-11-01,淘宝,保温杯,3,100', '2026-11-02,抖音直播,保温杯,4,200'].join('\n');

/** Everything a question could read: rows, sums, names and the import log's length. */
function snapshot() {
  return {
    rows: db.count(),
    sums: db.sums(ALL),
    byDay: db.groupSums(ALL, 'date'),
    channels: db.names('channel'),
    products: db.names('product'),
  };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The refusal of an import, its message rendered with the real prompts. */
async function refusal(path: string): Promise<{ err: UserFacingError; message: string }> {
  const err = await importMetricsFile(path, { db, prompts }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserFacingError);
  const ufe = err as UserFacingError;
  return { err: ufe, message: prompts.render(ufe.promptKey, ufe.params) };
}

beforeEach(async () => {
  ({ dir, cleanup } = tempDir('opsbot-faults-metrics-'));
  db = new MetricsDb(join(dir, 'data', 'metrics.sqlite'));
  await importMetricsFile(file('seed.csv', SEED), { db, prompts });
});

afterEach(() => {
  db.close();
  cleanup();
});

const HEADER = 'date,channel,product,orders,revenue';
const wide = (columns: number) => [HEADER + ',' + Array.from({ length: columns - 5 }, (_, i) => `c${i}`).join(','), '2026-11-03,淘宝,杯子,1,1'].join('\n');

describe('a hostile export is refused whole, naming its line, and the earlier data stays', () => {
  it.each<[string, () => string | Buffer, ErrorCode, RegExp]>([
    [
      'an unterminated quote (it used to swallow the rest of the file as one channel name)',
      () => [HEADER, '2026-11-03,淘宝,杯子,1,1', '2026-11-04,"抖音直播,杯子,1,1', '2026-11-05,淘宝,杯子,1,1', ''].join('\n'),
      ErrorCode.METRICS_QUOTE_UNCLOSED,
      /第 3 行.*引号/s,
    ],
    ['a header with 100,000 columns', () => wide(100_000), ErrorCode.METRICS_TOO_MANY_COLUMNS, /第 1 行.*100,000/s],
    [
      'a 50 MB cell in the channel column',
      () => [HEADER, '2026-11-03,淘宝,杯子,1,1', `2026-11-04,${'抖'.repeat(50 * 1024 * 1024 / 3)},杯子,1,1`].join('\n'),
      ErrorCode.METRICS_VALUE_TOO_LONG,
      /第 3 行.*channel/s,
    ],
    [
      'a 50 MB cell in a number column',
      () => [HEADER, `2026-11-03,淘宝,杯子,1,${'9'.repeat(50 * 1024 * 1024)}`].join('\n'),
      ErrorCode.METRICS_VALUE_TOO_LONG,
      /第 2 行.*revenue/s,
    ],
    ['the date 0001-01-01', () => [HEADER, '2026-11-03,淘宝,杯子,1,1', '0001-01-01,淘宝,杯子,1,1'].join('\n'), ErrorCode.METRICS_VALUE_INVALID, /第 3 行.*date.*0001-01-01/s],
    ['the date 9999-12-31', () => [HEADER, '9999-12-31,淘宝,杯子,1,1', '2026-11-03,淘宝,杯子,1,1'].join('\n'), ErrorCode.METRICS_VALUE_INVALID, /第 2 行.*date.*9999-12-31/s],
    [
      'a channel name of 20,000 characters',
      () => [HEADER, '2026-11-03,淘宝,杯子,1,1', `2026-11-04,${'抖音'.repeat(10_000)},杯子,1,1`].join('\n'),
      ErrorCode.METRICS_VALUE_TOO_LONG,
      /第 3 行.*channel.*200/s,
    ],
    [
      'a product name of 201 characters',
      () => [HEADER, `2026-11-04,淘宝,${'杯'.repeat(201)},1,1`].join('\n'),
      ErrorCode.METRICS_VALUE_TOO_LONG,
      /第 2 行.*product.*201.*200/s,
    ],
    [
      'a name holding a line break (a quote closed rows later)',
      () => [HEADER, '2026-11-03,"淘宝', '2026-11-04,淘宝",杯子,1,1'].join('\n'),
      ErrorCode.METRICS_VALUE_INVALID,
      /第 2 行.*channel.*换行/s,
    ],
  ])('%s', async (_name, content, code, said) => {
    const before = snapshot();
    const { err, message } = await refusal(file('export.csv', content()));
    expect(err.code).toBe(code);
    expect(message).toContain('export.csv');
    expect(message).toMatch(said);
    // Said once and bounded, whatever the size of what was wrong.
    expect(message.length).toBeLessThan(1_000);
    expect(message).not.toMatch(/[A-Z]{2,}[_A-Z]*\)|undefined|Error/);
    expect(snapshot()).toEqual(before);
  }, 30_000);

  it.each<[string, Buffer]>([
    ['a PNG renamed .csv', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.from('IHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0', 'latin1')])],
    ['an .xlsx renamed .csv', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0x06, 0]), Buffer.from('[Content_Types].xml', 'latin1')])],
  ])('%s', async (_name, bytes) => {
    const before = snapshot();
    const { err, message } = await refusal(file('export.csv', bytes));
    expect(err.code).toBe(ErrorCode.METRICS_FILE_UNREADABLE);
    expect(message).toContain('export.csv');
    expect(message).toContain('CSV');
    expect(snapshot()).toEqual(before);
  });

  it('keeps 100 ignored columns working, with the list bounded', async () => {
    const summary = await importMetricsFile(file('wide.csv', wide(105)), { db, prompts });
    expect(summary.rows).toBe(1);
    expect(summary.ignored).toHaveLength(100);
  });
});

describe('an export mixing encodings is refused with its line, never guessed', () => {
  it('refuses a UTF-8 export with one GBK row, naming that row, and stores nothing from it', async () => {
    const before = snapshot();
    const utf8 = (s: string) => Buffer.from(s + '\n', 'utf8');
    const bytes = Buffer.concat([
      utf8(HEADER),
      utf8('2026-11-03,抖音直播,保温杯,1,1'),
      utf8('2026-11-04,抖音直播,保温杯,1,1'),
      iconv.encode('2026-11-05,抖音直播,保温杯,1,1\n', 'gbk'),
      utf8('2026-11-06,抖音直播,保温杯,1,1'),
    ]);
    const { err, message } = await refusal(file('mixed.csv', bytes));
    expect(err.code).toBe(ErrorCode.METRICS_ENCODING_MIXED);
    expect(message).toMatch(/mixed\.csv.*第 4 行/s);
    expect(message).toContain('UTF-8');
    expect(snapshot()).toEqual(before);
    expect(db.names('channel')).not.toContain('鎶栭煶鐩存挱');
  });

  it('refuses a GBK export with one UTF-8 row, naming that row', async () => {
    const before = snapshot();
    const gbk = (t: string) => iconv.encode(t + '\r\n', 'gbk');
    const bytes = Buffer.concat([gbk(HEADER), gbk('2026-11-03,淘宝,保温杯,1,1'), gbk('2026-11-04,淘宝,保温杯,1,1'), Buffer.from('2026-11-05,淘宝,保温杯,1,1\r\n', 'utf8'), gbk('2026-11-06,淘宝,保温杯,1,1')]);
    const { err, message } = await refusal(file('mixed.csv', bytes));
    expect(err.code).toBe(ErrorCode.METRICS_ENCODING_MIXED);
    expect(message).toMatch(/第 4 行.*GBK/s);
    expect(snapshot()).toEqual(before);
  });

  it('refuses a UTF-8 export with one row that is neither UTF-8 nor GBK, naming it', async () => {
    const before = snapshot();
    const bytes = Buffer.concat([Buffer.from(`${HEADER}\n2026-11-03,抖音直播,保温杯,1,1\n`, 'utf8'), Buffer.from([0x32, 0x30, 0x2c, 0xff, 0xff, 0x0a])]);
    const { err, message } = await refusal(file('bad.csv', bytes));
    expect([ErrorCode.METRICS_ENCODING_MIXED, ErrorCode.METRICS_FILE_UNREADABLE]).toContain(err.code);
    expect(message).toMatch(/bad\.csv.*第 3 行/s);
    expect(snapshot()).toEqual(before);
  });

  it('still reads a pure GBK export of common shop names', async () => {
    const names = ['抖音直播', '淘宝', '天猫旗舰店', '拼多多', '京东', '快手小店', '小红书', '微信小程序', '视频号', '有赞'];
    const products = ['保温杯', '羽绒服', '儿童雨靴', '2025新款羽绒服', '蓝牙耳机', '面膜', '洗发水', '零食大礼包'];
    const lines = [HEADER];
    let day = 1;
    for (const c of names) for (const p of products) lines.push(`2026-10-${String((day++ % 28) + 1).padStart(2, '0')},${c},${p},1,1`);
    const summary = await importMetricsFile(file('gbk.csv', iconv.encode(lines.join('\r\n'), 'gbk')), { db, prompts });
    expect(summary).toMatchObject({ encoding: 'gbk', rows: names.length * products.length });
    expect(db.names('channel')).toEqual(expect.arrayContaining(names));
  });
});

describe('file errors say in Chinese what is wrong and what to do, without raw codes', () => {
  it.each<[string, () => string]>([
    ['a missing file', () => join(dir, 'nope.csv')],
    ['a folder', () => dir],
    ['a path through a file', () => join(file('plain.txt', 'x'), 'inside.csv')],
    // It used to read forever.
    ['/dev/zero', () => '/dev/zero'],
    // Sparse: refused by its size, before a byte is read.
    ['a file over the size limit', () => (truncateSync(file('huge.csv', `${HEADER}\n`), MAX_FILE_BYTES + 1), join(dir, 'huge.csv'))],
  ])('%s', async (_name, path) => {
    const before = snapshot();
    const { err, message } = await refusal(path());
    expect(snapshot()).toEqual(before);
    expect(err.code).toBe(ErrorCode.METRICS_FILE_UNREADABLE);
    expect(message).toMatch(/[\u4e00-\u9fff]/);
    expect(message).not.toMatch(/E[A-Z]{3,}|undecodable|binary/);
  });
});

describe('what held keeps holding: a refused import leaves the earlier data intact', () => {
  const rows = (count: number, from = 0) =>
    Array.from({ length: count }, (_, i) => {
      const n = from + i;
      return `2025-${String((n % 12) + 1).padStart(2, '0')}-${String((Math.floor(n / 12) % 28) + 1).padStart(2, '0')},渠道${Math.floor(n / 336)},杯子,1,1`;
    });

  it('a bad cell at line 100,002', async () => {
    const before = snapshot();
    const lines = [HEADER, ...rows(100_000)];
    lines.push('2026-11-30,淘宝,杯子,abc,1');
    const { err, message } = await refusal(file('big.csv', lines.join('\n')));
    expect(err.code).toBe(ErrorCode.METRICS_VALUE_INVALID);
    expect(message).toMatch(/第 100002 行/);
    expect(snapshot()).toEqual(before);
  }, 30_000);

  it('a duplicated key', async () => {
    const before = snapshot();
    const { err, message } = await refusal(file('dup.csv', [HEADER, '2026-11-03,淘宝,杯子,1,1', '2026-11-04,淘宝,杯子,1,1', '2026-11-03,淘宝,杯子,2,2'].join('\n')));
    expect(err.code).toBe(ErrorCode.METRICS_ROW_DUPLICATE);
    expect(message).toMatch(/第 2 行和第 4 行/);
    expect(snapshot()).toEqual(before);
  });

  it('a full disk: said in Chinese naming the file, nothing of the file stored', async () => {
    const before = snapshot();
    // SQLite's own page limit stands in for a full disk: the write fails with SQLITE_FULL, as on one.
    const raw = (db as unknown as { db: { pragma(sql: string, o?: { simple: boolean }): unknown } }).db;
    const pages = raw.pragma('page_count', { simple: true }) as number;
    raw.pragma(`max_page_count = ${pages + 2}`);
    const { err, message } = await refusal(file('many.csv', [HEADER, ...rows(20_000)].join('\n')));
    expect(err.code).toBe(ErrorCode.METRICS_DB_UNAVAILABLE);
    expect(message).toContain(db.path);
    expect(message).toContain('磁盘已满');
    expect(message).not.toMatch(/disk is full|SQLITE/);
    raw.pragma('max_page_count = 1073741823');
    expect(snapshot()).toEqual(before);
  });

  it('two imports at once into the same file: both kept, counted once', async () => {
    const other = new MetricsDb(db.path);
    try {
      const a = file('a.csv', [HEADER, ...rows(3_000)].join('\n'));
      const b = file('b.csv', [HEADER, ...rows(3_000, 1_500)].join('\n'));
      const [ra, rb] = await Promise.all([importMetricsFile(a, { db, prompts }), importMetricsFile(b, { db: other, prompts })]);
      expect(ra.rows + rb.rows).toBe(6_000);
      // 4,500 distinct keys and the two seed rows; the 1,500 shared keys were added by one, replaced by the other.
      expect(db.count()).toBe(4_502);
      expect(ra.added + rb.added).toBe(4_500);
    } finally {
      other.close();
    }
  });
});

/** A UTF-16 unit of a pair standing alone: half an emoji, no character at all. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('limits count characters as a person does (an emoji or a rare 汉字 is one)', () => {
  it('takes a product name of exactly 200 emoji, and refuses 201 saying 201 characters', async () => {
    const name = '🧣'.repeat(200);
    const summary = await importMetricsFile(file('emoji.csv', [HEADER, `2026-11-04,淘宝,${name},1,1`].join('\n')), { db, prompts });
    expect(summary.rows).toBe(1);
    expect(db.names('product')).toContain(name);

    const { err, message } = await refusal(file('export.csv', [HEADER, `2026-11-04,淘宝,${'𠀀'.repeat(201)},1,1`].join('\n')));
    expect(err.code).toBe(ErrorCode.METRICS_VALUE_TOO_LONG);
    expect(message).toMatch(/第 2 行.*product.*有 201 个字，最多 200 个/s);
  });

  it('takes a header of exactly 1,000 emoji, and refuses 1,001 saying 1,001 characters', async () => {
    const ok = await importMetricsFile(file('wide.csv', [`${HEADER},${'📦'.repeat(1_000)}`, '2026-11-05,淘宝,杯子,1,1'].join('\n')), { db, prompts });
    expect(ok.rows).toBe(1);

    const { err, message } = await refusal(file('export.csv', [`${HEADER},x${'📦'.repeat(1_000)}`, '2026-11-05,淘宝,杯子,1,1'].join('\n')));
    expect(err.code).toBe(ErrorCode.METRICS_VALUE_TOO_LONG);
    expect(message).toMatch(/第 1 行.*有 1,001 个字，最多 1,000 个/);
  });

  it('quotes a bad value cut to 40 characters, never half an emoji', async () => {
    // An odd start: a cut after 40 UTF-16 units would fall inside a pair.
    const { err, message } = await refusal(file('export.csv', [HEADER, `2026-11-05,淘宝,杯子,1,x${'📦'.repeat(100)}`].join('\n')));
    expect(err.code).toBe(ErrorCode.METRICS_VALUE_INVALID);
    expect(message).toContain(`x${'📦'.repeat(39)}…`);
    expect(message).not.toMatch(LONE_SURROGATE);
  });
});
