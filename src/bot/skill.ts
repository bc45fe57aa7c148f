import type { ChatContext, IncomingAction, Outbound, Role, SendResult } from './context.js';
import { ROLES } from './context.js';
import type { Logger } from '../kernel/logger.js';

export interface SkillCommand {
  /** Without the slash: `ask` for `/ask`. */
  readonly name: string;
  /** Prompt key of its one-line description (Telegram's command menu, /help). */
  readonly description: string;
  /** Who sees it in /help and the command menu, when fewer than the skill's roles (others are still answered). */
  readonly listedFor?: readonly Role[];
}

/** What a skill receives besides the context: the command that triggered it, and the text after it. */
export interface SkillInput {
  readonly command?: string;
  readonly args: string;
}

/** A button press a skill handles, with the presser's role. */
export interface ActionContext extends IncomingAction {
  readonly role: Role;
  readonly logger: Logger;
  /** Sends in the chat the button was pressed in. */
  reply(content: Outbound | string): Promise<SendResult>;
}

/**
 * A skill: what it answers to and who may use it. In a group it acts only on its commands, its keywords,
 * the messages it claims while something of its own runs there (a drop open in that group) or, for the
 * fallback skill, an @-mention; in a private chat the fallback skill takes what nothing else claimed.
 */
export interface Skill {
  readonly name: string;
  readonly commands?: readonly SkillCommand[];
  readonly keywords?: readonly RegExp[];
  readonly roles: readonly Role[];
  /**
   * Takes private messages and @-mentions that no command or keyword claimed: from every role it allows
   * (`true`) or from the roles listed. At most one skill per role.
   */
  readonly fallback?: boolean | readonly Role[];
  /**
   * Claims a plain private message before the fallback sees it (an operator's 昨天转化率? goes to the
   * numbers, not the playbook). Asked only for the roles the skill allows; keep it cheap and offline.
   */
  claims?(ctx: ChatContext): boolean;
  /**
   * Claims a group message that has no command (mentioned or not) while something of the skill's is
   * running in that group: 领券 while a drop is open there, 今晚几点直播 while a live is coming up. Asked
   * for every group message, so answer from state the skill keeps cached (a few ms at most); chit-chat
   * that nothing claims still gets nothing.
   */
  claimsInGroup?(ctx: ChatContext): boolean | Promise<boolean>;
  /** Takes messages forwarded to the bot in a private chat, from the roles it allows. */
  readonly forwards?: boolean;
  /** Handles presses of the buttons whose data starts with `<prefix>:`. */
  readonly actions?: { readonly prefix: string; handle(ctx: ActionContext): Promise<void> };
  handle(ctx: ChatContext, input: SkillInput): Promise<void>;
}

/** The roles whose unclaimed messages `skill` takes. */
export function fallbackRoles(skill: Skill): readonly Role[] {
  if (!skill.fallback) return [];
  return skill.fallback === true ? skill.roles : skill.fallback.filter((r) => skill.roles.includes(r));
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
  for (const role of fallbackRoles(skill)) {
    const other = registered.find((s) => fallbackRoles(s).includes(role));
    if (other) problems.push(`the fallback for ${role} is already skill "${other.name}"`);
  }
  if (Array.isArray(skill.fallback) && skill.fallback.some((r) => !skill.roles.includes(r))) {
    problems.push('fallback roles must be among the skill\'s roles');
  }
  const prefix = skill.actions?.prefix;
  if (prefix !== undefined) {
    if (!/^[a-z][a-z0-9-]{0,15}$/.test(prefix)) problems.push(`action prefix "${prefix}" must be 1–16 lower-case letters, digits or -`);
    const owner = registered.find((s) => s.actions?.prefix === prefix);
    if (owner) problems.push(`action prefix "${prefix}" already belongs to skill "${owner.name}"`);
  }
  if (problems.length > 0) throw new Error(`invalid skill "${skill.name}": ${problems.join('; ')}`);
}
