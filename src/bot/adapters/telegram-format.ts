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
