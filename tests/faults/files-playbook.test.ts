import { mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatContext, Role } from '../../src/bot/context.js';
import { indexPathOf } from '../../src/knowledge/indexer.js';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import { MAX_PLAYBOOK_ENTRIES } from '../../src/knowledge/ingest.js';
import { ErrorCode } from '../../src/kernel/errors.js';
import { createPlaybookQaSkill } from '../../src/skills/playbook-qa/index.js';
import { prompts, silentLogger, tempDir, testConfig } from '../helpers.js';

// The playbook boundary: nothing outside the folder is read, and what a shop marks staff-only never
// reaches a fan or a group. Secrets below are unique strings so a leak anywhere is found by search.
const OUTSIDE_SECRET = '内部密码是海豚七号';
const SECTION_SECRET = '审批口令是蓝鲸';
const FILE_SECRET = '员工折扣码是STAFF88';

let work: { dir: string; cleanup: () => void };
let playbook: string;
let dataDir: string;
let kb: KnowledgeBase;
const before: Record<string, string> = {};

function file(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  before[path] = text;
}

beforeAll(async () => {
  work = tempDir('opsbot-faults-playbook-');
  playbook = join(work.dir, 'playbook');
  dataDir = join(work.dir, 'data');
  file(join(work.dir, 'notes', '内部资料.md'), `# 内部资料\n\n${OUTSIDE_SECRET}，登录后台用这个密码处理退款。\n`);
  file(
    join(playbook, '售后规则.md'),
    [
      '# 售后规则',
      '',
      '## 退货',
      '七天无理由退货，商品需要保持完好，退货运费由买家承担，签收后七天内申请。',
      '',
      '<!-- staff -->',
      '## 退款审批',
      `退款超过五百元需要店长审批，${SECTION_SECRET}，审批后当天原路退回。`,
      '<!-- /staff -->',
      '',
      '## 换货',
      '换货请联系客服登记，寄回商品后三天内发出新货，换货运费由店铺承担。',
      '',
    ].join('\n'),
  );
  file(
    join(playbook, '员工守则.md'),
    `---\naudience: staff\n---\n# 员工守则\n\n${FILE_SECRET}，只限员工自用，每人每月限用三次。\n`,
  );
  file(
    join(playbook, '资料索引.md'),
    '# 资料索引\n\n退款流程的更多说明见 [内部资料](../notes/内部资料.md)，直播排期见运营表格。\n',
  );
  mkdirSync(join(playbook, 'sub'), { recursive: true });
  file(join(playbook, 'sub', '发货.md'), '# 发货说明\n\n付款后四十八小时内发货，默认发中通快递，偏远地区顺延两天。\n');
  // A link out of the folder, and a link that stays inside it.
  symlinkSync(join(work.dir, 'notes', '内部资料.md'), join(playbook, '退款密码.md'));
  symlinkSync(join(playbook, 'sub', '发货.md'), join(playbook, '发货链接.md'));
  kb = new KnowledgeBase({
    config: testConfig({ OPSBOT_DATA_DIR: dataDir, OPSBOT_PLAYBOOK_DIR: playbook }),
    logger: silentLogger,
    prompts,
  });
});
afterAll(() => work.cleanup());

describe('the playbook folder is the boundary', () => {
  it('skips a link out of the folder, reads one inside it, and never follows a Markdown link', async () => {
    const summary = await kb.build();
    expect(summary.skipped).toContainEqual({ file: '退款密码.md', reason: 'outside' });
    expect(summary.skipped.map((s) => s.file)).not.toContain('发货链接.md');
    expect(summary.documents).toBe(5);
    // Nothing of the outside note is stored in the index.
    const stored = readFileSync(indexPathOf(dataDir), 'utf8');
    expect(stored).not.toContain('海豚七号');
    // The user's files are untouched.
    for (const [path, text] of Object.entries(before)) expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('the outside note reaches no one, staff included', async () => {
    for (const audience of ['public', 'staff'] as const) {
      const answer = await kb.ask('内部密码是什么', { audience });
      expect(JSON.stringify(answer)).not.toContain('海豚七号');
    }
  });

  it('the [skip-outside] prompt names the file and says what to do', () => {
    const text = prompts.render('kb/skip-outside', { file: '退款密码.md' });
    expect(text).toContain('退款密码.md');
    expect(text).toMatch(/复制|移到/);
  });
});

describe('staff-only files and sections', () => {
  it('are kept from the public and given to staff', async () => {
    const publicSection = await kb.ask('退款审批口令', { audience: 'public' });
    expect(JSON.stringify(publicSection)).not.toContain('蓝鲸');
    const staffSection = await kb.ask('退款审批口令', { audience: 'staff' });
    expect(staffSection.found).toBe(true);
    expect(staffSection.answer).toContain('蓝鲸');

    const publicFile = await kb.ask('员工折扣码', { audience: 'public' });
    expect(JSON.stringify(publicFile)).not.toContain('STAFF88');
    const staffFile = await kb.ask('员工折扣码', { audience: 'staff' });
    expect(staffFile.answer).toContain('STAFF88');
  });

  it('leave the rest of the file public', async () => {
    const returns = await kb.ask('退货运费谁出', { audience: 'public' });
    expect(returns.found).toBe(true);
    expect(returns.answer).toContain('买家承担');
    const exchange = await kb.ask('换货运费', { audience: 'public' });
    expect(exchange.answer).toContain('店铺承担');
  });

  it('are public-safe by default: passages() and ask() without an audience give no staff text', async () => {
    const passages = await kb.passages('员工折扣码 退款审批口令', { k: 20 });
    expect(JSON.stringify(passages)).not.toMatch(/STAFF88|蓝鲸/);
    expect(JSON.stringify(await kb.ask('员工折扣码'))).not.toContain('STAFF88');
  });

  it('the saved index marks them, so a reloaded index filters the same way', async () => {
    const stored = JSON.parse(readFileSync(indexPathOf(dataDir), 'utf8')) as { chunks: { text: string; audience?: string }[] };
    const secret = stored.chunks.filter((c) => /STAFF88|蓝鲸/.test(c.text));
    expect(secret.length).toBeGreaterThanOrEqual(2);
    expect(secret.every((c) => c.audience === 'staff')).toBe(true);
    expect(stored.chunks.filter((c) => c.text.includes('买家承担')).every((c) => c.audience !== 'staff')).toBe(true);
    const reloaded = new KnowledgeBase({ config: testConfig({ OPSBOT_DATA_DIR: dataDir, OPSBOT_PLAYBOOK_DIR: playbook }), logger: silentLogger, prompts });
    expect(JSON.stringify(await reloaded.ask('员工折扣码'))).not.toContain('STAFF88');
  });
});

describe('/ask in a chat filters by who asks and where', () => {
  const cases: { role: Role; chat: 'group' | 'private'; staff: boolean }[] = [
    { role: 'fan', chat: 'private', staff: false },
    { role: 'fan', chat: 'group', staff: false },
    // A group's members all read the answer, whoever asked.
    { role: 'admin', chat: 'group', staff: false },
    { role: 'agent', chat: 'group', staff: false },
    { role: 'admin', chat: 'private', staff: true },
    { role: 'agent', chat: 'private', staff: true },
  ];
  for (const c of cases) {
    it(`${c.role} in a ${c.chat} chat ${c.staff ? 'gets' : 'does not get'} staff-only text`, async () => {
      const sent: string[] = [];
      const ctx = {
        role: c.role,
        chat: { id: c.chat === 'group' ? 'room@chatroom' : 'fan-1', type: c.chat },
        logger: silentLogger,
        reply: (content: unknown) => {
          sent.push(typeof content === 'string' ? content : JSON.stringify(content));
          return Promise.resolve({ status: 'sent' as const });
        },
      } as unknown as ChatContext;
      const skill = createPlaybookQaSkill({ knowledge: kb });
      await skill.handle(ctx, { command: 'ask', args: '员工折扣码是多少' });
      await skill.handle(ctx, { command: 'ask', args: '退款审批口令' });
      expect(sent).toHaveLength(2);
      const joined = sent.join('\n');
      if (c.staff) {
        expect(joined).toContain('STAFF88');
        expect(joined).toContain('蓝鲸');
      } else {
        expect(joined).not.toMatch(/STAFF88|蓝鲸/);
      }
      expect(joined).not.toContain('海豚七号');
    });
  }
});

describe('hostile files inside the playbook folder', () => {
  it('a 200 MB article, a link to /dev/zero and a picture named .md are skipped; the rest answers', async () => {
    const dir = join(work.dir, 'hostile');
    mkdirSync(dir);
    writeFileSync(join(dir, '发货.md'), '# 发货说明\n\n付款后四十八小时内发货，默认发中通快递，偏远地区顺延两天。\n');
    writeFileSync(join(dir, '导出.md'), '');
    truncateSync(join(dir, '导出.md'), 200 * 1024 * 1024);
    symlinkSync('/dev/zero', join(dir, '无尽.md'));
    writeFileSync(join(dir, '海报.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0, 0]));
    const hostileData = join(work.dir, 'hostile-data');
    const hostile = new KnowledgeBase({ config: testConfig({ OPSBOT_DATA_DIR: hostileData, OPSBOT_PLAYBOOK_DIR: dir }), logger: silentLogger, prompts });
    // The build finishing at all is the proof that nothing endless was read (the test's timeout fails it).
    const summary = await hostile.build();
    expect(summary.documents).toBe(1);
    expect(summary.skipped).toEqual([
      { file: '导出.md', reason: 'too-large' },
      { file: '无尽.md', reason: 'outside' },
      { file: '海报.md', reason: 'binary' },
    ]);
    expect((await hostile.ask('几天发货', { audience: 'public' })).found).toBe(true);
  });
});

describe('a folder that is not a playbook', () => {
  it('--playbook on a folder with thousands of entries (/, a home folder) is refused by count, not walked', async () => {
    const dir = join(work.dir, 'huge');
    mkdirSync(join(dir, 'deep'), { recursive: true });
    for (let i = 0; i <= MAX_PLAYBOOK_ENTRIES; i++) writeFileSync(join(dir, 'deep', `f${i}.log`), '');
    writeFileSync(join(dir, '发货.md'), '# 发货\n\n付款后四十八小时内发货。\n');
    const hugeData = join(work.dir, 'huge-data');
    const huge = new KnowledgeBase({ config: testConfig({ OPSBOT_DATA_DIR: hugeData }), logger: silentLogger, prompts });
    const err = (await huge.build({ playbookDir: dir }).catch((e: unknown) => e)) as { code: string; params: Record<string, unknown> };
    expect(err.code).toBe(ErrorCode.KB_PLAYBOOK_TOO_LARGE);
    expect(prompts.render('errors/kb-playbook-too-large', err.params as Record<string, string>)).toContain(dir);
    // Nothing was saved for it.
    expect(() => readFileSync(indexPathOf(hugeData))).toThrow();
  });
});
