import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT, prompts, tempDir } from '../helpers.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'opsbot.js');
const STACK_TRACE = /\n\s+at .+:\d+:\d+/;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let work: { dir: string; cleanup: () => void };

/** Runs `opsbot` in a fresh working folder with only the variables given (no .env, no model). */
function opsbot(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', OPSBOT_DATA_DIR: join(work.dir, 'data'), LOG_LEVEL: 'info' };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: cwd ?? work.dir, env: { ...base, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  work = tempDir('opsbot-cli-');
  // Build once so the other commands measure their own behaviour, not the first build.
  const built = await opsbot(['kb', 'build']);
  expect(built.code).toBe(0);
});
afterAll(() => work.cleanup());

describe('opsbot --help', () => {
  it('describes the commands in Chinese, with examples', async () => {
    const run = await opsbot(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(prompts.render('cli/title-usage'));
    expect(run.stdout).toContain(prompts.render('cli/ask-description'));
    expect(run.stdout).toContain('npx opsbot ask');
    for (const cmd of [['ask'], ['kb'], ['kb', 'build'], ['start']]) {
      const sub = await opsbot([...cmd, '--help']);
      expect(sub.code).toBe(0);
      expect(sub.stdout).toContain('示例');
    }
  });

  it('works as `npx opsbot` from the repository root', async () => {
    const run = await new Promise<Run>((resolve) =>
      execFile('npx', ['opsbot', '--version'], { cwd: PACKAGE_ROOT, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, stdout, stderr }),
      ),
    );
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('opsbot kb build', () => {
  it('prints a summary, and with --json exactly one JSON object on stdout', async () => {
    const human = await opsbot(['kb', 'build']);
    expect(human.stdout).toContain('5 篇文章');
    const run = await opsbot(['kb', 'build', '--json', '--force']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ documents: 5, rebuilt: true, skipped: [], embedding: 'off' });
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('warns about a binary file by name and indexes the rest', async () => {
    const playbook = join(work.dir, 'pb-binary');
    mkdirSync(playbook);
    writeFileSync(join(playbook, '直播话术.md'), '# 开场话术\n\n欢迎来到直播间，点点关注不迷路，福袋十分钟后开奖。\n');
    writeFileSync(join(playbook, '截图.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]));
    const run = await opsbot(['kb', 'build', '--playbook', playbook, '--json'], { OPSBOT_DATA_DIR: join(work.dir, 'data-binary') });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ documents: 1, skipped: [{ file: '截图.txt', reason: 'binary' }] });
    expect(run.stderr).toContain('截图.txt');
    // Questions now go to the folder the index was built from.
    const asked = await opsbot(['ask', '福袋什么时候开奖', '--json'], { OPSBOT_DATA_DIR: join(work.dir, 'data-binary') });
    expect(JSON.parse(asked.stdout)).toMatchObject({ found: true, sources: [{ doc: '开场话术', section: '正文' }] });
  });

  it.each([
    ['missing', (dir: string) => join(dir, 'no-such-folder'), 'errors/kb-playbook-missing'],
    [
      'empty',
      (dir: string) => {
        const p = join(dir, 'pb-empty');
        mkdirSync(p, { recursive: true });
        return p;
      },
      'errors/kb-playbook-empty',
    ],
  ])('explains a %s playbook folder and exits 1', async (_what, make, key) => {
    const dir = make(work.dir);
    const run = await opsbot(['kb', 'build', '--playbook', dir], { OPSBOT_DATA_DIR: join(work.dir, 'data-bad') });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(prompts.render(key, { dir }).split('\n')[0]);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.stdout).toBe('');
  });
});

describe('opsbot ask', () => {
  it('answers with --json in the contract shape, sources best first', async () => {
    const run = await opsbot(['ask', '直播预告应该提前多久发？', '--json']);
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(answer)).toEqual(['question', 'found', 'answer', 'sources', 'mode']);
    expect(answer).toMatchObject({ question: '直播预告应该提前多久发？', found: true, mode: 'extractive' });
    const sources = answer.sources as Record<string, unknown>[];
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) {
      expect(Object.keys(s)).toEqual(['doc', 'section', 'text', 'score']);
      expect(typeof s.score).toBe('number');
    }
    expect(sources[0]).toMatchObject({ doc: '电商运营与直播带货流程', section: '电商直播怎么做' });
    expect(String(sources[0]!.text)).toContain('前一小时,发布直播预告');
  });

  it('prints the answer and its sources for a person', async () => {
    const run = await opsbot(['ask', '福袋谁能发？', '--k', '2']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('福袋');
    expect(run.stdout).toContain(prompts.render('cli/ask-sources-title'));
    expect(run.stdout).toMatch(/ {2}2\. 《/);
    expect(run.stdout).not.toMatch(/ {2}3\. 《/);
  });

  it('answers found: false with exit 0 for what the playbook does not cover', async () => {
    const run = await opsbot(['ask', '帮我写一首关于秋天的诗', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      question: '帮我写一首关于秋天的诗',
      found: false,
      answer: prompts.render('kb/not-found'),
      sources: [],
      mode: 'extractive',
    });
  });

  it.each([
    ['an empty question', [''], 1, 'errors/kb-question-empty'],
    ['a 10,000-character question', ['问'.repeat(10_000)], 1, 'errors/kb-question-too-long'],
    ['an emoji-only question', ['😀🎉🔥'], 1, 'errors/kb-question-no-text'],
    ['no question at all', [], 2, 'cli/ask-needs-question'],
    ['a bad --k', ['--k', '0', '福袋'], 2, 'cli/ask-invalid-k'],
  ])('refuses %s with a clear message, no stack trace', async (_what, args, code, key) => {
    const run = await opsbot(['ask', ...args]);
    expect(run.code).toBe(code);
    const firstLine = prompts.render(key, { length: 10_000, max: key === 'cli/ask-invalid-k' ? 20 : 500, value: '0' }).split('\n')[0]!;
    expect(run.stderr).toContain(firstLine);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.stdout).toBe('');
  });

  it('answers a GBK batch file line by line, reporting a bad line without stopping', async () => {
    const file = join(work.dir, 'questions.txt');
    writeFileSync(file, iconv.encode('福袋谁能发？\r\n\r\n！！？？\r\n明天会下雨吗\r\n私域流量是什么\r\n', 'gbk'));
    const run = await opsbot(['ask', '--batch', file, '--json']);
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.question, l.found])).toEqual([
      ['福袋谁能发？', true],
      ['！！？？', false],
      ['明天会下雨吗', false],
      ['私域流量是什么', true],
    ]);
    expect(lines[1]).toMatchObject({ error: { code: 'OPSBOT_ERR_KB_QUESTION_NO_TEXT' }, sources: [] });
    expect(run.stderr).toContain(prompts.render('cli/ask-batch-summary', { total: 4, found: 2, missing: 1, failed: 1 }));
  });

  it('says so when the batch file is missing or has no questions', async () => {
    const missing = await opsbot(['ask', '--batch', join(work.dir, 'nope.txt')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.txt');
    const blank = join(work.dir, 'blank.txt');
    writeFileSync(blank, '\n\n   \n');
    const empty = await opsbot(['ask', '--batch', blank]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain(prompts.render('errors/cli-batch-empty', { file: blank }));
  });

  it('stops quietly when the reader of --json output goes away (| head -1)', async () => {
    const file = join(work.dir, 'many.txt');
    writeFileSync(file, Array.from({ length: 200 }, (_, i) => `第${i}个问题：福袋谁能发？`).join('\n'));
    const run = await new Promise<Run>((resolve) =>
      execFile(
        'bash',
        ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" ask --batch "${file}" --json | head -1`],
        { cwd: work.dir, env: { PATH: process.env.PATH ?? '', OPSBOT_DATA_DIR: join(work.dir, 'data') }, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      ),
    );
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(run.code).toBe(0);
  });

  it('translates usage errors into Chinese and exits 2', async () => {
    const run = await opsbot(['ask', '--jsno', '福袋']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(prompts.render('cli/error-unknown-option', { name: '--jsno' }));
    expect(run.stderr).toContain('--json');
  });
});

describe('configuration problems', () => {
  it('lists every bad variable at once and exits 1', async () => {
    const run = await opsbot(['ask', '福袋'], { OPSBOT_TZ: 'Mars/Olympus', LOG_LEVEL: 'loud' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(prompts.render('errors/config-invalid'));
    expect(run.stderr).toContain('OPSBOT_TZ');
    expect(run.stderr).toContain('LOG_LEVEL');
    expect(run.stderr).not.toMatch(STACK_TRACE);
  });

  it('reads .env from the working folder', async () => {
    const dir = join(work.dir, 'with-env');
    mkdirSync(dir);
    writeFileSync(join(dir, '.env'), `OPSBOT_DATA_DIR=${join(dir, 'state')}\n`);
    const run = await opsbot(['kb', 'build', '--json'], { OPSBOT_DATA_DIR: '' }, dir);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).index).toBe(join(dir, 'state', 'kb', 'index.json'));
  });
});

/** Runs `opsbot chat` with `input` on stdin (no terminal: one answer per line, printed). */
function chat(args: string[], input: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'chat', ...args], {
      cwd: work.dir,
      env: { PATH: process.env.PATH ?? '', OPSBOT_DATA_DIR: join(work.dir, 'data-chat'), LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('opsbot chat', () => {
  it('answers a fan in a private chat through the router: questions, /help, unknown commands', async () => {
    const run = await chat([], '福袋谁能发？\n/help\n/nope\n');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('福袋只有主播正在直播这个手机能发');
    expect(run.stdout).toContain('/ask');
    expect(run.stdout).toContain(prompts.render('bot/unknown-command', { name: 'nope' }));
  });

  it('in a group, leaves chit-chat alone and answers an @-mention', async () => {
    const run = await chat(['--group', '粉丝1群'], '今天的直播好好看\n@助手 福袋谁能发？\n');
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')[0]).toContain('福袋');
    expect(run.stdout).not.toContain(prompts.render('kb/not-found'));
  });

  it('refuses an unknown role with exit 2', async () => {
    const run = await chat(['--as', 'boss'], '');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('boss');
  });
});

describe('opsbot groups', () => {
  it('lists the groups from the shop file, with --json one object per line', async () => {
    const dir = join(work.dir, 'shop');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'shop.json'),
      JSON.stringify({ groups: [{ platform: 'wechat', id: 'a@chatroom', name: '粉丝1群', tags: ['fans'] }, { platform: 'telegram', id: '-100', name: '运营群', tags: ['ops'] }] }),
    );
    const env = { OPSBOT_DATA_DIR: join(dir, 'data') };
    const human = await opsbot(['groups'], env, dir);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('粉丝1群');
    expect(human.stdout).toContain('粉丝群：是');
    const json = await opsbot(['groups', '--json'], env, dir);
    const rows = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [r.platform, r.id, r.name, r.fanGroup, r.status])).toEqual([
      ['wechat', 'a@chatroom', '粉丝1群', true, 'active'],
      ['telegram', '-100', '运营群', false, 'active'],
    ]);
  });

  it('explains a broken shop file and exits 1', async () => {
    const dir = join(work.dir, 'shop-bad');
    mkdirSync(dir);
    writeFileSync(join(dir, 'shop.json'), JSON.stringify({ groups: [{ platform: 'qq', id: 'x', name: '群' }] }));
    const run = await opsbot(['groups'], { OPSBOT_DATA_DIR: join(dir, 'data') }, dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(prompts.render('shop/invalid-platform'));
    expect(run.stderr).not.toMatch(STACK_TRACE);
  });
});

describe('opsbot start', () => {
  it('without a terminal, says the assistant is ready and how to ask, and exits 0', async () => {
    const run = await opsbot(['start']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('npx opsbot ask');
  });
});
