import { localDayTime } from '../../kernel/clock.js';
import type { LlmService } from '../../kernel/llm.js';
import type { Logger } from '../../kernel/logger.js';
import type { Prompts } from '../../kernel/prompts.js';
import { leadInWords, type Plan, type PlannedTime } from './plan.js';
import type { LiveMessage, LiveSession } from './session.js';

/** `12月12日（周六）20:00`. */
export function dateInWords(start: Date, tz: string, prompts: Prompts): string {
  const s = localDayTime(start, tz);
  const [, month, day] = s.day.split('-').map(Number);
  const weekday = prompts.render('live/weekdays').split(/\s+/)[s.weekday] ?? '';
  return prompts.render('live/when-date', { month: month!, day: day!, weekday, time: s.time });
}

/** `今天 20:00`, `明天 20:00`, or `12月12日（周六）20:00`, as read at `readAt`. */
export function whenInWords(start: Date, readAt: Date, tz: string, prompts: Prompts): string {
  const s = localDayTime(start, tz);
  const r = localDayTime(readAt, tz);
  const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;
  const diff = dayNumber(s.day) - dayNumber(r.day);
  if (diff === 0) return prompts.render('live/when-today', { time: s.time });
  if (diff === 1) return prompts.render('live/when-tomorrow', { time: s.time });
  return dateInWords(start, tz, prompts);
}

/** The facts a message is written from. */
export type TextFacts = Pick<Plan, 'title' | 'start' | 'theme' | 'offers' | 'products' | 'host' | 'link'>;

/** A heading and its numbered items, one per line, or nothing when there are none. */
const block = (heading: string, items: readonly string[], prompts: Prompts) =>
  items.length === 0 ? '' : `${[prompts.render(heading), ...items.map((item, i) => prompts.render('live/part-item', { n: i + 1, item }))].join('\n')}\n`;

/** The template text of one message of the plan (the recap without its sales line, which is known only after the live). */
export function templateText(plan: TextFacts, t: Pick<PlannedTime, 'kind' | 'lead' | 'at'>, tz: string, prompts: Prompts, sales = ''): string {
  const title = plan.title;
  const offer = plan.offers[0] ? prompts.render('live/part-offer', { offer: plan.offers[0] }) : '';
  switch (t.kind) {
    case 'preannounce':
      return prompts.render('live/preannounce', {
        title,
        when: whenInWords(plan.start, t.at, tz, prompts),
        host: plan.host ? prompts.render('live/part-host', { host: plan.host }) : '',
        theme: plan.theme ? `${prompts.render('live/part-theme', { theme: plan.theme })}\n` : '',
        offers: block('live/part-offers-heading', plan.offers, prompts),
        products: block('live/part-products-heading', plan.products, prompts),
        link: plan.link ? `${prompts.render('live/part-link', { link: plan.link })}\n` : '',
      });
    case 'reminder':
      return prompts.render('live/reminder', { title, lead: leadInWords(t.lead ?? 0, prompts), offer });
    case 'onair':
      return prompts.render('live/onair', {
        title,
        theme: plan.theme ? prompts.render('live/part-theme-inline', { theme: plan.theme }) : '',
        offer,
        link: plan.link ? prompts.render('live/part-link-inline', { link: plan.link }) : '',
      });
    case 'recap': {
      const sep = prompts.render('live/part-list-separator');
      return prompts.render('live/recap', {
        title,
        sales: sales ? `${sales}\n` : '',
        offers: plan.offers.length > 0 ? `${prompts.render('live/part-offers-valid', { list: plan.offers.join(sep) })}\n` : '',
        replay: plan.link ? `${prompts.render('live/part-replay', { link: plan.link })}\n` : '',
      });
    }
  }
}

/** What the model's copy must still say: the start time, the title and every offer, each that the template says. */
export function keepsTheFacts(text: string, template: string, plan: TextFacts, tz: string): boolean {
  const facts = [localDayTime(plan.start, tz).time, plan.title, ...plan.offers].filter((f) => template.includes(f));
  return facts.every((f) => text.includes(f)) && text.length <= Math.max(1_500, template.length * 2);
}

export interface CopyOptions {
  readonly prompts: Prompts;
  readonly tz: string;
  readonly logger: Logger;
  readonly llm?: LlmService;
}

/**
 * The text of each message: the template, or, with a model configured, livelier copy the model writes
 * from the same facts, used only when it still has the start time, the title and every offer (the
 * recap's is always the template: its sales line is added when it is sent).
 */
export async function composeTexts(plan: Plan, options: CopyOptions): Promise<string[]> {
  const { prompts, tz, llm, logger } = options;
  return Promise.all(
    plan.times.map(async (t) => {
      const template = templateText(plan, t, tz, prompts);
      if (!llm?.chatModel || t.kind === 'recap') return template;
      const facts = {
        title: plan.title,
        start: `${localDayTime(plan.start, tz).day} ${localDayTime(plan.start, tz).time}`,
        ...(plan.theme ? { theme: plan.theme } : {}),
        offers: plan.offers,
        products: plan.products,
        ...(plan.host ? { host: plan.host } : {}),
        ...(plan.link ? { link: plan.link } : {}),
      };
      try {
        const text = (
          await llm.complete([
            { role: 'system', content: prompts.render('live/llm-system') },
            { role: 'user', content: prompts.render('live/llm-user', { kind: prompts.render(`live/kind-${t.kind}`, { lead: leadInWords(t.lead ?? 0, prompts) }), facts: JSON.stringify(facts), template }) },
          ])
        ).trim();
        if (keepsTheFacts(text, template, plan, tz)) return text;
        logger.warn({ kind: t.kind }, 'live: the model\'s copy dropped a fact; the template is used');
      } catch (err) {
        logger.warn({ err, kind: t.kind }, 'live: the model could not write the copy; the template is used');
      }
      return template;
    }),
  );
}

/** The recap as it goes: with what sold on the day of the live, where the metrics have it. */
export function recapText(s: LiveSession, m: LiveMessage, tz: string, prompts: Prompts, unitsByProduct?: (day: string) => { product: string; units: number }[]): string {
  const day = localDayTime(new Date(s.start), tz).day;
  const sold = (unitsByProduct?.(day) ?? []).filter((r) => s.products.some((p) => r.product.includes(p) || p.includes(r.product)));
  if (sold.length === 0) return m.text;
  const sep = prompts.render('live/part-list-separator');
  const sales = prompts.render('live/part-sales', { list: sold.slice(0, 5).map((r) => prompts.render('live/part-sales-item', { product: r.product, units: r.units })).join(sep) });
  return templateText({ ...s, start: new Date(s.start) }, { kind: 'recap', at: new Date(m.at) }, tz, prompts, sales);
}
