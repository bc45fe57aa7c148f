import { csvRows, type CsvRecord, type Delimiter } from './csv.js';

/**
 * Reads pieces of text until the first non-empty line is complete; returns that line and the text read,
 * which the records start with.
 */
export async function firstLineOf(chunks: AsyncIterator<string>): Promise<{ head: string; firstLine: string; ended: boolean }> {
  let head = '';
  for (;;) {
    const m = /[^\r\n]+/.exec(head);
    if (m && m.index + m[0].length < head.length) return { head, firstLine: m[0], ended: false };
    const next = await chunks.next();
    if (next.done) return { head, firstLine: m?.[0] ?? '', ended: true };
    head += next.value;
  }
}

/**
 * The records of a text that arrives in pieces (`head`, then `chunks`), a block at a time, numbered as
 * csvRows numbers the whole text. Each block is parsed up to its last line break; a record whose quote is
 * still open there (a quoted field with line breaks) is parsed again with more text, and the text asked
 * for doubles each time, so even a quote never closed costs no more than a few passes.
 */
export async function* csvBlocks(head: string, chunks: AsyncIterator<string>, delimiter: Delimiter, ended = false): AsyncGenerator<CsvRecord[]> {
  let carry = head;
  // Where carry's last line break is (-1: none), found in each piece as it comes: a long line is never searched again.
  let lastBreak = head.lastIndexOf('\n');
  let line = 1;
  let wanted = 0;
  for (;;) {
    while (!ended && (carry.length < wanted || lastBreak === -1)) {
      const next = await chunks.next();
      if (next.done) ended = true;
      else {
        const k = next.value.lastIndexOf('\n');
        if (k !== -1) lastBreak = carry.length + k;
        carry += next.value;
      }
    }
    const cut = ended ? carry.length : lastBreak + 1;
    const block = carry.slice(0, cut);
    const records: CsvRecord[] = [];
    let reopen: number | undefined;
    for (const record of csvRows(block, delimiter, line)) {
      if (record.unclosedQuote !== undefined && !ended) {
        reopen = record.line;
        break;
      }
      records.push(record);
    }
    if (records.length > 0) yield records;
    if (reopen === undefined) {
      if (ended) return;
      line += lineFeeds(block, block.length);
      carry = carry.slice(cut);
      lastBreak = carry.lastIndexOf('\n');
      wanted = 0;
      continue;
    }
    // The open record starts a line: keep the text from there, and ask for twice as much before trying again.
    const start = lineStart(block, reopen - line);
    carry = block.slice(start) + carry.slice(cut);
    lastBreak = carry.lastIndexOf('\n');
    line = reopen;
    wanted = carry.length * 2;
  }
}

function lineFeeds(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** Where the text's line `skip` lines after its first starts. */
function lineStart(text: string, skip: number): number {
  let pos = 0;
  for (let k = 0; k < skip; k++) pos = text.indexOf('\n', pos) + 1;
  return pos;
}
