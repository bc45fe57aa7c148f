import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder: where prompts/, playbook/ and the lexicon ship. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shipped default playbook. */
export const DEFAULT_PLAYBOOK_DIR = resolve(PACKAGE_ROOT, 'playbook');

/** Where every customer-facing sentence lives. */
export const PROMPTS_DIR = resolve(PACKAGE_ROOT, 'prompts');
