import type { ChatContext, Role } from './context.js';
import { ROLES } from './context.js';

export interface SkillCommand {
  /** Without the slash: `ask` for `/ask`. */
  readonly name: string;
  /** Prompt key of its one-line description (Telegram's command menu, /help). */
  readonly description: string;
}

/** What a skill receives besides the context: the command that triggered it, and the text after it. */
export interface SkillInput {
  readonly command?: string;
  readonly args: string;
}

/**
 * A skill: what it answers to and who may use it. In a group it acts only on its commands, its keywords
 * (claims it makes with high confidence, such as 领券) or, for the fallback skill, an @-mention; in a
 * private chat the fallback skill takes what nothing else claimed.
 */
export interface Skill {
  readonly name: string;
  readonly commands?: readonly SkillCommand[];
  readonly keywords?: readonly RegExp[];
  readonly roles: readonly Role[];
  /** Takes private messages and @-mentions that no command or keyword claimed. At most one skill. */
  readonly fallback?: boolean;
  handle(ctx: ChatContext, input: SkillInput): Promise<void>;
}

const COMMAND_NAME = /^[a-z][a-z0-9_]{0,31}$/;

/** Checks a skill's triggers once, at registration, with a message that lists what is valid. */
export function validateSkill(skill: Skill, registered: readonly Skill[]): void {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]*$/.test(skill.name)) problems.push(`name "${skill.name}" must be kebab-case`);
  if (registered.some((s) => s.name === skill.name)) problems.push(`a skill named "${skill.name}" is already registered`);
  for (const c of skill.commands ?? []) {
    if (!COMMAND_NAME.test(c.name)) problems.push(`command "${c.name}" must match ${COMMAND_NAME} (Telegram's rule)`);
    const owner = registered.find((s) => s.commands?.some((o) => o.name === c.name));
    if (owner) problems.push(`command "/${c.name}" already belongs to skill "${owner.name}"`);
  }
  if (skill.roles.length === 0 || skill.roles.some((r) => !ROLES.includes(r))) {
    problems.push(`roles must be a non-empty list of ${ROLES.join(', ')}`);
  }
  if (skill.fallback && registered.some((s) => s.fallback)) problems.push('only one skill may be the fallback');
  if (problems.length > 0) throw new Error(`invalid skill "${skill.name}": ${problems.join('; ')}`);
}
