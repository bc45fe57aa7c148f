import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { indexPathOf, PIPELINE_VERSION } from '../../src/knowledge/indexer.js';
import { KnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import { captureLogger, DEFAULT_PLAYBOOK_DIR, prompts, runOpsbot, STACK_TRACE, tempDir, testConfig } from '../helpers.js';

// A corrupt kb/index.json is derived data: it is rebuilt from the playbook with a warning, never a
// crash, and nothing else of the user's is touched.
let work: { dir: string; cleanup: () => void };
let playbook: string;
let dataDir: string;

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) out[join(f.parentPath, f.name)] = readFileSync(join(f.parentPath, f.name), 'base64');
  }
  return out;
}

beforeEach(() => {
  work = tempDir('opsbot-faults-index-');
  playbook = join(work.dir, 'playbook');
  dataDir = join(work.dir, 'data');
  mkdirSync(playbook);
  for (const f of readdirSync(DEFAULT_PLAYBOOK_DIR)) copyFileSync(join(DEFAULT_PLAYBOOK_DIR, f), join(playbook, f));
  mkdirSync(join(dataDir, 'kb'), { recursive: true });
  // Something else of the user's in the data dir, which must survive the rebuild.
  writeFileSync(join(dataDir, 'kb', 'notes.txt'), '运营备注\n');
});
afterEach(() => work.cleanup());

const corrupt: { name: string; bytes: string | Buffer }[] = [
  { name: 'truncated JSON', bytes: '{"version":4,"fingerprint":"ab' },
  { name: 'binary garbage', bytes: Buffer.from([0x00, 0xff, 0x13, 0x37, 0x00, 0x89, 0x50, 0x4e, 0x47]) },
  { name: 'JSON null', bytes: 'null' },
  { name: 'an array', bytes: '[1,2,3]' },
  { name: 'the right version with broken parts', bytes: JSON.stringify({ version: PIPELINE_VERSION, fingerprint: 'x', chunks: [null, 3], bm25: 'no', bm25Bigrams: 7 }) },
  { name: 'empty', bytes: '' },
];

describe('a corrupt kb/index.json', () => {
  for (const c of corrupt) {
    it(`(${c.name}) is rebuilt with a warning; answers still come; nothing else changes`, async () => {
      const index = indexPathOf(dataDir);
      writeFileSync(index, c.bytes);
      const playbookBefore = snapshot(playbook);
      const notesBefore = readFileSync(join(dataDir, 'kb', 'notes.txt'), 'utf8');
      const { logger, lines } = captureLogger();
      const kb = new KnowledgeBase({ config: testConfig({ OPSBOT_DATA_DIR: dataDir, OPSBOT_PLAYBOOK_DIR: playbook }), logger, prompts });

      const answer = await kb.ask('直播前要做哪些预热');
      expect(answer.found).toBe(true);
      // The rebuilt index is valid and is the current version.
      const rebuilt = JSON.parse(readFileSync(index, 'utf8')) as { version: number; chunks: unknown[] };
      expect(rebuilt.version).toBe(PIPELINE_VERSION);
      expect(rebuilt.chunks.length).toBeGreaterThan(10);
      // One warning, in Chinese, naming the file.
      const warnings = lines().filter((l) => l.level === 40 && String(l.msg).includes('index.json'));
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0]!.msg)).toBe(prompts.render('kb/index-corrupt', { path: index }));
      expect(snapshot(playbook)).toEqual(playbookBefore);
      expect(readFileSync(join(dataDir, 'kb', 'notes.txt'), 'utf8')).toBe(notesBefore);
    });
  }

  it('an index of an older version is rebuilt quietly (not corrupt, just old)', async () => {
    const index = indexPathOf(dataDir);
    writeFileSync(index, JSON.stringify({ version: PIPELINE_VERSION - 1, chunks: [] }));
    const { logger, lines } = captureLogger();
    const kb = new KnowledgeBase({ config: testConfig({ OPSBOT_DATA_DIR: dataDir, OPSBOT_PLAYBOOK_DIR: playbook }), logger, prompts });
    expect((await kb.build()).rebuilt).toBe(true);
    expect(lines().filter((l) => l.level === 40)).toHaveLength(0);
  });

  it('`opsbot ask` tells the CLI user in Chinese on stderr, exits 0, and stdout holds only the answer', async () => {
    const index = indexPathOf(dataDir);
    writeFileSync(index, '{"version":');
    const run = await runOpsbot(['ask', '--json', '直播前要做哪些预热'], work.dir, { OPSBOT_DATA_DIR: dataDir, OPSBOT_PLAYBOOK_DIR: playbook, LOG_LEVEL: 'info' });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(prompts.render('kb/index-corrupt', { path: index }));
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.stderr).not.toContain('"stack"');
    expect((JSON.parse(run.stdout) as { found: boolean }).found).toBe(true);
    expect(JSON.parse(readFileSync(index, 'utf8'))).toMatchObject({ version: PIPELINE_VERSION });
  });
});

describe('kb/index.json that is a folder', () => {
  it('is not called corrupt, is never replaced, and the build says it cannot save there', async () => {
    const index = indexPathOf(dataDir);
    mkdirSync(index);
    writeFileSync(join(index, '我的文件.txt'), '别删我\n');
    const { logger, lines } = captureLogger();
    const kb = new KnowledgeBase({ config: testConfig({ OPSBOT_DATA_DIR: dataDir, OPSBOT_PLAYBOOK_DIR: playbook }), logger, prompts });
    const err = (await kb.build().catch((e: unknown) => e)) as { code: string; promptKey: string; params: Record<string, string> };
    expect(err.code).toBe('OPSBOT_ERR_KB_INDEX_UNWRITABLE');
    // Said in words, naming the file and what to do; no （EISDIR）.
    const said = prompts.render(err.promptKey, err.params);
    expect(said).toBe(prompts.render('errors/kb-index-unwritable', { path: index, reason: prompts.render('kb/unwritable-directory') }));
    expect(said).not.toMatch(/E[A-Z]{3,}/);
    expect(lines().map((l) => l.msg)).toContain(prompts.render('kb/index-unreadable', { path: index }));
    expect(lines().map((l) => l.msg)).not.toContain(prompts.render('kb/index-corrupt', { path: index }));
    expect(readFileSync(join(index, '我的文件.txt'), 'utf8')).toBe('别删我\n');
    // A question is still answered, from memory, with a Chinese warning.
    expect((await kb.ask('直播前要做哪些预热')).found).toBe(true);
    expect(lines().map((l) => l.msg)).toContain(prompts.render('kb/index-unsaved', { path: index, reason: prompts.render('kb/unwritable-directory') }));
  });
});
