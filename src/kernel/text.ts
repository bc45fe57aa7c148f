/**
 * Characters as a person counts them: code points, so an emoji is one, not two UTF-16 units. Counted
 * without building an array, since it runs on whatever a fan pastes (a megabyte).
 */
export function charCount(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * The first `max` characters of `text` (code points, as `charCount` counts them): a cut never falls
 * between the two halves of an emoji. Reads only what it keeps, whatever the length of `text`.
 */
export function firstChars(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  for (let n = 0; n < max && end < text.length; n++) {
    const c = text.charCodeAt(end);
    const d = text.charCodeAt(end + 1);
    end += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
  }
  return text.slice(0, end);
}

/** True when `text` has more than `max` characters; a text of `max` UTF-16 units or fewer is not counted. */
export function longerThan(text: string, max: number): boolean {
  return text.length > max && charCount(text) > max;
}

/** A high surrogate with no low one after it, or a low one with no high one before it (String#toWellFormed is ES2024). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Control characters other than tab and line breaks: NUL and friends mean nothing in a chat message. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * A message's text as the runtime takes it: lone surrogates (no character at all, and refused by some
 * APIs and JSON encoders downstream) become U+FFFD, and control characters are dropped.
 */
export function cleanText(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd').replace(CONTROLS, '');
}
