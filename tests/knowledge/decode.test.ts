import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../src/knowledge/decode.js';

const TEXT = '直播预告要提前一小时发布，交代直播时间、主题和活动。';
const TRAD = '電商運營的五個小竅門';

describe('decodeText', () => {
  it.each([
    ['UTF-8', Buffer.from(TEXT, 'utf8'), 'utf-8', TEXT],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]), 'utf-8-bom', TEXT],
    ['UTF-16 LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(TEXT, 'utf-16le')]), 'utf-16le', TEXT],
    ['UTF-16 BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(TEXT, 'utf-16be')]), 'utf-16be', TEXT],
    ['GBK', iconv.encode(TEXT, 'gbk'), 'gbk', TEXT],
    ['GBK, traditional characters', iconv.encode(TRAD, 'gbk'), 'gbk', TRAD],
  ])('decodes %s', (_name, bytes, encoding, text) => {
    expect(decodeText(bytes)).toEqual({ ok: true, encoding, text });
  });

  it('reports binary data (a PNG header, NUL bytes) instead of guessing', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48]);
    expect(decodeText(png)).toEqual({ ok: false, reason: 'binary' });
  });

  it('reports bytes that are neither UTF-8 nor GBK as undecodable', () => {
    expect(decodeText(Buffer.from([0xff, 0xff, 0xfe, 0x81, 0x30, 0xff]))).toEqual({ ok: false, reason: 'undecodable' });
  });

  it('reports text full of control characters as binary', () => {
    expect(decodeText(Buffer.from('\x01\x02\x03\x04abc\x05\x06', 'latin1'))).toEqual({ ok: false, reason: 'binary' });
  });

  it('decodes an empty file as empty text', () => {
    expect(decodeText(Buffer.alloc(0))).toEqual({ ok: true, text: '', encoding: 'utf-8' });
  });
});
