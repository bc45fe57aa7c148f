import { z } from 'zod';

// The environment's schema: every variable opsbot reads, its format and default; config.ts reads and checks it.

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** `platform:userId` entries separated by commas: `telegram:1001,wechat:wxid_x`. */
const PEOPLE_LIST = /^\s*(telegram|wechat|local):[^,:\s]+(\s*,\s*(telegram|wechat|local):[^,:\s]+)*\s*$/;

/** A whole number in [min, max], `fallback` when unset; anything else is reported with `key`. */
function intVar(min: number, max: number, fallback: number, key: string) {
  const message = { message: key };
  return z.coerce.number(message).int(message).min(min, message).max(max, message).default(fallback);
}

/** The environment opsbot reads; each message is the prompt key of the sentence an operator reads about that variable. */
export const EnvSchema = z.object({
  OPSBOT_DATA_DIR: z.string().default('./data'),
  OPSBOT_PLAYBOOK_DIR: z.string().optional(),
  OPSBOT_TZ: z.string().default('Asia/Shanghai').refine(isTimeZone, { message: 'config/invalid-tz' }),
  // An instant with its offset, or a day (that day's noon in OPSBOT_TZ): "today" for KPI questions.
  OPSBOT_NOW: z.union([z.iso.datetime({ offset: true }), z.iso.date()], { message: 'config/invalid-now' }).optional(),
  OPSBOT_LLM_TIMEOUT_MS: intVar(100, 600_000, 15_000, 'config/invalid-timeout'),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/, message: 'config/invalid-url' }).optional(),
  OPENAI_MODEL: z.string().optional(),
  OPENAI_EMBEDDING_MODEL: z.string().optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: 'config/invalid-log-level' }).default('info'),
  REDIS_URL: z.url({ protocol: /^rediss?$/, message: 'config/invalid-redis-url' }).optional(),
  OPSBOT_REDIS_NAMESPACE: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, { message: 'config/invalid-namespace' }).default('opsbot'),
  OPSBOT_ADMINS: z.string().regex(PEOPLE_LIST, { message: 'config/invalid-people' }).optional(),
  OPSBOT_AGENTS: z.string().regex(PEOPLE_LIST, { message: 'config/invalid-people' }).optional(),
  OPSBOT_HTTP_PORT: intVar(0, 65_535, 8787, 'config/invalid-port'),
  OPSBOT_HTTP_HOST: z.string().regex(/^[\w.:-]{1,255}$/, { message: 'config/invalid-host' }).default('127.0.0.1'),
  OPSBOT_HTTP_TOKEN: z.string().regex(/^[\x21-\x7e]{16,256}$/, { message: 'config/invalid-http-token' }).optional(),
  OPSBOT_HTTP_AGENT_TOKEN: z.string().regex(/^[\x21-\x7e]{16,256}$/, { message: 'config/invalid-http-token' }).optional(),
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[\w-]+$/, { message: 'config/invalid-telegram-token' }).optional(),
  TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/, message: 'config/invalid-url' }).optional(),
  TELEGRAM_WEBHOOK_URL: z.url({ protocol: /^https?$/, message: 'config/invalid-url' }).optional(),
  OPSBOT_SHOP_FILE: z.string().optional(),
  // wechaty reads this and its puppet's own variables itself; opsbot only needs to know WeChat is wanted.
  WECHATY_PUPPET: z.string().optional(),
  WECHATY_PUPPET_SERVICE_TOKEN: z.string().optional(),
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, { message: 'config/invalid-webhook-secret' }).optional(),
  // Several processes share one Redis: each runs some of the platforms (one per bot account, say).
  OPSBOT_QUIET_HOURS: z
    .string()
    .regex(/^(off|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$/i, { message: 'config/invalid-quiet-hours' })
    .default('23:00-08:00'),
  OPSBOT_PLATFORMS: z.string().regex(/^\s*(telegram|wechat)(\s*,\s*(telegram|wechat))*\s*$/, { message: 'config/invalid-platforms' }).optional(),
});

/** Names of the variables opsbot reads; nothing else in the environment is looked at. */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape);
