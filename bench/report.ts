import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../src/kernel/paths.js';

const DOC = resolve(PACKAGE_ROOT, 'docs/benchmarks.md');
const markers = (name: string) => [`<!-- bench:${name}:start -->`, `<!-- bench:${name}:end -->`] as const;

/**
 * Replaces one benchmark's section of docs/benchmarks.md (between its start and end markers), leaving the
 * other benchmarks' figures as they were; appends the section the first time. The section opens with an
 * anchor `bench-<name>` so the overview can link to it.
 */
export function writeSection(name: string, markdown: string): void {
  const [start, end] = markers(name);
  const block = `${start}\n<a id="bench-${name}"></a>\n\n${markdown.trim()}\n${end}`;
  const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  const next = from >= 0 && to > from ? doc.slice(0, from) + block + doc.slice(to + end.length) : `${doc.trimEnd()}${doc.trim() ? '\n\n' : ''}${block}\n`;
  writeFileSync(DOC, next);
}

/** Puts the named sections of docs/benchmarks.md in this order (others keep their place after them). */
export function orderSections(names: readonly string[]): void {
  if (!existsSync(DOC)) return;
  let rest = readFileSync(DOC, 'utf8');
  const blocks: string[] = [];
  for (const name of names) {
    const [start, end] = markers(name);
    const from = rest.indexOf(start);
    const to = rest.indexOf(end);
    if (from < 0 || to < from) continue;
    blocks.push(rest.slice(from, to + end.length));
    rest = rest.slice(0, from) + rest.slice(to + end.length);
  }
  const tail = rest.replace(/\n{3,}/g, '\n\n').trim();
  writeFileSync(DOC, `${[...blocks, ...(tail ? [tail] : [])].join('\n\n')}\n`);
}
