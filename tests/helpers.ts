import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig, type Config } from '../src/bot/config.js';
import { Prompts } from '../src/bot/prompts.js';
import { DEFAULT_PLAYBOOK_DIR, PACKAGE_ROOT } from '../src/bot/paths.js';

export { DEFAULT_PLAYBOOK_DIR, PACKAGE_ROOT };

/** A logger that writes nowhere. */
export const silentLogger = pino({ level: 'silent' });

/** The project's real prompt catalogue. */
export const prompts = Prompts.load();

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'opsbot-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A config built from the given variables only (no `.env`, no process environment). */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ env, envFile: false });
}
