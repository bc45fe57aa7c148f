import type { Button } from '../context.js';

/** Telegram refuses longer texts. */
export const TELEGRAM_MAX_TEXT = 4096;

/** A chat's title, where it has one. */
export function titleOf(chat: object): { title?: string } {
  return 'title' in chat && typeof chat.title === 'string' && chat.title ? { title: chat.title } : {};
}

/** Buttons as Telegram's inline keyboard; an empty keyboard removes the buttons of an edited message. */
export const keyboard = (rows: readonly (readonly Button[])[] = []) => ({
  inline_keyboard: rows.map((row) => row.map((b) => ({ text: b.text, callback_data: b.data }))),
});

/** Text safe inside Telegram's HTML parse mode. */
export const escapeHtml = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * `text` escaped for the HTML parse mode, cut (by whole characters, before escaping) to fit in `max`
 * characters: a cut after escaping can end inside an entity ("&am"), which Telegram refuses whole.
 */
export function escapeHtmlWithin(text: string, max: number): string {
  const escaped = escapeHtml(text);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const ch of text) {
    const e = escapeHtml(ch);
    if (out.length + e.length > max) break;
    out += e;
  }
  return out;
}

/** Splits text Telegram would refuse into pieces, at line ends where it can. */
export function splitForTelegram(text: string, max = TELEGRAM_MAX_TEXT): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = rest.lastIndexOf('\n', max);
    const at = cut > max / 2 ? cut : max;
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, '');
  }
  if (rest || pieces.length === 0) pieces.push(rest);
  return pieces;
}
