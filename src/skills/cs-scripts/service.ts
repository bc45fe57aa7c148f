import { z } from 'zod';
import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import { jsonObjectIn, type LlmService } from '../../kernel/llm.js';
import type { Logger } from '../../kernel/logger.js';
import type { Prompts } from '../../kernel/prompts.js';
import { IntentClassifier, loadExampleBank, type LabelledExample } from './classifier.js';
import type { ShopFacts } from './facts.js';
import { INTENTS, type Intent, type IntentResult } from './intents.js';
import { normalizeMessage } from './normalize.js';
import { factParams, fillScript, loadScripts, pickScripts, type LiveScriptFacts, type Script, type Suggestion } from './scripts.js';

/** Longer than this is not one customer message: the agent pasted a whole conversation. */
export const MAX_MESSAGE_CHARS = 2000;

/** What `opsbot reply` prints per message (the --json contract, plus mode). */
export interface ReplySuggestions {
  readonly message: string;
  readonly intent: Intent;
  readonly confidence: number;
  readonly mode: 'offline' | 'model';
  readonly suggestions: readonly Suggestion[];
}

export interface CsScriptsOptions {
  readonly prompts: Prompts;
  readonly logger: Logger;
  readonly facts: ShopFacts;
  readonly llm?: LlmService;
  readonly bank?: readonly LabelledExample[];
  readonly scripts?: readonly Script[];
  /** The next live and the last replay, where the live plugin runs: the `live` scripts quote them. */
  readonly live?: () => LiveScriptFacts | undefined;
}

const ModelIntent = z.object({ intent: z.enum(INTENTS), confidence: z.coerce.number().min(0).max(1).optional() });
const ModelSuggestions = z.object({
  suggestions: z.array(z.object({ text: z.string().trim().min(1).max(400), script: z.string().optional() })).min(1).max(3),
});

/**
 * Customer-service scripts: the intent of a customer's message and two or three replies to it, from
 * the shop's scripts and facts. Offline by default; with a model, the model classifies (from the same
 * labels and examples) and writes the replies (from the same scripts and facts), and any failure of
 * the model leaves the offline result standing.
 */
export class CsScripts {
  readonly classifier: IntentClassifier;
  private readonly scripts: readonly Script[];

  constructor(private readonly options: CsScriptsOptions) {
    this.classifier = new IntentClassifier(options.bank ?? loadExampleBank());
    this.scripts = options.scripts ?? loadScripts();
  }

  /** Throws a UserFacingError for an empty or overlong message; returns it trimmed. */
  validate(message: string): string {
    const text = message.trim();
    if (!text) throw new UserFacingError(ErrorCode.CS_MESSAGE_EMPTY, 'cs/message-empty');
    const length = [...text].length;
    if (length > MAX_MESSAGE_CHARS) throw new UserFacingError(ErrorCode.CS_MESSAGE_TOO_LONG, 'cs/message-too-long', { length, max: MAX_MESSAGE_CHARS });
    return text;
  }

  /** The intent of a customer's message: the model's when one is configured and answers well, else the offline one. */
  async classify(message: string): Promise<IntentResult> {
    const text = this.validate(message);
    const offline = this.classifier.classify(text);
    const { llm, prompts, logger } = this.options;
    const result: IntentResult = { intent: offline.intent, confidence: offline.confidence, mode: 'offline' };
    if (!llm?.chatModel || offline.nearest.length === 0) return result;
    try {
      const examples = offline.nearest.slice(0, 8).map((e) => prompts.render('cs/llm-example', { text: e.text, intent: e.intent }));
      const reply = await llm.complete(
        [
          { role: 'system', content: prompts.render('cs/llm-classify-system') },
          { role: 'user', content: prompts.render('cs/llm-classify-user', { examples: examples.join('\n'), message: text }) },
        ],
        { temperature: 0 },
      );
      const parsed = ModelIntent.parse(jsonObjectIn(reply));
      // The model's own number, tempered by whether the examples agree with it.
      const confidence = Math.round(((parsed.confidence ?? 0.8) * (parsed.intent === offline.intent ? 1 : 0.85)) * 100) / 100;
      return { intent: parsed.intent, confidence, mode: 'model' };
    } catch (err) {
      logger.warn({ err }, 'cs: the model could not classify; the offline intent stands');
      return result;
    }
  }

  /** The shop's scripts that fit the message, filled with its facts (the offline suggestions). */
  templates(message: string, intent: Intent): Suggestion[] {
    const normalized = normalizeMessage(message).text;
    const live = this.options.live?.();
    return pickScripts(this.scripts, intent, normalized).map((s) => fillScript(s, this.options.facts, this.options.prompts, live));
  }

  /** The script a fan may get unreviewed for this message (facts only), or undefined. */
  autoReply(message: string, intent: Intent): Suggestion | undefined {
    const normalized = normalizeMessage(message).text;
    const [best] = pickScripts(this.scripts.filter((s) => s.auto || s.intent === 'other'), intent, normalized, 1);
    return best ? fillScript(best, this.options.facts, this.options.prompts, this.options.live?.()) : undefined;
  }

  /** The intent and two or three suggested replies (none or one for `other`). */
  async suggest(message: string): Promise<ReplySuggestions> {
    const text = this.validate(message);
    const { intent, confidence, mode } = await this.classify(text);
    const written = await this.suggestionsFor(text, intent);
    return { message: text, intent, confidence, mode: written.mode === 'model' ? 'model' : mode, suggestions: written.suggestions };
  }

  /** Replies to a message whose intent is known: written by the model when one is configured and does well, else the filled scripts. */
  async suggestionsFor(message: string, intent: Intent): Promise<{ suggestions: Suggestion[]; mode: 'offline' | 'model' }> {
    const templates = this.templates(message, intent);
    const written = intent !== 'other' && this.options.llm?.chatModel ? await this.write(message, intent, templates) : undefined;
    return written ? { suggestions: written, mode: 'model' } : { suggestions: templates, mode: 'offline' };
  }

  /** Replies the model writes from the scripts and facts; undefined when it fails or breaks the rules. */
  private async write(message: string, intent: Intent, templates: readonly Suggestion[]): Promise<Suggestion[] | undefined> {
    const { llm, prompts, logger, facts } = this.options;
    if (!llm || templates.length === 0) return undefined;
    try {
      const count = Math.min(3, Math.max(2, templates.length));
      const scripts = templates.map((t) => prompts.render('cs/llm-script', { key: t.source.replace(/^scripts\//, ''), text: t.text }));
      const reply = await llm.complete([
        { role: 'system', content: prompts.render('cs/llm-suggest-system', { count }) },
        { role: 'user', content: prompts.render('cs/llm-suggest-user', { ...factParams(facts), scripts: scripts.join('\n'), intent, message }) },
      ]);
      const parsed = ModelSuggestions.parse(jsonObjectIn(reply));
      // A number the customer, the shop's facts or the scripts did not give is invented: an order
      // number, a sum, a compensation, a deadline ("补偿您20元", "3天内到账").
      const known = new Set(`${message} ${Object.values(facts).join(' ')} ${templates.map((t) => t.text).join(' ')}`.match(/\d+/g) ?? []);
      const invented = (t: string) => (t.match(/\d+/g) ?? []).some((n) => !known.has(n));
      const suggestions = parsed.suggestions
        .filter((s) => !invented(s.text))
        .map((s): Suggestion => {
          const base = templates.find((t) => t.source === `scripts/${s.script ?? ''}`);
          return { text: s.text, source: base ? base.source : 'model', ...(base?.tone ? { tone: base.tone } : {}), ...(base?.basis ? { basis: base.basis } : {}) };
        });
      if (suggestions.length < 2) throw new Error(`the model gave ${suggestions.length} usable suggestions`);
      return suggestions;
    } catch (err) {
      logger.warn({ err }, 'cs: the model could not write suggestions; the filled scripts stand');
      return undefined;
    }
  }
}

/** The `reply --json` contract (and `POST /api/cs/reply`): its fields in its order, then extras. */
export function replyFields(result: ReplySuggestions): Pick<ReplySuggestions, 'message' | 'intent' | 'confidence' | 'suggestions' | 'mode'> {
  const { message, intent, confidence, suggestions, mode } = result;
  return { message, intent, confidence, suggestions, mode };
}
