import type { Outbound, Platform } from '../../../bot/context.js';
import type { Prompts } from '../../../kernel/prompts.js';
import type { Escalation } from './model.js';

type TextOut = Outbound & { readonly kind: 'text' };

/** `telegram:3003` → its platform and user id. */
export function parsePerson(person: string): { platform: Platform; id: string } {
  const at = person.indexOf(':');
  return { platform: person.slice(0, at) as Platform, id: person.slice(at + 1) };
}

/**
 * What an agent is sent for an escalation: a header (group, fan, time, message, intent), then each
 * suggestion on its own under 发送 / 修改 / 忽略; with no suggestion, the header carries 修改 and 忽略.
 * Button data stays far below Telegram's 64 bytes: `esc:<12-char id>:<op>:<n>`.
 */
export function escalationMessages(
  e: Escalation,
  prompts: Prompts,
  view: { readonly group: string; readonly time: string; readonly reminder?: { readonly round: number; readonly minutes: number } },
): TextOut[] {
  const header = [
    ...(view.reminder ? [prompts.render('cs/esc-reminder', { minutes: view.reminder.minutes, round: view.reminder.round })] : []),
    prompts.render('cs/esc-header', {
      intent: prompts.render(`cs/intent-${e.intent}`),
      group: view.group,
      fan: e.message.sender.name,
      time: view.time,
      message: e.message.text,
    }),
  ].join('\n');
  const button = (label: string, data: string) => ({ text: prompts.render(`cs/esc-button-${label}`), data: `esc:${e.id}:${data}` });
  if (e.suggestions.length === 0) {
    return [{ kind: 'text', text: `${header}\n${prompts.render('cs/esc-no-suggestions')}`, buttons: [[button('edit', 'e:-1'), button('ignore', 'i')]] }];
  }
  return [
    { kind: 'text', text: header },
    ...e.suggestions.map((s, i): TextOut => ({
      kind: 'text',
      text: prompts.render('cs/esc-suggestion', { n: i + 1, text: s.text }),
      buttons: [[button('send', `s:${i}`), button('edit', `e:${i}`), button('ignore', 'i')]],
    })),
  ];
}
