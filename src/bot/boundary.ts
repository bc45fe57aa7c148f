import { UserFacingError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import type { Prompts } from '../kernel/prompts.js';

/**
 * The one error boundary, for messages, button presses and jobs alike: a `UserFacingError` becomes its
 * own prompt, anything else the polite failure (never internals). It is logged once, at error level
 * unless it is a refusal of the user's own input (a UserFacingError with no cause behind it).
 */
export function politeFailure(err: unknown, prompts: Prompts, log: Logger, what: string): string {
  if (err instanceof UserFacingError) {
    if (err.cause === undefined) log.info({ code: err.code }, what);
    else log.error({ err, code: err.code }, what);
    return prompts.render(err.promptKey, err.params);
  }
  log.error({ err }, what);
  return prompts.render('bot/skill-failed');
}
