import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../helpers.js';

const eslint = new ESLint({ cwd: PACKAGE_ROOT });

/** The layering rule's verdicts on `import` lines as if written in `file`. */
async function verdicts(file: string, imports: string[]): Promise<string[]> {
  const code = imports.map((spec, i) => `import * as m${i} from '${spec}';\nvoid m${i};`).join('\n');
  const [result] = await eslint.lintText(code, { filePath: `${PACKAGE_ROOT}/${file}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layers, enforced by ESLint', () => {
  it('keeps the runtime and the knowledge base from importing a skill, the app or each other', async () => {
    expect(await verdicts('src/bot/example.ts', ['../skills/metrics/index.js', '../knowledge/knowledge-base.js', '../app/app.js', '../kernel/config.js', './router.js'])).toHaveLength(3);
    expect(await verdicts('src/knowledge/example.ts', ['../bot/router.js', '../skills/index.js', '../kernel/errors.js'])).toHaveLength(2);
  });

  it('keeps the kernel free of opsbot, and skills free of the app and of platform and database libraries', async () => {
    expect(await verdicts('src/kernel/example.ts', ['../bot/context.js', './errors.js'])).toHaveLength(1);
    const skill = await verdicts('src/skills/live/example.ts', ['../../app/app.js', 'grammy', 'wechaty', 'fastify', 'bullmq', 'better-sqlite3', '../../bot/plugin.js', '../../knowledge/types.js']);
    expect(skill).toHaveLength(6);
    expect(skill.join('\n')).toContain('Skills never import');
  });

  it('lets the app compose everything, but never call the CLI', async () => {
    expect(await verdicts('src/app/example.ts', ['../skills/index.js', '../bot/router.js', '../knowledge/knowledge-base.js'])).toEqual([]);
    expect(await verdicts('src/app/example.ts', ['../cli/main.js'])).toHaveLength(1);
  });
});
