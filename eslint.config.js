// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/'] },
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
    ignores: ['src/bot/config.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through src/bot/config.ts.' }],
    },
  },
  {
    // Skills talk to chats through the context; platforms stay behind the adapters.
    files: ['src/skills/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['grammy', 'grammy/*', '@grammyjs/*', 'wechaty', 'wechaty/*', 'wechaty-puppet*'], message: 'Skills never import a platform library.' }] },
      ],
    },
  },
  {
    // Only the CLI entry points and benchmarks talk to the terminal directly.
    files: ['bin/**', 'bench/**', 'src/cli/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['bin/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
