import { z } from 'zod';
import { jsonObjectIn, type LlmService } from '../../kernel/llm.js';
import type { Prompts } from '../../kernel/prompts.js';
import { METRIC_NAMES } from './definitions.js';
import type { ParseContext } from './parse.js';
import { isDay } from './period.js';
import { KpiQuerySchema, type KpiQuery } from './query.js';

/** What the model may answer: a query, or that the question asks for no metric it knows. */
const ModelAnswer = z.union([KpiQuerySchema, z.object({ metric: z.null() })]);

/**
 * The question parsed by the model into the same typed query the offline parser makes (the zod schema,
 * shown to the model as JSON Schema). Returns undefined when the model says it is no KPI question;
 * throws on anything else unusable (error, timeout, bad JSON, impossible dates), so the caller keeps the
 * offline parse. The model never writes SQL: the executor runs what this returns.
 */
export async function parseWithModel(question: string, ctx: ParseContext, llm: LlmService, prompts: Prompts): Promise<KpiQuery | undefined> {
  const schema = JSON.stringify(z.toJSONSchema(KpiQuerySchema));
  const reply = await llm.complete(
    [
      { role: 'system', content: prompts.render('metrics/llm-parse-system', { metrics: METRIC_NAMES.join(', '), schema }) },
      {
        role: 'user',
        content: prompts.render('metrics/llm-parse-user', {
          today: ctx.today,
          channels: ctx.channels.join('、') || '-',
          products: ctx.products.slice(0, 200).join('、') || '-',
          question,
        }),
      },
    ],
    { temperature: 0 },
  );
  const parsed = ModelAnswer.parse(jsonObjectIn(reply));
  if (parsed.metric === null) return undefined;
  const query = parsed as KpiQuery;
  if (!isDay(query.from) || !isDay(query.to) || query.from > query.to) throw new Error(`the model gave an impossible period ${query.from}..${query.to}`);
  return query;
}
