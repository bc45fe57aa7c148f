import { appendFileSync, copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, hasCode } from '../../src/kernel/errors.js';
import { indexPathOf } from '../../src/knowledge/indexer.js';
import { KnowledgeBase, MAX_QUESTION_CHARS } from '../../src/knowledge/knowledge-base.js';
import { captureLogger, DEFAULT_PLAYBOOK_DIR, prompts, silentLogger, tempDir, testConfig } from '../helpers.js';

let data: { dir: string; cleanup: () => void };
let playbook: string;

function copyPlaybook(to: string): void {
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(DEFAULT_PLAYBOOK_DIR)) copyFileSync(join(DEFAULT_PLAYBOOK_DIR, f), join(to, f));
}

function kbFor(options: { logger?: ReturnType<typeof captureLogger>['logger'] } = {}) {
  return new KnowledgeBase({
    config: testConfig({ OPSBOT_DATA_DIR: join(data.dir, 'data'), OPSBOT_PLAYBOOK_DIR: playbook }),
    logger: options.logger ?? silentLogger,
    prompts,
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

beforeEach(() => {
  data = tempDir();
  playbook = join(data.dir, 'playbook');
  copyPlaybook(playbook);
});
afterEach(() => data.cleanup());

describe('KnowledgeBase.build', () => {
  it('saves the index under the data dir and rebuilds only when the playbook changes', async () => {
    const first = await kbFor().build();
    expect(first).toMatchObject({ documents: 5, rebuilt: true, embedding: 'off', index: indexPathOf(join(data.dir, 'data')) });
    expect(first.chunks).toBeGreaterThan(50);
    expect((await kbFor().build()).rebuilt).toBe(false);

    appendFileSync(join(playbook, '电商运营与直播带货流程.txt'), '\n直播结束后二十四小时内要把直播切片发到视频号。\n');
    expect((await kbFor().build()).rebuilt).toBe(true);
    expect((await kbFor().build()).rebuilt).toBe(false);

    writeFileSync(join(playbook, '新文章.md'), '# 售后话术\n\n顾客说收到的商品有破损时，先道歉，再请顾客拍照，当天给出补发或退款方案。\n');
    const grown = await kbFor().build();
    expect(grown).toMatchObject({ documents: 6, rebuilt: true });
    expect((await kbFor().build({ force: true })).rebuilt).toBe(true);
  });

  it('rebuilds a corrupt index file instead of failing', async () => {
    await kbFor().build();
    writeFileSync(indexPathOf(join(data.dir, 'data')), '{"version": 4, "chunks": [');
    const { logger, lines } = captureLogger();
    const answer = await kbFor({ logger }).ask('福袋谁能发？');
    expect(answer.found).toBe(true);
    // The warning is the Chinese sentence a CLI user reads (issue 13).
    const warned = prompts.render('kb/index-corrupt', { path: indexPathOf(join(data.dir, 'data')) });
    expect(lines().some((l) => l.level === 40 && l.msg === warned)).toBe(true);
    expect(JSON.parse(readFileSync(indexPathOf(join(data.dir, 'data')), 'utf8')).chunks.length).toBeGreaterThan(50);
  });

  it('reads a GBK article and answers from it, citing it by file name', async () => {
    writeFileSync(
      join(playbook, '售后处理规范.txt'),
      iconv.encode('退货运费险\n顾客申请七天无理由退货时，运费由运费险承担，客服要提醒顾客在寄回时填写快递单号。\n', 'gbk'),
    );
    const answer = await kbFor().ask('七天无理由退货的运费谁出？');
    expect(answer.found).toBe(true);
    expect(answer.sources[0]).toMatchObject({ doc: '售后处理规范', section: '退货运费险' });
    expect(answer.answer).toContain('运费险');
  });

  it('skips a binary file with a warning naming it, and indexes the rest', async () => {
    writeFileSync(join(playbook, '海报.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]));
    writeFileSync(join(playbook, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const { logger, lines } = captureLogger();
    const summary = await kbFor({ logger }).build();
    expect(summary.documents).toBe(5);
    expect(summary.skipped).toEqual([
      { file: 'logo.png', reason: 'unsupported' },
      { file: '海报.txt', reason: 'binary' },
    ]);
    const warnings = lines().filter((l) => l.level === 40).map((l) => String(l.msg));
    expect(warnings).toContain(prompts.render('kb/skip-binary', { file: '海报.txt' }));
    expect(warnings).toContain(prompts.render('kb/skip-unsupported', { file: 'logo.png' }));
  });

  it('reads a link inside the folder, skips a link out of it (issue 13) and a broken link', async () => {
    writeFileSync(join(data.dir, 'outside.txt'), '直播复盘\n每场直播结束后对比在线人数、转化率和客单价的变化，找出流失的环节。\n');
    mkdirSync(join(playbook, 'notes'));
    writeFileSync(join(playbook, 'notes', '复盘.txt'), '直播复盘\n每场直播结束后对比在线人数、转化率和客单价的变化，找出流失的环节。\n');
    symlinkSync(join(playbook, 'notes', '复盘.txt'), join(playbook, '复盘链接.txt'));
    symlinkSync(join(data.dir, 'outside.txt'), join(playbook, '外部.txt'));
    symlinkSync(join(data.dir, 'gone.txt'), join(playbook, '失效链接.txt'));
    const summary = await kbFor().build();
    expect(summary.documents).toBe(7);
    expect(summary.skipped).toEqual([
      { file: '外部.txt', reason: 'outside' },
      { file: '失效链接.txt', reason: 'unreadable' },
    ]);
  });

  it('remembers the folder an index was built from, unless OPSBOT_PLAYBOOK_DIR says otherwise', async () => {
    const other = join(data.dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, '售后.md'), '# 售后\n\n## 破损处理\n顾客说**商品破损**时，先道歉，再请顾客拍照，当天给出补发或退款方案。\n');
    const config = testConfig({ OPSBOT_DATA_DIR: join(data.dir, 'data') });
    await new KnowledgeBase({ config, logger: silentLogger, prompts }).build({ playbookDir: other });
    const answer = await new KnowledgeBase({ config, logger: silentLogger, prompts }).ask('商品破损怎么处理');
    expect(answer.sources[0]).toMatchObject({ doc: '售后', section: '破损处理' });
    expect(answer.answer).toContain('顾客说商品破损时');
    expect(answer.answer).not.toMatch(/\*\*|#/);
    const explicit = await kbFor().ask('商品破损怎么处理'); // OPSBOT_PLAYBOOK_DIR set: the shipped articles
    expect(explicit.sources.every((s) => s.doc !== '售后')).toBe(true);
  });

  it('answers from memory when the data folder cannot be written, but kb build says so', async () => {
    writeFileSync(join(data.dir, 'not-a-folder'), '');
    const config = testConfig({ OPSBOT_DATA_DIR: join(data.dir, 'not-a-folder', 'data'), OPSBOT_PLAYBOOK_DIR: playbook });
    const { logger, lines } = captureLogger();
    const kb = new KnowledgeBase({ config, logger, prompts });
    expect((await kb.ask('福袋谁能发？')).found).toBe(true);
    // Said in Chinese (issue 13): the path and the reason in words.
    const index = indexPathOf(join(data.dir, 'not-a-folder', 'data'));
    const reason = prompts.render('kb/unwritable-path');
    expect(lines().some((l) => l.level === 40 && l.msg === prompts.render('kb/index-unsaved', { path: index, reason }))).toBe(true);
    expect(await codeOf(new KnowledgeBase({ config, logger: silentLogger, prompts }).build())).toBe(ErrorCode.KB_INDEX_UNWRITABLE);
    expect(readdirSync(data.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('fails clearly on a missing or empty playbook folder', async () => {
    playbook = join(data.dir, 'nowhere');
    expect(await codeOf(kbFor().build())).toBe(ErrorCode.KB_PLAYBOOK_MISSING);
    playbook = join(data.dir, 'empty');
    mkdirSync(playbook);
    writeFileSync(join(playbook, 'blank.txt'), '  \n\n');
    expect(await codeOf(kbFor().build())).toBe(ErrorCode.KB_PLAYBOOK_EMPTY);
  });
});

describe('KnowledgeBase.ask', () => {
  it('builds the index on first use and answers with cited sources, the text as written', async () => {
    const answer = await kbFor().ask('直播預告要提前多久發？');
    expect(answer).toMatchObject({ question: '直播預告要提前多久發？', found: true, mode: 'extractive' });
    expect(answer.answer).toContain('前一小时');
    expect(answer.answer).toContain('《电商运营与直播带货流程》「电商直播怎么做」');
    expect(answer.sources.length).toBeGreaterThan(0);
    expect(answer.sources.length).toBeLessThanOrEqual(3);
    const scores = answer.sources.map((s) => s.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('quotes the traditional article in its own script', async () => {
    const answer = await kbFor().ask('客服最核心的职责是什么？');
    const source = answer.sources.find((s) => s.doc === '電商運營的五個小竅門');
    expect(source?.text).toContain('客服的最核心職責');
  });

  it('opens the answer to a definition question with the sentence that defines the term', async () => {
    const kb = kbFor();
    const first = async (q: string) => (await kb.ask(q)).answer.split(/(?<=[。！？!?；;])/)[0];
    expect(await first('什么是私域流量？')).toContain('所谓私域流量');
    expect(await first('流量池是什么')).toContain('流量池指的是');
    expect(await first('what is GMV?')).toContain('GMV数据');
  });

  it('meets the rewritten live-stream article with the ordinary words', async () => {
    const answer = await kbFor().ask('电商直播有哪些缺点？');
    expect(answer.sources[0]).toMatchObject({ doc: '直播电商的私域流量运营' });
    expect(answer.sources[0]!.text).toContain('先说短缺');
  });

  it('marks the passages of the rewritten article, and only those, in the saved index', async () => {
    await kbFor().build();
    const saved = JSON.parse(readFileSync(indexPathOf(join(data.dir, 'data')), 'utf8')) as { chunks: { doc: string; rewritten?: true }[] };
    const article = saved.chunks.filter((c) => c.doc === '直播电商的私域流量运营');
    expect(article.length).toBeGreaterThan(5);
    expect(article.every((c) => c.rewritten === true)).toBe(true);
    expect(saved.chunks.filter((c) => c.doc !== '直播电商的私域流量运营').some((c) => c.rewritten)).toBe(false);
  });

  it.each([
    ['电商直播的优缺点是什么？', '优短缺'],
    ['私域流量一般沉淀在公众号还是微信群？', '民众号'],
    ['直播间的灯光会误导消费者吗', '生产者'],
  ])('meets the rewritten article for %s, which says %s', async (question, rewrittenForm) => {
    const answer = await kbFor().ask(question);
    expect(answer.sources[0]).toMatchObject({ doc: '直播电商的私域流量运营' });
    expect(answer.sources[0]!.text).toContain(rewrittenForm);
    expect(answer.found).toBe(true);
  });

  it('honours k', async () => {
    expect((await kbFor().ask('私域流量怎么运营', { k: 5 })).sources).toHaveLength(5);
    expect((await kbFor().ask('私域流量怎么运营', { k: 1 })).sources).toHaveLength(1);
  });

  it.each([
    ['an empty question', '   ', ErrorCode.KB_QUESTION_EMPTY],
    ['a question of 10,000 characters', '直'.repeat(10_000), ErrorCode.KB_QUESTION_TOO_LONG],
    ['emoji only', '😀😀🎉👍🏻', ErrorCode.KB_QUESTION_NO_TEXT],
    ['punctuation only', '？？！！。。', ErrorCode.KB_QUESTION_NO_TEXT],
  ])('rejects %s with a coded, user-facing error', async (_what, question, code) => {
    let error: unknown;
    try {
      await kbFor().ask(question);
    } catch (err) {
      error = err;
    }
    expect(hasCode(error, code)).toBe(true);
    expect((error as { promptKey?: string }).promptKey).toMatch(/^errors\//);
  });

  it('accepts a question right at the length limit', async () => {
    const answer = await kbFor().ask('直播预告'.repeat(MAX_QUESTION_CHARS / 4));
    expect(answer.found).toBe(true);
  });

  it.each(['a', '老', '做'])('does not take one shared character (%s) for an answer', async (question) => {
    expect((await kbFor().ask(question)).found).toBe(false);
  });

  // Each of these shares a word with some passage (故事 with 品牌故事, 高铁 with a list of time-savers, 星期 with
  // "两个星期", 今天 with an article's introduction).
  it.each(['给我讲个故事吧', '推荐一部电影', '今天星期几', '北京到上海的高铁要多久', '大家好，今天心情怎么样'])(
    'says the playbook has nothing for small talk: %s',
    async (question) => {
      expect(await kbFor().ask(question)).toMatchObject({ found: false, sources: [], answer: prompts.render('kb/not-found') });
    },
  );

  it('says the playbook has nothing when only filler words match', async () => {
    const answer = await kbFor().ask('我们应该怎么做呢？');
    expect(answer).toMatchObject({ found: false, sources: [], answer: prompts.render('kb/not-found') });
  });
});
