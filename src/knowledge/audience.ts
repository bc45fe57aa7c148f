/**
 * Staff-only parts of a playbook article. One rule each, documented in the README:
 * - a whole file: front matter at its very top, `---` / `audience: staff` / `---`;
 * - a section: the lines between `<!-- staff -->` and `<!-- /staff -->` (an unclosed block runs to the
 *   end of the file, so a forgotten closing marker hides too much rather than too little).
 * Fans and groups never get staff-only text; operators and agents in a private chat (and the CLI) do.
 */

/** Who may read a passage: everyone, or operators and agents only. */
export type Audience = 'public' | 'staff';

export interface AudienceSplit {
  /** The whole file is staff-only. */
  readonly staffFile: boolean;
  /** What everyone may read; staff lines and the front matter blanked, so line numbers stay. */
  readonly publicText: string;
  /** The staff-only lines with the file's Markdown headings (their section names); undefined when none. */
  readonly staffText?: string;
}

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const OPEN = /^\s*<!--\s*staff\s*-->\s*$/i;
const CLOSE = /^\s*<!--\s*\/\s*staff\s*-->\s*$/i;
const HEADING = /^\s*#{1,6}\s+\S/;

/** Splits an article into what everyone may read and what only staff may. */
export function splitAudience(text: string): AudienceSplit {
  let body = text;
  let staffFile = false;
  const front = FRONT_MATTER.exec(text);
  if (front) {
    staffFile = front[1]!.split(/\r?\n/).some((l) => /^\s*audience\s*:\s*["']?staff["']?\s*$/i.test(l));
    // Blank the front matter (keeping its lines) so it is never indexed or quoted.
    body = front[0].replace(/[^\r\n]/g, '') + text.slice(front[0].length);
  }
  if (staffFile) return { staffFile, publicText: '', staffText: body };
  const lines = body.split(/(\r\n|\r|\n)/);
  const pub: string[] = [];
  const staff: string[] = [];
  let inStaff = false;
  let any = false;
  for (let i = 0; i < lines.length; i += 2) {
    const line = lines[i]!;
    const eol = lines[i + 1] ?? '';
    if (OPEN.test(line) || CLOSE.test(line)) {
      inStaff = OPEN.test(line);
      any ||= inStaff;
      pub.push(eol);
      staff.push(eol);
      continue;
    }
    pub.push((inStaff ? '' : line) + eol);
    staff.push((inStaff || HEADING.test(line) ? line : '') + eol);
  }
  return { staffFile: false, publicText: pub.join(''), ...(any ? { staffText: staff.join('') } : {}) };
}
