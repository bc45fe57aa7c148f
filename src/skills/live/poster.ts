import { FONT_FAMILY, rasterizeAsync } from '../shared/picture.js';

/** What the poster shows. */
export interface PosterFacts {
  readonly title: string;
  /** `12月12日（周六）20:00`. */
  readonly when: string;
  readonly theme?: string;
  readonly offers: readonly string[];
  readonly products: readonly string[];
  readonly host?: string;
  /** The poster's fixed words (its headings), from prompts. */
  readonly words: { readonly badge: string; readonly theme: string; readonly offers: string; readonly products: string; readonly more: (n: number) => string; readonly footer: string; readonly host: (h: string) => string };
}

/** The poster is 1080 px wide: a phone screen's width at full resolution. */
export const POSTER_WIDTH = 1080;
const PAD = 64;
const INNER = POSTER_WIDTH - 2 * PAD;
const RED = '#e8384f';
const INK = '#1d2129';
const GREY = '#6b7385';
/** Products in one column up to this many; then two columns. */
const ONE_COLUMN = 5;
/** Products drawn at most; the rest are counted. */
const MAX_PRODUCTS = 16;

/** Width of a character in em: full width for CJK, narrower for Latin letters, digits and spaces. */
function charEm(ch: string): number {
  const code = ch.codePointAt(0)!;
  if (code >= 0x2e80) return 1;
  if (ch === ' ') return 0.3;
  return /[A-Z0-9]/.test(ch) ? 0.62 : 0.55;
}

/** Greedy wrapping into lines no wider than `width` px at `size` px; the last kept line ends with … when cut. */
export function wrap(text: string, size: number, width: number, maxLines = Infinity): string[] {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const ch of [...text.replace(/\s+/g, ' ').trim()]) {
    const w = charEm(ch) * size;
    if (used + w > width && line) {
      lines.push(line);
      line = '';
      used = 0;
      if (lines.length === maxLines) break;
    }
    if (!(line === '' && ch === ' ')) {
      line += ch;
      used += w;
    }
  }
  if (line && lines.length < maxLines) lines.push(line);
  const all = [...text.replace(/\s+/g, ' ').trim()].length;
  const shown = lines.join('').length;
  if (shown < all && lines.length > 0) {
    const last = [...lines[lines.length - 1]!];
    while (last.length > 0 && last.reduce((s, c) => s + charEm(c) * size, 0) + size > width) last.pop();
    lines[lines.length - 1] = `${last.join('')}…`;
  }
  return lines;
}

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Drawn {
  readonly parts: string[];
  y: number;
}

function text(d: Drawn, x: number, value: string, size: number, opts: { color?: string; bold?: boolean; anchor?: 'start' | 'middle'; opacity?: number } = {}): void {
  d.parts.push(
    `<text x="${x}" y="${d.y}" font-family="${FONT_FAMILY}" font-size="${size}"${opts.bold ? ' font-weight="bold"' : ''} fill="${opts.color ?? INK}"${opts.anchor === 'middle' ? ' text-anchor="middle"' : ''}${opts.opacity ? ` fill-opacity="${opts.opacity}"` : ''}>${esc(value)}</text>`,
  );
}

/** The title's size: as large as lets it fit in three lines. */
function titleLayout(title: string): { size: number; lines: string[] } {
  for (const size of [76, 64, 54, 46]) {
    const lines = wrap(title, size, INNER, Infinity);
    if (lines.length <= 3) return { size, lines };
  }
  return { size: 46, lines: wrap(title, 46, INNER, 4) };
}

/** The poster as SVG: a red header with the title and the time, then the theme, the offers and the products on white. */
export function posterSvg(f: PosterFacts): { svg: string; height: number } {
  const body: Drawn = { parts: [], y: 0 };
  const head: Drawn = { parts: [], y: PAD + 40 };
  text(head, PAD, f.words.badge, 34, { color: '#ffffff', opacity: 0.85, bold: true });
  head.y += 36;
  const title = titleLayout(f.title);
  for (const line of title.lines) {
    head.y += title.size * 1.25;
    text(head, PAD, line, title.size, { color: '#ffffff', bold: true });
  }
  head.y += 40;
  // The time on a light band, where the eye lands after the title.
  head.parts.push(`<rect x="${PAD}" y="${head.y}" width="${INNER}" height="84" rx="42" fill="#ffffff" fill-opacity="0.18"/>`);
  head.y += 57;
  text(head, POSTER_WIDTH / 2, f.when, 42, { color: '#ffffff', bold: true, anchor: 'middle' });
  const headerHeight = head.y + 27 + PAD;

  body.y = headerHeight + 24;
  let sections = 0;
  const heading = (label: string) => {
    // Air between sections, less above the first.
    body.y += sections++ === 0 ? 56 : 84;
    body.parts.push(`<rect x="${PAD}" y="${body.y - 34}" width="10" height="40" rx="5" fill="${RED}"/>`);
    text(body, PAD + 26, label, 38, { color: RED, bold: true });
    body.y += 12;
  };
  if (f.theme) {
    heading(f.words.theme);
    for (const line of wrap(f.theme, 34, INNER, 3)) {
      body.y += 48;
      text(body, PAD, line, 34);
    }
  }
  if (f.offers.length > 0) {
    heading(f.words.offers);
    for (const offer of f.offers.slice(0, 8)) {
      const lines = wrap(offer, 34, INNER - 44, 2);
      body.y += 52;
      body.parts.push(`<circle cx="${PAD + 12}" cy="${body.y - 12}" r="9" fill="${RED}"/>`);
      lines.forEach((line, i) => {
        if (i > 0) body.y += 46;
        text(body, PAD + 44, line, 34);
      });
    }
  }
  if (f.products.length > 0) {
    heading(f.words.products);
    const shown = f.products.slice(0, MAX_PRODUCTS);
    const columns = shown.length > ONE_COLUMN ? 2 : 1;
    const colWidth = (INNER - (columns - 1) * 32) / columns;
    const rows = Math.ceil(shown.length / columns);
    const top = body.y;
    shown.forEach((product, i) => {
      const col = Math.floor(i / rows);
      const row = i % rows;
      const x = PAD + col * (colWidth + 32);
      const y = top + (row + 1) * 50;
      const [line = ''] = wrap(`${i + 1}. ${product}`, 31, colWidth, 1);
      body.parts.push(`<text x="${x}" y="${y}" font-family="${FONT_FAMILY}" font-size="31" fill="${INK}">${esc(line)}</text>`);
    });
    body.y = top + rows * 50;
    if (f.products.length > shown.length) {
      body.y += 46;
      text(body, PAD, f.words.more(f.products.length), 28, { color: GREY });
    }
  }
  body.y += 72;
  if (f.host) {
    text(body, POSTER_WIDTH / 2, f.words.host(f.host), 30, { color: GREY, anchor: 'middle' });
    body.y += 46;
  }
  text(body, POSTER_WIDTH / 2, f.words.footer, 32, { color: RED, bold: true, anchor: 'middle' });
  const height = Math.ceil(body.y + PAD);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${POSTER_WIDTH}" height="${height}" viewBox="0 0 ${POSTER_WIDTH} ${height}">`,
    '<defs><linearGradient id="head" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#ff4d5e"/><stop offset="1" stop-color="#ff8a3d"/></linearGradient></defs>',
    `<rect width="${POSTER_WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<rect width="${POSTER_WIDTH}" height="${headerHeight}" fill="url(#head)"/>`,
    ...head.parts,
    ...body.parts,
    '</svg>',
  ].join('');
  return { svg, height };
}

/** The poster as a PNG 1080 px wide, drawn off the event loop. */
export async function renderPoster(f: PosterFacts): Promise<Buffer> {
  return rasterizeAsync(posterSvg(f).svg, POSTER_WIDTH);
}
