import type { Prompts } from '../../kernel/prompts.js';

/**
 * The runtime's own reasons a send did not go out, as the delivery log keeps them: short, stable English
 * codes a program can match (`--json`). People read them in words (`reasonInWords`); a platform's own
 * error text is kept as the platform gave it.
 */
export const Reason = {
  HOURLY_CAP: 'hourly cap reached',
  SHUTTING_DOWN: 'shutting down',
  QUIET_SHUTDOWN: 'shutting down during quiet hours',
  OFFLINE_SHUTDOWN: 'shutting down while the account was logged out',
  PAST_DEADLINE: 'past its deadline',
  MAY_HAVE_SENT: 'an earlier attempt may have sent it; not sent again',
  DIED_MID_SEND: 'its process stopped during the send; not sent again',
  NOT_RUNNING: 'not running in any opsbot process',
  NO_ANSWER: 'no answer from the sending process in time',
  CANCELLED: 'cancelled before it was sent',
  RATE_LIMITED: 'rate limited: the platform asked for a wait too long to hold the send',
  BOT_REMOVED: 'the bot is no longer in the chat',
  NO_SUCH_CHAT: 'no such chat',
  LOGGED_OUT: 'the account was logged out',
} as const;

const WORDS: readonly [string, string][] = [
  // The longer code first: one code starts with another.
  [Reason.QUIET_SHUTDOWN, 'delivery/reason-quiet-shutdown'],
  [Reason.OFFLINE_SHUTDOWN, 'delivery/reason-offline-shutdown'],
  [Reason.SHUTTING_DOWN, 'delivery/reason-shutting-down'],
  [Reason.HOURLY_CAP, 'delivery/reason-hourly-cap'],
  [Reason.PAST_DEADLINE, 'delivery/reason-past-deadline'],
  [Reason.MAY_HAVE_SENT, 'delivery/reason-may-have-sent'],
  [Reason.DIED_MID_SEND, 'delivery/reason-died-mid-send'],
  [Reason.NOT_RUNNING, 'delivery/reason-not-running'],
  [Reason.NO_ANSWER, 'delivery/reason-no-answer'],
  [Reason.CANCELLED, 'delivery/reason-cancelled'],
  [Reason.RATE_LIMITED, 'delivery/reason-rate-limited'],
  [Reason.BOT_REMOVED, 'delivery/reason-bot-removed'],
  [Reason.NO_SUCH_CHAT, 'delivery/reason-no-such-chat'],
  [Reason.LOGGED_OUT, 'delivery/reason-logged-out'],
];

/** A reason as a person reads it: the runtime's own in Chinese, a platform's error as it was given. */
export function reasonInWords(reason: string, prompts: Prompts): string {
  const known = WORDS.find(([code]) => reason.startsWith(code) || reason.endsWith(code));
  return known ? prompts.render(known[1]) : reason;
}
