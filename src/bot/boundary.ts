import { UserFacingError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import type { Prompts } from '../kernel/prompts.js';

/**
 * The one error boundary, for messages, button presses and jobs alike: a `UserFacingError` becomes its
 * own prompt, anything else the polite failure (never internals). It is logged once, at error level
 * unless it is a refusal of the user's own input (a UserFacingError with no cause behind it). An error
 * with a `publicPrompt` (a store failure naming a path or a server) shows it to anyone but staff.
 */
export function politeFailure(err: unknown, prompts: Prompts, log: Logger, what: string, audience: { readonly staff?: boolean } = {}): string {
  if (err instanceof UserFacingError) {
    if (err.cause === undefined) log.info({ code: err.code }, what);
    else if (err.details.publicPrompt !== undefined) {
      // A fault of the shop's own setup (a store): its cause in words at error level, the stack only at debug.
      log.error({ code: err.code, ...err.details, cause: String((err.cause as Error)?.message ?? err.cause) }, what);
      log.debug({ err }, what);
    } else log.error({ err, code: err.code }, what);
    // Where the shop's files or servers are is for its staff; fans get the plain sentence.
    if (!audience.staff && typeof err.details.publicPrompt === 'string') return prompts.render(err.details.publicPrompt);
    return prompts.render(err.promptKey, err.params);
  }
  log.error({ err }, what);
  return prompts.render('bot/skill-failed');
}
