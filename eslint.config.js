// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The floors of the system, from the ground up: an import may only go down this list, never up or across.
 * kernel (config, errors, logger, prompts, llm, clock, paths) ← runtime (src/bot) and knowledge base ←
 * skills ← app (the one composition root) ← cli. Each floor lists the folders it must not import.
 */
const layer = (group, message) => ({ group, message });
const UP_FROM_KERNEL = layer(['**/bot/**', '**/knowledge/**', '**/skills/**', '**/app/**', '**/console/**', '**/cli/**'], 'The kernel imports nothing of opsbot.');
const UP_FROM_RUNTIME = layer(['**/knowledge/**', '**/skills/**', '**/app/**', '**/console/**', '**/cli/**'], 'The runtime imports only the kernel: skills are applied by src/app.');
const UP_FROM_KNOWLEDGE = layer(['**/bot/**', '**/skills/**', '**/app/**', '**/console/**', '**/cli/**'], 'The knowledge base imports only the kernel.');
const UP_FROM_SKILLS = layer(['**/app/**', '**/console/**', '**/cli/**'], 'Skills speak to the runtime\'s interfaces; only src/app composes them.');
const UP_FROM_APP = layer(['**/console/**', '**/cli/**'], 'The composition root is called by the console and the CLI, never the other way round.');
const UP_FROM_CONSOLE = layer(['**/cli/**'], 'The web console is started by the CLI, never the other way round.');
const PLATFORMS = layer(
  ['better-sqlite3', 'grammy', 'grammy/*', '@grammyjs/*', 'wechaty', 'wechaty/*', 'wechaty-puppet*', 'fastify', 'fastify/*', '@fastify/*', 'bullmq', 'ioredis', 'keyv', '@keyv/*', 'sqlite3', 'redis', '@redis/*'],
  'Skills never import a platform, HTTP or database library: they use the runtime\'s services.',
);
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/', '.build/', 'data/', 'coverage/', 'web/dist/', 'tests/artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Configuration is read once, in one place.
    files: ['src/**/*.ts'],
    ignores: ['src/kernel/config.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through src/kernel/config.ts.' }],
    },
  },
  { files: ['src/kernel/**/*.ts'], rules: restrict(UP_FROM_KERNEL) },
  { files: ['src/bot/**/*.ts'], rules: restrict(UP_FROM_RUNTIME) },
  { files: ['src/knowledge/**/*.ts'], rules: restrict(UP_FROM_KNOWLEDGE) },
  { files: ['src/skills/**/*.ts'], rules: restrict(UP_FROM_SKILLS, PLATFORMS) },
  {
    // The metrics skill's own analytics file (imported exports, not the shop's shared state) predates the
    // store's named operations; it stays a skill-private SQLite database until the store can hold it.
    files: ['src/skills/metrics/db*.ts'],
    rules: restrict(UP_FROM_SKILLS, layer(PLATFORMS.group.filter((g) => g !== 'better-sqlite3'), PLATFORMS.message)),
  },
  { files: ['src/app/**/*.ts'], rules: restrict(UP_FROM_APP) },
  { files: ['src/console/**/*.ts'], rules: restrict(UP_FROM_CONSOLE) },
  {
    // Only the CLI entry points and benchmarks talk to the terminal directly.
    files: ['bin/**', 'bench/**', 'scripts/**', 'src/cli/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['bin/**', 'scripts/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
