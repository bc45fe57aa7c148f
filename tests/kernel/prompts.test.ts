import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, hasCode } from '../../src/kernel/errors.js';
import { Prompts } from '../../src/kernel/prompts.js';
import { PACKAGE_ROOT, prompts } from '../helpers.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('Prompts', () => {
  it('fills placeholders and reports a missing key or value by code', () => {
    const p = Prompts.fromEntries({ greet: '你好，{name}！' });
    expect(p.render('greet', { name: '小王' })).toBe('你好，小王！');
    let missingKey: unknown;
    try {
      p.render('nope');
    } catch (err) {
      missingKey = err;
    }
    expect(hasCode(missingKey, ErrorCode.PROMPT_MISSING)).toBe(true);
    expect(() => p.render('greet')).toThrow(/needs \{name\}/);
  });

  it('has every prompt key the source code names', () => {
    // Keys appear in code as string literals of the form 'area/name' (area one of the prompt folders).
    const areas = readdirSync(join(PACKAGE_ROOT, 'prompts'));
    const keyPattern = new RegExp(`['\`](?:${areas.join('|')})/[a-z0-9-]+(?:\\$\\{[^}]+\\})?[a-z0-9-]*['\`]`, 'g');
    const missing: string[] = [];
    let checked = 0;
    for (const file of sourceFiles(join(PACKAGE_ROOT, 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(keyPattern)) {
        const key = match[0].slice(1, -1);
        checked++;
        if (key.includes('${')) {
          const prefix = key.slice(0, key.indexOf('${'));
          if (!prompts.keys().some((k) => k.startsWith(prefix))) missing.push(`${key} (${file})`);
        } else if (!prompts.has(key)) missing.push(`${key} (${file})`);
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });

  it('has a message for every reason a playbook file can be skipped', () => {
    for (const reason of ['unsupported', 'binary', 'undecodable', 'empty', 'too-large', 'unreadable', 'outside']) {
      expect(prompts.has(`kb/skip-${reason}`)).toBe(true);
    }
  });
});
