import { describe, expect, it } from 'vitest';
import { csvRows, type CsvRecord, type Delimiter } from '../../../src/skills/metrics/csv.js';
import { csvBlocks, firstLineOf } from '../../../src/skills/metrics/csv-stream.js';

async function* pieces(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** The records of `text` read in pieces of `size` characters, through firstLineOf and csvBlocks as the importer reads them. */
async function streamed(text: string, size: number, delimiter: Delimiter = ','): Promise<{ firstLine: string; records: CsvRecord[] }> {
  const chunks = pieces(text, size);
  const { head, firstLine, ended } = await firstLineOf(chunks);
  const records: CsvRecord[] = [];
  for await (const block of csvBlocks(head, chunks, delimiter, ended)) records.push(...block);
  return { firstLine, records };
}

const TEXTS: readonly [string, string][] = [
  ['plain LF', 'a,b,c\n1,2,3\n4,5,6\n'],
  ['CRLF, no final line end', 'a,b\r\n1,2\r\n3,4'],
  ['blank lines', '\n\r\na,b\n\n1,2\n\r\n\n3,4\n'],
  ['quoted commas and quotes', 'a,b\n"x,y","say ""hi"""\n"1",2\n'],
  ['a quoted field over lines', 'a,b\n"line one\nline two\r\nline three",2\n5,6\n'],
  ['many quoted line breaks', `a,b\n${Array.from({ length: 40 }, (_, i) => `"${'q\n'.repeat(i % 7)}${i}",${i}`).join('\n')}\n`],
  ['a quote never closed', 'a,b\n1,2\n"open,3\n4,5\n6,7\n'],
  ['text after a closing quote', 'a,b\n"x"y,2\n3,4\n'],
  ['only a header', 'date,visitors'],
  ['empty', ''],
];

describe('csvBlocks', () => {
  it.each(TEXTS.flatMap(([name, text]) => [1, 2, 3, 5, 8, 64, 100_000].map((size) => [name, size, text] as const)))(
    '%s, in pieces of %i: the same records and lines as csvRows on the whole text',
    async (_name, size, text) => {
      const { firstLine, records } = await streamed(text, size);
      expect(records).toEqual([...csvRows(text, ',')]);
      expect(firstLine).toBe(/[^\r\n]+/.exec(text)?.[0] ?? '');
    },
  );

  it('keeps tabs and semicolons as the delimiter said', async () => {
    const text = 'a\tb\n1\t"2\t3"\n';
    expect((await streamed(text, 3, '\t')).records).toEqual([...csvRows(text, '\t')]);
  });

  it('reads a long quote that is never closed, in small pieces', async () => {
    const text = `a,b\n"${'x,'.repeat(200_000)}`;
    const { records } = await streamed(text, 64);
    expect(records).toEqual([...csvRows(text, ',')]);
    expect(records.at(-1)).toMatchObject({ line: 2, unclosedQuote: 2 });
  });
});
