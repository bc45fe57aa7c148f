import { rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../app/app.js';
import { reasonInWords } from '../bot/deliveries/reasons.js';
import { deliveryFields, DELIVERY_STATUSES, parseSince } from '../bot/deliveries/types.js';
import type { RouteAccess } from '../bot/http.js';
import { ErrorCode, UserFacingError } from '../kernel/errors.js';
import type { Escalation } from '../skills/cs-scripts/escalations/model.js';
import { replyFields } from '../skills/cs-scripts/service.js';
import { executeQuery } from '../skills/metrics/execute.js';
import { importMetricsFile } from '../skills/metrics/import.js';
import { addDays } from '../skills/metrics/period.js';
import { kpiFields } from '../skills/metrics/service.js';
import { sendPicture, type Pictures } from './pictures.js';

const agent = { role: 'agent' } satisfies RouteAccess;
const admin = { role: 'admin' } satisfies RouteAccess;
/** Yesterday's core numbers on the dashboard, in this order. */
const CORE = ['impressions', 'ctr', 'visitors', 'cvr', 'units', 'revenue', 'aov'] as const;
/** An export dropped on the dashboard may be this big. */
const MAX_IMPORT_BYTES = 100 * 1024 * 1024;

const Suggestion = z.object({ text: z.string(), source: z.string(), tone: z.string().optional(), basis: z.string().optional() });
const EscalationView = z.object({
  id: z.string(),
  createdAt: z.string(),
  platform: z.string(),
  group: z.string(),
  fan: z.string(),
  text: z.string(),
  intent: z.string(),
  suggestions: z.array(Suggestion),
  reminders: z.number(),
});

/**
 * The routes every shop (the real one at `/api`, the playground's demo shop at `/api/playground`) has in
 * the console: the CS desk (suggested replies, the escalation queue, the playbook search), the KPI
 * questions, dashboard and import, and the delivery log. The shapes are the CLI's `--json` shapes.
 */
export function mountShopRoutes(http: FastifyInstance, base: string, app: App, pictures: Pictures, tag: string): void {
  const t = [tag];
  http.post(`${base}/cs/reply`, { config: agent, schema: { tags: t, summary: '客服话术：意图与建议回复（同 opsbot reply --json）', body: z.object({ message: z.string() }) } }, async (req) => {
    const cs = await app.service('cs');
    return replyFields(await cs.suggest((req.body as { message: string }).message));
  });

  http.get(`${base}/cs/escalations`, { config: agent, schema: { tags: t, summary: '待处理的转人工消息', response: { 200: z.object({ items: z.array(EscalationView) }) } } }, async () => {
    const [store, desk] = await Promise.all([app.service('store'), app.service('escalations')]);
    const open: Escalation[] = [];
    for (const [, e] of await store.list<Escalation>('esc:')) if (!(await desk.outcome(e.id))) open.push(e);
    open.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { items: open.map((e) => ({ id: e.id, createdAt: e.createdAt, platform: e.message.platform, group: desk.groupName(e), fan: e.message.sender.name, text: e.message.text, intent: e.intent, suggestions: e.suggestions.map((s) => ({ ...s })), reminders: e.reminders })) };
  });

  // 发送 (a suggestion as is, or the agent's edited text: 修改) and 忽略: one atomic decision, as in Telegram.
  const decide = z.object({ action: z.enum(['send', 'ignore']), suggestion: z.number().int().min(0).optional(), text: z.string().trim().min(1).max(2000).optional(), by: z.string().trim().min(1).max(40).optional() });
  http.post(`${base}/cs/escalations/:id`, { config: agent, schema: { tags: t, summary: '处理转人工：发送建议、发送修改后的回复或忽略', params: z.object({ id: z.string() }), body: decide } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const body = req.body as z.infer<typeof decide>;
    const [desk, prompts] = await Promise.all([app.service('escalations'), app.service('prompts')]);
    const e = await desk.get(id);
    if (!e) throw new UserFacingError(ErrorCode.CS_ESCALATION_NOT_FOUND, 'console/escalation-not-found', { id });
    const text = body.text ?? (body.suggestion !== undefined ? e.suggestions[body.suggestion]?.text : undefined);
    if (body.action === 'send' && !text) return reply.code(400).send({ error: { code: 'OPSBOT_ERR_HTTP_INVALID', message: prompts.render('console/escalation-needs-text'), fields: ['body.suggestion', 'body.text'] } });
    const said: string[] = [];
    if (!(await desk.take(e, async (m) => void said.push(m)))) return reply.code(409).send({ error: { code: 'OPSBOT_ERR_ESCALATION_TAKEN', message: said.join(' ') } });
    const by = { platform: 'local' as const, id: 'console', name: body.by ?? prompts.render('console/agent-name') };
    if (body.action === 'ignore') {
      await desk.finish(e, { status: 'ignored', by, at: new Date(desk.now).toISOString() });
      return { status: 'ignored' };
    }
    const result = await desk.deliver(e, text!, by);
    return { status: result.status, ...(result.reason ? { reason: result.reason } : {}) };
  });

  http.get(`${base}/kb/search`, { config: agent, schema: { tags: t, summary: '在知识库中检索，附出处（同 opsbot ask --json）', querystring: z.object({ q: z.string(), k: z.coerce.number().int().min(1).max(10).optional() }) } }, async (req) => {
    const { q, k } = req.query as { q: string; k?: number };
    // The console is for the shop's staff (signed in): staff-only passages included.
    return app.knowledge.ask(q, { audience: 'staff', ...(k ? { k } : {}) });
  });

  http.post(`${base}/kpi`, { config: admin, schema: { tags: t, summary: 'KPI 提问（同 opsbot kpi --json），另有 chart 图片地址与 chartSpec', body: z.object({ question: z.string() }) } }, async (req) => {
    const metrics = await app.service('metrics');
    const { answer, chart } = await metrics.ask((req.body as { question: string }).question);
    const fields = kpiFields(answer);
    if (answer.metric === null) return { ...fields, error: { code: ErrorCode.METRICS_QUESTION_UNKNOWN, message: answer.text } };
    if (!chart) return fields;
    const { renderChartAsync } = await import('../skills/metrics/chart.js');
    const id = pictures.put(await renderChartAsync(chart, { prompts: app.prompts }), 'image/png');
    return { ...fields, chart: `${base}/kpi/charts/${id}`, chartSpec: chart };
  });

  http.get(`${base}/kpi/charts/:id`, { config: admin, schema: { tags: t, summary: 'KPI 图表（PNG）', params: z.object({ id: z.string() }) } }, async (req, reply) => sendPicture(pictures, (req.params as { id: string }).id, reply, app.prompts));

  http.get(`${base}/kpi/dashboard`, { config: admin, schema: { tags: t, summary: '昨天的核心指标与前一天相比' } }, async () => {
    const metrics = await app.service('metrics');
    const day = addDays(metrics.today(), -1);
    const coverage = metrics.db.coverage() ?? null;
    const items = CORE.map((metric) => {
      const r = executeQuery(metrics.db, { metric, from: day, to: day, filters: {}, compare: 'previous' });
      return { metric, label: app.prompts.render(`metrics/name/${metric}`), unit: r.unit, value: r.value, previous: r.compare?.value ?? null, change: r.compare?.change ?? null };
    });
    return { day, previousDay: addDays(day, -1), coverage, items };
  });

  // An export dropped on the page: the file's bytes as the body, its name in the query.
  http.post(
    `${base}/kpi/import`,
    { config: admin, bodyLimit: MAX_IMPORT_BYTES, schema: { tags: t, summary: '导入后台导出的 CSV（请求体为文件内容）', querystring: z.object({ name: z.string().min(1).max(200) }) } },
    async (req) => {
      const metrics = await app.service('metrics');
      const dir = await mkdtemp(join(tmpdir(), 'opsbot-upload-'));
      try {
        const file = join(dir, 'upload.csv');
        await writeFile(file, req.body as Buffer);
        return await importMetricsFile(file, { db: metrics.db, prompts: app.prompts, name: (req.query as { name: string }).name });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  const DeliveriesQuery = z.object({ since: z.string().optional(), chat: z.string().optional(), source: z.string().optional(), status: z.enum(DELIVERY_STATUSES as [string, ...string[]]).optional(), limit: z.coerce.number().int().min(1).max(1000).optional() });
  http.get(`${base}/deliveries`, { config: admin, schema: { tags: t, summary: '送达记录（每项同 opsbot deliveries --json 的一行）', querystring: DeliveriesQuery } }, async (req) => {
    const q = req.query as z.infer<typeof DeliveriesQuery>;
    const deliveries = await app.service('deliveries');
    const since = q.since ? parseSince(q.since, app.now()) : undefined;
    if (q.since && !since) throw new UserFacingError(ErrorCode.DELIVERIES_SINCE_INVALID, 'console/invalid-since', { value: q.since });
    const wanted = q.status ? (q.limit ?? 100) * 5 : q.limit ?? 100;
    const items = (await deliveries.list({ ...(since ? { since } : {}), ...(q.chat ? { chat: q.chat } : {}), ...(q.source ? { source: q.source } : {}), limit: Math.min(wanted, 5000) }))
      .filter((d) => !q.status || d.status === q.status)
      .slice(0, q.limit ?? 100);
    const groups = await app.service('groups');
    const names = new Map((await groups.list()).map((g) => [`${g.platform}:${g.id}`, g.name]));
    // After the `deliveries --json` fields: the group's name and the reason in words, for the page.
    return {
      items: items.map((d) => {
        const chatName = names.get(`${d.platform}:${d.chat}`);
        return { ...deliveryFields(d), ...(chatName ? { chatName } : {}), ...(d.reason ? { reasonText: reasonInWords(d.reason, app.prompts) } : {}) };
      }),
    };
  });
}
