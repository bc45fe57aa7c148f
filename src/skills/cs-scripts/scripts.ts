import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Prompts } from '../../kernel/prompts.js';
import { INTENTS, type Intent } from './intents.js';
import type { ShopFacts } from './facts.js';

export const TONES = ['brief', 'warm', 'remedy', 'guide'] as const;
export type Tone = (typeof TONES)[number];

/** One reply template: its text is the prompt `cs/script/<intent>-<name>`. */
export interface Script {
  /** `<intent>/<name>`: what a suggestion's `source` names. */
  readonly key: string;
  readonly intent: Intent;
  readonly tone: Tone;
  /** When the message matches, this script fits it better than the intent's general ones. */
  readonly cues?: RegExp;
  /** The playbook advice it follows, as the knowledge base cites it. */
  readonly basis: { readonly doc: string; readonly section: string };
  /** States only the shop's facts and promises nothing a person must do: may go to a fan unreviewed. */
  readonly auto?: boolean;
}

/** One suggested reply. */
export interface Suggestion {
  readonly text: string;
  /** `scripts/<intent>/<name>`, or `model` when the model wrote it from no single script. */
  readonly source: string;
  readonly tone?: Tone;
  /** The playbook section the script follows: 《doc》「section」. */
  readonly basis?: string;
}

const CatalogSchema = z.object({
  basis: z.record(z.string(), z.object({ doc: z.string(), section: z.string() })),
  scripts: z.array(z.object({ key: z.string(), intent: z.enum(INTENTS), tone: z.enum(TONES), cues: z.string(), basis: z.string(), auto: z.boolean().optional() })),
});

/** The script catalogue (scripts.json); each script's text lives in prompts/cs/script/. */
export function loadScripts(path = join(dirname(fileURLToPath(import.meta.url)), 'scripts.json')): Script[] {
  const catalog = CatalogSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  return catalog.scripts.map((s) => {
    const basis = catalog.basis[s.basis];
    if (!basis) throw new Error(`script ${s.key}: unknown basis "${s.basis}"`);
    return { key: s.key, intent: s.intent, tone: s.tone, basis, ...(s.auto ? { auto: true } : {}), ...(s.cues ? { cues: new RegExp(s.cues, 'i') } : {}) };
  });
}

/** The prompt key of a script's text. */
export const scriptPrompt = (script: Script) => `cs/script/${script.key.replace('/', '-')}`;

/** The facts as prompt parameters. */
export const factParams = (facts: ShopFacts) => ({ ...facts });

/**
 * The scripts that fit a message best, two or three with different tones where the intent has them:
 * those whose cues the message matches first, then the intent's general ones. For `other`, only a
 * script whose cues match (a greeting, thanks); otherwise none, since chit-chat needs no script.
 */
export function pickScripts(scripts: readonly Script[], intent: Intent, normalized: string, max = 3): Script[] {
  const own = scripts.filter((s) => s.intent === intent);
  const score = (s: Script) => (s.cues ? (s.cues.test(normalized) ? 2 : 0) : 1);
  const ranked = own
    .map((s, i) => ({ s, score: score(s), i }))
    .filter((r) => intent !== 'other' || r.score === 2)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map((r) => r.s);
  if (intent === 'other') return ranked.slice(0, 1);
  // Different tones among the scripts that fit; one whose cues the message misses only to reach two.
  const fitting = ranked.filter((s) => score(s) > 0);
  const picked: Script[] = [];
  for (const s of fitting) if (picked.length < max && !picked.some((p) => p.tone === s.tone)) picked.push(s);
  for (const s of fitting) if (picked.length < max && !picked.includes(s)) picked.push(s);
  for (const s of ranked) if (picked.length < Math.min(2, max) && !picked.includes(s)) picked.push(s);
  return picked;
}

/** What the shop has planned, for the `live` scripts to quote (from the live plugin, when it runs). */
export interface LiveScriptFacts {
  /** The next live: `今天 20:00`, its title, its main offer (`福利：满199减30，` or ''), its products. */
  readonly next?: { readonly when: string; readonly title: string; readonly offer: string; readonly products: string };
  /** The last live with a replay link. */
  readonly replay?: { readonly title: string; readonly link: string };
}

/**
 * A script filled in with the shop's facts. A `live` script has a variant that quotes the next live
 * (`…-next`) or the last one's replay (`…-replay`) when the shop has one planned or recorded.
 */
export function fillScript(script: Script, facts: ShopFacts, prompts: Prompts, live?: LiveScriptFacts): Suggestion {
  const key = scriptPrompt(script);
  const variant =
    script.intent !== 'live'
      ? undefined
      : live?.replay && prompts.has(`${key}-replay`)
        ? { key: `${key}-replay`, params: live.replay }
        : live?.next && prompts.has(`${key}-next`)
          ? { key: `${key}-next`, params: live.next }
          : undefined;
  return {
    text: variant ? prompts.render(variant.key, { ...factParams(facts), ...variant.params }) : prompts.render(key, factParams(facts)),
    source: `scripts/${script.key}`,
    tone: script.tone,
    basis: prompts.render('kb/citation', script.basis),
  };
}
