import { describe, expect, it } from 'vitest';
import { csvRows, detectDelimiter, type Delimiter } from '../../../src/skills/metrics/csv.js';

const rows = (text: string, delimiter: Delimiter = ',') => [...csvRows(text, delimiter)].map((r) => [r.line, r.fields]);

describe('csvRows', () => {
  it.each<[string, string, Delimiter, (string | number | string[])[][]]>([
    ['plain LF', 'a,b,c\n1,2,3\n', ',', [[1, ['a', 'b', 'c']], [2, ['1', '2', '3']]]],
    ['CRLF', 'a,b\r\n1,2\r\n', ',', [[1, ['a', 'b']], [2, ['1', '2']]]],
    ['no final newline', 'a,b\n1,2', ',', [[1, ['a', 'b']], [2, ['1', '2']]]],
    ['no final newline after CRLF lines', 'a,b\r\n1,2', ',', [[1, ['a', 'b']], [2, ['1', '2']]]],
    ['empty lines skipped, line numbers kept', '\na,b\n\n\r\n1,2\n\n', ',', [[2, ['a', 'b']], [5, ['1', '2']]]],
    ['empty fields', ',a,,\n', ',', [[1, ['', 'a', '', '']]]],
    ['quoted delimiter', 'a,"1,234",b\n', ',', [[1, ['a', '1,234', 'b']]]],
    ['escaped quotes', '"say ""hi""",x\n', ',', [[1, ['say "hi"', 'x']]]],
    ['quoted empty field', '"",a\n', ',', [[1, ['', 'a']]]],
    ['quoted field at line end with CRLF', 'a,"b"\r\nc,d\r\n', ',', [[1, ['a', 'b']], [2, ['c', 'd']]]],
    ['quoted field at end of text', 'a,"b"', ',', [[1, ['a', 'b']]]],
    ['quoted newline: record starts on its first line', 'h1,h2\n"x\ny",2\n3,4\n', ',', [[1, ['h1', 'h2']], [2, ['x\ny', '2']], [4, ['3', '4']]]],
    ['quoted CRLF kept inside the field', '"x\r\ny",2\r\n3,4', ',', [[1, ['x\r\ny', '2']], [3, ['3', '4']]]],
    ['every field quoted', '"2026-11-25","抖音","1,234"\n"2026-11-26","快手","5"\n', ',', [[1, ['2026-11-25', '抖音', '1,234']], [2, ['2026-11-26', '快手', '5']]]],
    ['quote inside an unquoted field kept', 'ab"c,d\n', ',', [[1, ['ab"c', 'd']]]],
    ['text after a closing quote appended', '"ab"c,d\n', ',', [[1, ['abc', 'd']]]],
    ['unclosed quote runs to the end', 'a,"bc\nd\n', ',', [[1, ['a', 'bc\nd\n']]]],
    ['tab', 'a\tb\n"1\t2"\t3\n', '\t', [[1, ['a', 'b']], [2, ['1\t2', '3']]]],
    ['semicolon', 'a;b\n1,5;2\n', ';', [[1, ['a', 'b']], [2, ['1,5', '2']]]],
    ['trailing delimiter gives an empty last field', 'a,"b",\n', ',', [[1, ['a', 'b', '']]]],
    ['whitespace-only line is a record', ' \n', ',', [[1, [' ']]]],
    ['empty text', '', ',', []],
    ['only line breaks', '\r\n\n\r\n', ',', []],
  ])('%s', (_name, text, delimiter, expected) => {
    expect(rows(text, delimiter)).toEqual(expected);
  });

  it('keeps line numbers right over many rows with quoted fields (speed is measured in bench/, not here)', () => {
    const line = '2026-11-25,抖音,商品A,12345,678,345,23,12,11,15,"1,234.50",0\n';
    const text = 'date,channel,product,a,b,c,d,e,f,g,h,i\n' + line.repeat(20_000);
    let count = 0;
    let last = 0;
    for (const r of csvRows(text, ',')) {
      count++;
      expect(r.fields).toHaveLength(12);
      last = r.line;
    }
    expect(count).toBe(20_001);
    expect(last).toBe(20_001);
  });
});

describe('detectDelimiter', () => {
  it.each<[string, Delimiter]>([
    ['日期,渠道,销售额', ','],
    ['日期\t渠道\t销售额', '\t'],
    ['日期\t"a,b"', '\t'],
    ['日期;渠道;销售额', ';'],
    ['日期;渠道,销售额', ','],
    ['日期', ','],
  ])('%j → %j', (header, delimiter) => {
    expect(detectDelimiter(header)).toBe(delimiter);
  });
});
