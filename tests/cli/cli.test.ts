import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, OPSBOT_BIN, PACKAGE_ROOT, prompts, runOpsbot, STACK_TRACE, tempDir, until, type CliRun } from '../helpers.js';

const BIN = OPSBOT_BIN;
type Run = CliRun;

let work: { dir: string; cleanup: () => void };

/** Runs `opsbot` in a fresh working folder with only the variables given (no .env, no model). */
function opsbot(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  return runOpsbot(args, cwd ?? work.dir, { OPSBOT_DATA_DIR: join(work.dir, 'data'), LOG_LEVEL: 'info', ...env });
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
function chat(args: string[], input: string, env: Record<string, string> = { LOG_LEVEL: 'warn' }): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'chat', ...args], {
      cwd: work.dir,
      env: { PATH: process.env.PATH ?? '', OPSBOT_DATA_DIR: join(work.dir, 'data-chat'), ...env },
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
  it('answers a fan in a private chat through the router: the shop\'s script, /help, unknown commands', async () => {
    const run = await chat([], '什么时候发货？\n/help\n/nope\n');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(prompts.render('cs/script/shipping-when-brief', { cutoff: '16:00', within: 48, courier: prompts.render('cs/default-courier') }));
    expect(run.stdout).toContain('/ask');
    expect(run.stdout).not.toContain('/reply'); // an agent's command
    expect(run.stdout).toContain(prompts.render('bot/unknown-command', { name: 'nope' }));
  });

  it('logs only warnings unless LOG_LEVEL says otherwise, so the conversation is not buried in INFO lines', async () => {
    const quiet = await chat([], '什么时候发货？\n', {});
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toContain('"level":30');
    const chatty = await chat([], '什么时候发货？\n', { LOG_LEVEL: 'info' });
    expect(chatty.stderr).toContain('"level":30');
  });

  it('in a group, leaves chit-chat alone and answers an @-mention', async () => {
    const run = await chat(['--group', '粉丝1群'], '今天的直播好好看\n@助手 福袋谁能发？\n');
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')[0]).toContain('福袋');
    expect(run.stdout).not.toContain(prompts.render('kb/not-found'));
  });

  it('answers an agent from the playbook, and with suggested replies to /reply', async () => {
    const run = await chat(['--as', 'agent'], '福袋谁能发？\n/reply 我要退货\n');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('福袋只有主播正在直播这个手机能发');
    expect(run.stdout).toContain('意图：退换货/退款（return_refund）');
    expect(run.stdout).toContain('7天无理由退换');
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
  it('with no platform serves the console and its playground, ends its output with the URL, and stops on SIGTERM', async () => {
    const work = tempDir();
    const port = await freePort();
    const child = spawn(process.execPath, [OPSBOT_BIN, 'start'], { cwd: work.dir, env: { PATH: process.env.PATH ?? '', OPSBOT_DATA_DIR: join(work.dir, 'data'), OPSBOT_HTTP_PORT: String(port) } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    try {
      const url = await until(() => /^(http:\/\/127\.0\.0\.1:\d+\/\?token=\w+)\n$/m.exec(stdout)?.[1], 60_000);
      expect(stdout.trimEnd().split('\n').at(-1)).toBe(url);
      const token = new URL(url).searchParams.get('token')!;
      expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toMatchObject({ ok: true });
      const say = await fetch(`http://127.0.0.1:${port}/api/playground/say`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ as: 'fan', chat: 'group', text: '领券' }) });
      expect(((await say.json()) as { replies: { text: string }[] }).replies[0]!.text).toContain('券码');
      expect((await fetch(`http://127.0.0.1:${port}/api/deliveries`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).not.toContain(token);
    } finally {
      child.kill('SIGKILL');
      work.cleanup();
    }
  }, 90_000);
});

describe('opsbot reply', () => {
  it('gives the intent and two or three suggestions, with --json in the contract shape', async () => {
    const run = await opsbot(['reply', '亲，我的快递三天没动了😭', '--json']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const r = JSON.parse(lines[0]!) as { message: string; intent: string; confidence: number; suggestions: { text: string; source: string }[] };
    expect(Object.keys(r).slice(0, 4)).toEqual(['message', 'intent', 'confidence', 'suggestions']);
    expect(r.message).toBe('亲，我的快递三天没动了😭');
    expect(r.intent).toBe('logistics');
    expect(r.confidence).toBeGreaterThan(0);
    expect(r.confidence).toBeLessThanOrEqual(1);
    expect(r.suggestions.length).toBeGreaterThanOrEqual(2);
    expect(r.suggestions.length).toBeLessThanOrEqual(3);
    for (const s of r.suggestions) {
      expect(s.text).toMatch(/\S/);
      expect(s.source).toMatch(/^scripts\/logistics\//);
    }
    // The shop has no facts yet: the person is told the scripts use defaults (on stderr, so --json stays clean).
    expect(run.stderr).toContain('shop.json');
  });

  it('fills the scripts with the shop facts from shop.json', async () => {
    const dir = join(work.dir, 'shop-facts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'shop.json'), JSON.stringify({ facts: { shopName: '小鹿优选', dispatchCutoff: '15:30', courier: '圆通快递' } }));
    const run = await opsbot(['reply', '什么时候发货'], {}, dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('意图：发货（shipping）');
    expect(run.stdout).toContain('15:30前付款');
    expect(run.stdout).toContain('圆通快递');
    expect(run.stdout).toMatch(/依据：scripts\/shipping\/\S+ · 《電商運營的五個小竅門》「5\. 客服服務」/);
    expect(run.stderr).toContain('客服时间'); // still a default
    expect(run.stderr).not.toContain('店名');
  });

  it('refuses a shop file with bad facts, naming the field', async () => {
    const dir = join(work.dir, 'bad-facts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'shop.json'), JSON.stringify({ facts: { dispatchCutoff: '4pm', returnDays: '七天' } }));
    const run = await opsbot(['reply', '什么时候发货'], {}, dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('facts/dispatchCutoff');
    expect(run.stderr).toContain('HH:MM');
    expect(run.stderr).toContain('facts/returnDays');
    expect(run.stdout).toBe('');
  });

  it('handles bad input: empty, 10,000 characters, only emoji, only a link, English', async () => {
    const empty = await opsbot(['reply', '   ']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('请粘贴顾客的消息');
    const huge = await opsbot(['reply', '快'.repeat(10_000)]);
    expect(huge.code).toBe(1);
    expect(huge.stderr).toContain('10000 个字');
    expect(huge.stderr).not.toMatch(STACK_TRACE);
    const emoji = JSON.parse((await opsbot(['reply', '👍👍🙏', '--json'])).stdout) as { intent: string; suggestions: unknown[] };
    expect(emoji).toMatchObject({ intent: 'other', suggestions: [] });
    const link = JSON.parse((await opsbot(['reply', 'https://v.douyin.com/abc123/', '--json'])).stdout) as { intent: string };
    expect(link.intent).toBe('other');
    const english = JSON.parse((await opsbot(['reply', 'I want a refund, the jacket is too small', '--json'])).stdout) as { intent: string; suggestions: unknown[] };
    expect(english.intent).toBe('return_refund');
    expect(english.suggestions.length).toBeGreaterThanOrEqual(2);
  });

  it('prints an error object with --json for a message it cannot take, and refuses a message together with --batch', async () => {
    const run = await opsbot(['reply', '快'.repeat(3000), '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ intent: null, suggestions: [], error: { code: 'OPSBOT_ERR_CS_MESSAGE_TOO_LONG' } });
    const both = await opsbot(['reply', '什么时候发货', '--batch', 'x.txt']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--batch');
  });

  it('answers a batch file line by line; a bad line gets its own error object and exit 1', async () => {
    const file = join(work.dir, 'messages.txt');
    writeFileSync(file, iconv.encode(['能便宜点吗', '快'.repeat(3000), '谢谢'].join('\r\n'), 'gbk'));
    const run = await opsbot(['reply', '--batch', file, '--json']);
    expect(run.code).toBe(1);
    const results = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { intent: string | null; error?: { code: string } });
    expect(results.map((r) => r.intent)).toEqual(['coupon', null, 'other']);
    expect(results[1]!.error?.code).toBe('OPSBOT_ERR_CS_MESSAGE_TOO_LONG');
    expect(run.stderr).toContain('共 3 条消息');
  });
});
