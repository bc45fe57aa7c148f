import { randomInt } from 'node:crypto';
import { decodeText } from '../../knowledge/decode.js';
import type { Prompts } from '../../kernel/prompts.js';
import { couponInvalid } from './drop.js';

/** No 0/O, 1/I/L: a fan reads the code off a phone and types it into the shop. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 10;
const MAX_CODE = 64;

/** `n` distinct codes of CODE_LENGTH characters from CODE_ALPHABET, from the system's CSPRNG. */
export function generateCodes(n: number): string[] {
  const codes = new Set<string>();
  while (codes.size < n) {
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
    codes.add(code);
  }
  return [...codes];
}

/**
 * The codes of a file the shop platform issued: one per line, UTF-8 or GBK. Blank lines, duplicates and
 * codes that cannot be typed are refused with their line numbers (every problem at once), never skipped.
 */
export function readCodes(bytes: Uint8Array, prompts: Prompts): string[] {
  const decoded = decodeText(bytes);
  if (!decoded.ok) throw couponInvalid([prompts.render('coupon/problem-codes-unreadable')]);
  const lines = decoded.text.split(/\r?\n/);
  // The newline at the end of the last line is not a blank line.
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  const problems: string[] = [];
  const blank: number[] = [];
  const bad: number[] = [];
  const seen = new Map<string, number>();
  const codes: string[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const n = i + 1;
    if (!line) return void blank.push(n);
    if (line.length > MAX_CODE || /\s|[^\x21-\x7e]/.test(line)) return void bad.push(n);
    const first = seen.get(line);
    if (first !== undefined) return void problems.push(prompts.render('coupon/problem-codes-duplicate', { line: n, first, code: line }));
    seen.set(line, n);
    codes.push(line);
  });
  if (blank.length > 0) problems.unshift(prompts.render('coupon/problem-codes-blank', { lines: lineList(blank, prompts) }));
  if (bad.length > 0) problems.unshift(prompts.render('coupon/problem-codes-bad', { lines: lineList(bad, prompts), max: MAX_CODE }));
  if (codes.length === 0 && problems.length === 0) problems.push(prompts.render('coupon/problem-codes-empty'));
  if (problems.length > 0) throw couponInvalid(problems.slice(0, 20).concat(problems.length > 20 ? [prompts.render('coupon/problem-more', { n: problems.length - 20 })] : []));
  return codes;
}

/** 3、7、12 (and how many in all, past ten). */
function lineList(lines: number[], prompts: Prompts): string {
  const shown = lines.slice(0, 10).join(prompts.render('coupon/list-separator'));
  return lines.length > 10 ? prompts.render('coupon/lines-more', { lines: shown, n: lines.length }) : shown;
}
