import ui from '../../prompts/web/ui.json';

/** A sentence of the console's pages (prompts/web/ui.json), its `{name}` placeholders filled. */
export function t(key: keyof typeof ui, params: Record<string, string | number> = {}): string {
  return ui[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}
