import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ErrorCode, OpsbotError } from '../../kernel/errors.js';

// The font files apart from the renderer: the console serves them without loading resvg.

let fontFiles: string[] | undefined;

/** The bundled Noto Sans Hans Regular file; throws a coded error when missing. */
export function bundledFontPath(): string {
  return bundledFonts()[0]!;
}

// resvg-js's Node binding takes its options as JSON, so fontBuffers cannot cross it (they arrive as
// arrays of numbers, unparsed, and the text falls back to tofu); paths are memory-mapped per render in a
// few milliseconds. So what is cached is the resolved, checked list of paths.
/** The bundled font files: Regular, and Bold where the package has it. */
export function bundledFonts(): string[] {
  if (fontFiles) return fontFiles;
  let dir: string;
  try {
    dir = join(dirname(dirname(createRequire(import.meta.url).resolve('@embedpdf/fonts-sc'))), 'fonts');
  } catch (cause) {
    throw new OpsbotError(ErrorCode.PICTURE_FONT_MISSING, 'font package @embedpdf/fonts-sc not installed', { cause });
  }
  const regular = join(dir, 'NotoSansHans-Regular.otf');
  if (!existsSync(regular)) {
    throw new OpsbotError(ErrorCode.PICTURE_FONT_MISSING, `bundled font missing: ${regular}`, { details: { path: regular } });
  }
  // Bold is for titles; without it resvg fakes nothing and draws them in Regular.
  const bold = join(dir, 'NotoSansHans-Bold.otf');
  fontFiles = existsSync(bold) ? [regular, bold] : [regular];
  return fontFiles;
}
