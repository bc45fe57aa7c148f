import iconv from 'iconv-lite';

export type TextEncodingName = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'gbk';

export type DecodeResult =
  | { ok: true; text: string; encoding: TextEncodingName }
  | { ok: false; reason: 'binary' | 'undecodable' };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Share of C0 control characters other than tab, newline and carriage return. */
function controlRatio(text: string): number {
  if (text.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) n++;
  }
  return n / text.length;
}

/**
 * Decodes a text file as operators save them: UTF-8 with or without BOM, UTF-16 with BOM (Windows
 * Notepad's "Unicode"), or GBK/GB18030 (older Chinese Windows and back-office exports). Anything else
 * is reported as binary or undecodable, never guessed into mojibake.
 */
export function decodeText(bytes: Uint8Array): DecodeResult {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] === 0xff && buf[1] === 0xfe) return checked(iconv.decode(buf.subarray(2), 'utf-16le'), 'utf-16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) return checked(iconv.decode(buf.subarray(2), 'utf-16be'), 'utf-16be');
  // A NUL byte never occurs in UTF-8 or GBK text.
  if (buf.includes(0)) return { ok: false, reason: 'binary' };
  const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  try {
    const text = utf8.decode(bom ? buf.subarray(3) : buf);
    return checked(text, bom ? 'utf-8-bom' : 'utf-8');
  } catch {
    // Not UTF-8: try GB18030, the superset of GBK that Chinese Windows uses.
  }
  const text = iconv.decode(buf, 'gb18030');
  if (text.includes('\uFFFD')) return { ok: false, reason: 'undecodable' };
  return checked(text, 'gbk');
}

function checked(text: string, encoding: TextEncodingName): DecodeResult {
  if (controlRatio(text) > 0.05) return { ok: false, reason: 'binary' };
  return { ok: true, text, encoding };
}
