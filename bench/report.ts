import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../src/kernel/paths.js';

const DOC = resolve(PACKAGE_ROOT, 'docs/benchmarks.md');

/**
 * Replaces one benchmark's section of docs/benchmarks.md (between its start and end markers), leaving the
 * other benchmarks' figures as they were; appends the section the first time.
 */
export function writeSection(name: string, markdown: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  const next = from >= 0 && to > from ? doc.slice(0, from) + block + doc.slice(to + end.length) : `${doc.trimEnd()}${doc.trim() ? '\n\n' : ''}${block}\n`;
  writeFileSync(DOC, next);
}
