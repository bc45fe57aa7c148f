#!/usr/bin/env node
// Validates a knowledge-base eval fixture (e.g. tests/fixtures/kb-eval-heldout2.json):
// schema, unique ids, every expect/sentence string found verbatim in playbook/<doc>.txt,
// and no sentence-ending punctuation inside `sentence` strings.
// Hand-written rather than zod so it runs with plain node and no build step.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixturePath = process.argv[2];
if (!fixturePath) {
  console.error('usage: node scripts/check-eval-fixture.mjs <fixture.json>');
  process.exit(2);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const data = JSON.parse(readFileSync(fixturePath, 'utf8'));
const errors = [];
const ids = new Set();
const docs = new Map();
const END = /[。！？!?]/;

const docText = (doc) => {
  if (!docs.has(doc)) {
    const p = join(root, 'playbook', `${doc}.txt`);
    docs.set(doc, existsSync(p) ? readFileSync(p, 'utf8') : null);
  }
  return docs.get(doc);
};
const checkId = (id, prefix, where) => {
  if (typeof id !== 'string' || !id.startsWith(prefix)) errors.push(`${where}: bad id ${id}`);
  if (ids.has(id)) errors.push(`${where}: duplicate id ${id}`);
  ids.add(id);
};
const checkQ = (q, where) => {
  if (typeof q !== 'string' || q.trim().length < 2) errors.push(`${where}: missing q`);
};

if (typeof data.note !== 'string' || !data.note.trim()) errors.push('note: missing');
if (!Array.isArray(data.answerable)) errors.push('answerable: not an array');
if (!Array.isArray(data.unanswerable)) errors.push('unanswerable: not an array');

for (const [i, item] of (data.answerable ?? []).entries()) {
  const where = `answerable[${i}] ${item.id}`;
  checkId(item.id, 'k', where);
  checkQ(item.q, where);
  const text = docText(item.doc);
  if (text === null) {
    errors.push(`${where}: no playbook/${item.doc}.txt`);
    continue;
  }
  for (const key of ['expect', 'sentence']) {
    const list = item[key];
    if (!Array.isArray(list) || list.length === 0) {
      errors.push(`${where}: ${key} must be a non-empty array`);
      continue;
    }
    for (const s of list) {
      const len = typeof s === 'string' ? [...s].length : 0;
      if (len < 4 || len > 20) errors.push(`${where}: ${key} "${s}" length ${len} not in 4..20`);
      if (typeof s === 'string' && !text.includes(s)) errors.push(`${where}: ${key} "${s}" not in ${item.doc}`);
      if (key === 'sentence' && END.test(s)) errors.push(`${where}: sentence "${s}" spans a sentence end`);
    }
  }
}
const KINDS = new Set(['off-topic', 'uncovered']);
for (const [i, item] of (data.unanswerable ?? []).entries()) {
  const where = `unanswerable[${i}] ${item.id}`;
  checkId(item.id, 'x', where);
  checkQ(item.q, where);
  if (!KINDS.has(item.kind)) errors.push(`${where}: bad kind ${item.kind}`);
}

const count = {};
for (const a of data.answerable ?? []) count[a.doc] = (count[a.doc] ?? 0) + 1;
for (const u of data.unanswerable ?? []) count[u.kind] = (count[u.kind] ?? 0) + 1;
console.log(JSON.stringify(count));
if (errors.length) {
  for (const e of errors) console.error(e);
  process.exit(1);
}
console.log(`ok: ${data.answerable.length} answerable, ${data.unanswerable.length} unanswerable`);
