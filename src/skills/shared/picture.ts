import { renderAsync, Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { bundledFonts } from './fonts.js';

export { bundledFontPath, bundledFonts } from './fonts.js';

/**
 * The pictures skills draw (KPI charts, live posters): an SVG rasterised by resvg with only the CJK font
 * the project ships (Noto Sans Hans from @embedpdf/fonts-sc), never a system font, so a chart looks the
 * same on every machine and Chinese never falls back to boxes.
 */
export const FONT_FAMILY = 'Noto Sans Hans';

function options(width: number, fonts: readonly string[], background: string): ResvgRenderOptions {
  return { background, fitTo: { mode: 'width', value: width }, font: { loadSystemFonts: false, fontFiles: [...fonts], defaultFontFamily: FONT_FAMILY } };
}

/** The SVG as a PNG `width` px wide. */
export function rasterize(svg: string, width: number, fonts = bundledFonts(), background = '#ffffff'): Buffer {
  return new Resvg(svg, options(width, fonts, background)).render().asPng();
}

/** rasterize() off the event loop (resvg's thread pool): what the bot uses, so drawing never holds up other chats. */
export async function rasterizeAsync(svg: string, width: number, fonts = bundledFonts(), background = '#ffffff'): Promise<Buffer> {
  return (await renderAsync(svg, options(width, fonts, background))).asPng();
}
