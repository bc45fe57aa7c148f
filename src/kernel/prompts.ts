import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ErrorCode, OpsbotError } from './errors.js';
import { PROMPTS_DIR } from './paths.js';

export type PromptParams = Readonly<Record<string, string | number>>;

/**
 * Every sentence a fan, operator or agent reads, loaded from `prompts/` and referred to by key: the path
 * below `prompts/` without `.txt` (`kb/not-found`). Placeholders are `{name}`.
 */
export class Prompts {
  private constructor(private readonly texts: ReadonlyMap<string, string>) {}

  /** Loads every `.txt` file below `dir` (synchronously: a few dozen small files, read once at start). */
  static load(dir: string = PROMPTS_DIR): Prompts {
    const texts = new Map<string, string>();
    const walk = (folder: string) => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const full = join(folder, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.txt')) {
          const key = relative(dir, full).slice(0, -4).split(sep).join('/');
          texts.set(key, readFileSync(full, 'utf8').replace(/^\uFEFF/, '').replace(/(\r?\n)+$/, ''));
        }
      }
    };
    walk(dir);
    return new Prompts(texts);
  }

  /** Builds a catalogue from an in-memory map (tests). */
  static fromEntries(entries: Record<string, string>): Prompts {
    return new Prompts(new Map(Object.entries(entries)));
  }

  /** True when the key exists. */
  has(key: string): boolean {
    return this.texts.has(key);
  }

  /** All keys, sorted. */
  keys(): string[] {
    return [...this.texts.keys()].sort();
  }

  /** The text for `key` with its `{placeholders}` filled; throws a coded error on a missing key or value. */
  render(key: string, params: PromptParams = {}): string {
    const text = this.texts.get(key);
    if (text === undefined) {
      throw new OpsbotError(ErrorCode.PROMPT_MISSING, `prompt "${key}" not found`, { details: { key } });
    }
    return text.replace(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g, (_m, name: string) => {
      const value = params[name];
      if (value === undefined) {
        throw new OpsbotError(ErrorCode.PROMPT_VAR_MISSING, `prompt "${key}" needs {${name}}`, {
          details: { key, name },
        });
      }
      return String(value);
    });
  }
}
