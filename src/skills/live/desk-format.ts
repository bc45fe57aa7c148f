import { localDayTime } from '../../kernel/clock.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { Plan } from './plan.js';
import type { PosterFacts } from './poster.js';
import type { LiveInput, LiveSession } from './session.js';
import { dateInWords, whenInWords } from './texts.js';

// The live desk's formatting: a plan as its poster's facts, a saved live as input again, and the next
// live and last replay in the words the customer-service scripts and fans' answers use.

/** What the plan's poster shows, its fixed words from the catalogue. */
export function posterFacts(plan: Plan, tz: string, prompts: Prompts): PosterFacts {
  return {
    title: plan.title,
    when: prompts.render('live/poster-when', { when: dateInWords(plan.start, tz, prompts) }),
    ...(plan.theme ? { theme: plan.theme } : {}),
    offers: plan.offers,
    products: plan.products,
    ...(plan.host ? { host: plan.host } : {}),
    words: {
      badge: prompts.render('live/poster-badge'),
      theme: prompts.render('live/poster-theme'),
      offers: prompts.render('live/poster-offers'),
      products: prompts.render('live/poster-products'),
      more: (n) => prompts.render('live/poster-more', { n }),
      footer: prompts.render('live/poster-footer'),
      host: (host) => prompts.render('live/poster-host', { host }),
    },
  };
}

/** The facts of a saved live, as input again (its groups by name, or all fan groups). */
export function inputOfSession(s: LiveSession, tz: string): LiveInput {
  const { day, time } = localDayTime(new Date(s.start), tz);
  return {
    title: s.title,
    start: `${day} ${time}`,
    ...(s.theme ? { theme: s.theme } : {}),
    offers: [...s.offers],
    products: [...s.products],
    ...(s.host ? { host: s.host } : {}),
    ...(s.link ? { link: s.link } : {}),
    ...(s.allFanGroups ? {} : { groups: s.groups.map((g) => g.name) }),
    duration: `${s.durationMin}m`,
    reminders: s.leads.map((l) => `${l}m`).join(','),
  };
}

/** The next live and the last replay in words, as read at `now`. */
export interface ScriptFacts {
  readonly next?: { when: string; title: string; offer: string; products: string };
  readonly replay?: { title: string; link: string };
}

/** The next live (when, title, first offer, first five products) and the last replay, in words. */
export function scriptFactsOf(lives: { next?: LiveSession; lastWithReplay?: LiveSession }, now: number, tz: string, prompts: Prompts): ScriptFacts {
  const { next, lastWithReplay } = lives;
  return {
    ...(next
      ? {
          next: {
            when: whenInWords(new Date(next.start), new Date(now), tz, prompts),
            title: next.title,
            offer: next.offers[0] ? prompts.render('live/part-offer-fan', { offer: next.offers[0] }) : '',
            products: next.products.slice(0, 5).join(prompts.render('live/part-products-separator')) || prompts.render('live/part-products-tbd'),
          },
        }
      : {}),
    ...(lastWithReplay?.link ? { replay: { title: lastWithReplay.title, link: lastWithReplay.link } } : {}),
  };
}
