import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const fromHere = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The project's root folder: where prompts/, playbook/ and the lexicon ship. Two folders up from here in
 * the sources (src/kernel); in the compiled build (.build/<hash>/src/kernel, see bin/compiled.js) two more.
 * A build is known by its `complete` marker, so a checkout that merely sits in a folder named .build is not
 * taken for one.
 */
export const PACKAGE_ROOT =
  basename(dirname(fromHere)) === '.build' && existsSync(join(fromHere, 'complete')) ? dirname(dirname(fromHere)) : fromHere;

/** The shipped default playbook. */
export const DEFAULT_PLAYBOOK_DIR = resolve(PACKAGE_ROOT, 'playbook');

/** Where every customer-facing sentence lives. */
export const PROMPTS_DIR = resolve(PACKAGE_ROOT, 'prompts');
