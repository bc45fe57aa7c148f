import { noonIn } from './clock.js';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { DEFAULT_PLAYBOOK_DIR } from './paths.js';
import { ErrorCode, OpsbotError } from './errors.js';
import { CONFIG_VARIABLES, EnvSchema, LOG_LEVELS, type LogLevel } from './config-env.js';

export { CONFIG_VARIABLES, LOG_LEVELS, type LogLevel } from './config-env.js';

export interface LlmConfig {
  /** Present only when a model or an embedding model is configured. */
  readonly apiKey?: string;
  readonly baseURL?: string;
  readonly model?: string;
  readonly embeddingModel?: string;
  readonly timeoutMs: number;
}

export interface Config {
  readonly dataDir: string;
  readonly playbookDir: string;
  /** True when OPSBOT_PLAYBOOK_DIR is set; otherwise the folder an index was last built from is kept. */
  readonly playbookDirSet: boolean;
  readonly tz: string;
  /** A fixed start instant for the process clock (`OPSBOT_NOW`). */
  readonly now?: Date;
  readonly logLevel: LogLevel;
  /** True when LOG_LEVEL is set (the terminal chat logs only warnings otherwise). */
  readonly logLevelSet: boolean;
  readonly llm: LlmConfig;
  /** Shared state on Redis instead of the SQLite file. */
  readonly redisUrl?: string;
  /** The prefix of every key on Redis (OPSBOT_REDIS_NAMESPACE), so several shops can share one server. */
  readonly redisNamespace: string;
  /** Operators and customer-service agents, as `platform:userId`. */
  readonly admins: readonly string[];
  readonly agents: readonly string[];
  /** The HTTP server (/healthz, the console, the Telegram webhook): OPSBOT_HTTP_PORT on OPSBOT_HTTP_HOST. */
  readonly httpPort: number;
  /** Default 127.0.0.1; any other address needs OPSBOT_HTTP_TOKEN. */
  readonly httpHost: string;
  /** The staff's console token (OPSBOT_HTTP_TOKEN); when unset one is generated under the data dir. */
  readonly httpToken?: string;
  /** A second token that signs in as a customer-service agent only (OPSBOT_HTTP_AGENT_TOKEN). */
  readonly httpAgentToken?: string;
  /** Present when TELEGRAM_BOT_TOKEN is set. */
  readonly telegram?: TelegramConfig;
  /** WECHATY_PUPPET is set: start the WeChat adapter. */
  readonly wechat: boolean;
  /** WECHATY_PUPPET_SERVICE_TOKEN: wechaty reads it itself; kept here only so that logs mask it. */
  readonly puppetToken?: string;
  /** What `opsbot start` runs in this process (OPSBOT_PLATFORMS; default every platform configured). */
  readonly platforms: readonly PlatformName[];
  /** Local `HH:MM` range in which pushes wait (OPSBOT_QUIET_HOURS, default 23:00–08:00); null: never. */
  readonly quietHours: { readonly start: string; readonly end: string } | null;
  /** The shop's groups and people (JSON); default `shop.json` in the working folder, used when present. */
  readonly shopFile: string;
}

/** The chat platforms a process can run. */
export const PLATFORM_NAMES = ['telegram', 'wechat'] as const;
export type PlatformName = (typeof PLATFORM_NAMES)[number];

export interface TelegramConfig {
  readonly token: string;
  readonly apiRoot?: string;
  /** Webhook mode instead of long polling. */
  readonly webhookUrl?: string;
  /** The secret Telegram sends with every webhook request; requests without it are refused. */
  readonly webhookSecret: string;
}

/** One thing wrong with the environment; `key` is a prompt key, `params` fill it. */
export interface ConfigProblem {
  readonly variable: string;
  readonly key: string;
  readonly params: Record<string, string>;
}

/** Everything wrong with the configuration, found in one pass. */
export class ConfigError extends OpsbotError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(
      ErrorCode.CONFIG_INVALID,
      `invalid configuration: ${problems.map((p) => `${p.variable} (${p.key})`).join(', ')}`,
      { details: { problems } },
    );
    this.problems = problems;
  }
}

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** The `.env` file to read; process variables win over it. Default `.env` in `cwd`. */
  envFile?: string | false;
  cwd?: string;
}

/** Reads `.env` and the environment once, validates everything, returns a frozen config or throws one ConfigError listing every problem. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const fromFile = readEnvFile(options.envFile === undefined ? resolve(cwd, '.env') : options.envFile);
  const merged: Record<string, string> = {};
  const env = options.env ?? process.env;
  for (const name of CONFIG_VARIABLES) {
    // An empty value (`OPENAI_API_KEY=`) means "not set", as in most tools: the next source is asked.
    const value = [env[name], fromFile[name]].map((v) => v?.trim()).find((v) => v !== undefined && v !== '');
    if (value !== undefined) merged[name] = value;
  }

  const parsed = EnvSchema.safeParse(merged);
  const problems: ConfigProblem[] = [];
  // A secret wrapped in a stray quote (`TOKEN=abc'` in .env) is said as such, masked, before any format rule.
  const quoted = SECRET_VARIABLES.filter((name) => /^['"`]|['"`]$/.test(merged[name] ?? ''));
  for (const name of quoted) problems.push({ variable: name, key: 'config/secret-quoted', params: { name, value: maskSecret(merged[name]!) } });
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const variable = String(issue.path[0] ?? '');
    if ((quoted as string[]).includes(variable)) continue;
    problems.push({
      variable,
      key: issue.message.startsWith('config/') ? issue.message : 'config/invalid-value',
      params: { name: variable, value: shownValue(variable, merged[variable] ?? ''), allowed: LOG_LEVELS.join(', ') },
    });
  }
  // Checked on the raw values too, so that one error lists every problem.
  for (const name of ['OPENAI_MODEL', 'OPENAI_EMBEDDING_MODEL'] as const) {
    if (merged[name] && !merged.OPENAI_API_KEY && !merged.OPENAI_BASE_URL) {
      problems.push({ variable: name, key: 'config/llm-needs-endpoint', params: { name } });
    }
  }
  for (const name of people(merged.OPSBOT_PLATFORMS)) {
    const needs = name === 'telegram' ? 'TELEGRAM_BOT_TOKEN' : 'WECHATY_PUPPET';
    if (PLATFORM_NAMES.includes(name as PlatformName) && !merged[needs]) {
      problems.push({ variable: 'OPSBOT_PLATFORMS', key: 'config/platform-not-configured', params: { name: 'OPSBOT_PLATFORMS', platform: name, needs } });
    }
  }
  // Reachable from other machines, the console must not fall back to a token only this machine can read.
  if (merged.OPSBOT_HTTP_HOST && !isLoopback(merged.OPSBOT_HTTP_HOST) && !merged.OPSBOT_HTTP_TOKEN) {
    problems.push({ variable: 'OPSBOT_HTTP_HOST', key: 'config/host-needs-token', params: { name: 'OPSBOT_HTTP_HOST', value: merged.OPSBOT_HTTP_HOST } });
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const vars = parsed.data;
  const configured = PLATFORM_NAMES.filter((p) => (p === 'telegram' ? vars.TELEGRAM_BOT_TOKEN : vars.WECHATY_PUPPET));

  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const llmWanted = Boolean(vars.OPENAI_MODEL || vars.OPENAI_EMBEDDING_MODEL);
  const config: Config = {
    dataDir: abs(vars.OPSBOT_DATA_DIR),
    playbookDir: vars.OPSBOT_PLAYBOOK_DIR ? abs(vars.OPSBOT_PLAYBOOK_DIR) : DEFAULT_PLAYBOOK_DIR,
    playbookDirSet: Boolean(vars.OPSBOT_PLAYBOOK_DIR),
    tz: vars.OPSBOT_TZ,
    ...(vars.OPSBOT_NOW ? { now: /^\d{4}-\d{2}-\d{2}$/.test(vars.OPSBOT_NOW) ? noonIn(vars.OPSBOT_NOW, vars.OPSBOT_TZ) : new Date(vars.OPSBOT_NOW) } : {}),
    logLevel: vars.LOG_LEVEL,
    logLevelSet: merged.LOG_LEVEL !== undefined,
    ...(vars.REDIS_URL ? { redisUrl: vars.REDIS_URL } : {}),
    redisNamespace: vars.OPSBOT_REDIS_NAMESPACE,
    admins: Object.freeze(people(vars.OPSBOT_ADMINS)),
    agents: Object.freeze(people(vars.OPSBOT_AGENTS)),
    httpPort: vars.OPSBOT_HTTP_PORT,
    httpHost: vars.OPSBOT_HTTP_HOST,
    ...(vars.OPSBOT_HTTP_TOKEN ? { httpToken: vars.OPSBOT_HTTP_TOKEN } : {}),
    ...(vars.OPSBOT_HTTP_AGENT_TOKEN ? { httpAgentToken: vars.OPSBOT_HTTP_AGENT_TOKEN } : {}),
    wechat: Boolean(vars.WECHATY_PUPPET),
    ...(vars.WECHATY_PUPPET_SERVICE_TOKEN ? { puppetToken: vars.WECHATY_PUPPET_SERVICE_TOKEN } : {}),
    quietHours: quietHoursOf(vars.OPSBOT_QUIET_HOURS),
    platforms: Object.freeze(vars.OPSBOT_PLATFORMS ? [...new Set(people(vars.OPSBOT_PLATFORMS) as PlatformName[])] : configured),
    shopFile: abs(vars.OPSBOT_SHOP_FILE ?? 'shop.json'),
    ...(vars.TELEGRAM_BOT_TOKEN
      ? {
          telegram: Object.freeze({
            token: vars.TELEGRAM_BOT_TOKEN,
            ...(vars.TELEGRAM_API_ROOT ? { apiRoot: vars.TELEGRAM_API_ROOT.replace(/\/+$/, '') } : {}),
            ...(vars.TELEGRAM_WEBHOOK_URL ? { webhookUrl: vars.TELEGRAM_WEBHOOK_URL } : {}),
            // Derived from the token when not given, so every process of the shop agrees on it.
            webhookSecret:
              vars.TELEGRAM_WEBHOOK_SECRET ?? createHash('sha256').update(`opsbot-webhook:${vars.TELEGRAM_BOT_TOKEN}`).digest('hex').slice(0, 48),
          }),
        }
      : {}),
    llm: Object.freeze({
      timeoutMs: vars.OPSBOT_LLM_TIMEOUT_MS,
      ...(vars.OPENAI_MODEL ? { model: vars.OPENAI_MODEL } : {}),
      ...(vars.OPENAI_EMBEDDING_MODEL ? { embeddingModel: vars.OPENAI_EMBEDDING_MODEL } : {}),
      ...(vars.OPENAI_BASE_URL ? { baseURL: vars.OPENAI_BASE_URL } : {}),
      // Local servers (Ollama, vLLM, llama.cpp) accept any key, but the SDK refuses to start without one.
      ...(llmWanted ? { apiKey: vars.OPENAI_API_KEY ?? 'opsbot-local' } : {}),
    }),
  };
  return Object.freeze(config);
}

/** 127.0.0.0/8, ::1 and localhost: nothing outside this machine can connect. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `23:00-08:00` → its two ends; `off` → null. */
function quietHoursOf(value: string): Config['quietHours'] {
  if (value.toLowerCase() === 'off') return null;
  const [start = '23:00', end = '08:00'] = value.split('-');
  return Object.freeze({ start, end });
}

function people(list: string | undefined): string[] {
  return (list ?? '').split(',').map((p) => p.trim()).filter(Boolean);
}

/** The variables whose values are credentials: never repeated back whole, not even in the error about them. */
const SECRET_VARIABLES = [
  'TELEGRAM_BOT_TOKEN',
  'OPENAI_API_KEY',
  'OPSBOT_HTTP_TOKEN',
  'OPSBOT_HTTP_AGENT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'WECHATY_PUPPET_SERVICE_TOKEN',
] as const;

/** A secret as an error may show it: its first three characters and its last (where a stray quote shows). */
export function maskSecret(value: string): string {
  return value.length < 10 ? '…' : `${value.slice(0, 3)}…${value.slice(-1)}`;
}

/** What an error repeats of a variable's value: secrets masked, a URL without its user and password. */
function shownValue(name: string, value: string): string {
  if ((SECRET_VARIABLES as readonly string[]).includes(name)) return maskSecret(value);
  return withoutCredentials(value);
}

/** A URL's user and password, if any, are never repeated back in an error message (even in a malformed URL). */
function withoutCredentials(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return value;
  const scheme = /^[A-Za-z][\w+.-]*:\/*/.exec(value)?.[0] ?? '';
  return `${scheme}***${value.slice(at)}`;
}

function readEnvFile(path: string | false): Record<string, string> {
  if (path === false || !existsSync(path)) return {};
  return parseDotenv(readFileSync(path));
}

/** The values that must never appear in a log line. */
export function configSecrets(config: Config): string[] {
  const key = config.llm.apiKey;
  const redisPassword = config.redisUrl ? decodeURIComponent(new URL(config.redisUrl).password) : '';
  return [
    ...(key && key !== 'opsbot-local' ? [key] : []),
    ...(redisPassword ? [redisPassword] : []),
    ...(config.telegram ? [config.telegram.token, config.telegram.webhookSecret] : []),
    ...(config.httpToken ? [config.httpToken] : []),
    ...(config.httpAgentToken ? [config.httpAgentToken] : []),
    ...(config.puppetToken ? [config.puppetToken] : []),
  ];
}
