import { pino, type DestinationStream, type Logger } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';
import type { PrettyOptions, PrettyStream } from 'pino-pretty';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

// Credentials and personal data that can show up inside free text (a message, an error from an SDK).
const SECRET_PATTERNS: ReadonlyArray<[RegExp, string | ((m: string) => string)]> = [
  [/\bsk-[A-Za-z0-9_-]{16,}/g, '[REDACTED]'], // OpenAI-style API keys
  [/\b\d{6,12}:[A-Za-z0-9_-]{30,}\b/g, '[REDACTED]'], // Telegram bot tokens
  [/\b(?:puppet|insecure)_[A-Za-z0-9_-]{6,}/g, '[REDACTED]'], // wechaty puppet service tokens
  [/\b(Bearer)\s+[A-Za-z0-9._~+/-]{8,}=*/gi, '$1 [REDACTED]'],
  [/(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g, '$1****$2'], // mainland mobile numbers
];

const REDACT_PATHS = [
  'apiKey',
  'token',
  'password',
  '*.apiKey',
  '*.token',
  '*.password',
  'headers.authorization',
  '*.headers.authorization',
];

/** Masks tokens, keys and phone numbers in `text`, and any of the exact `secrets` given. */
export function maskSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  for (const [re, replacement] of SECRET_PATTERNS) {
    out = typeof replacement === 'string' ? out.replace(re, replacement) : out.replace(re, replacement);
  }
  return out;
}

/** A stack without its `    at …` lines. */
function withoutFrames(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => !/^\s+at\s/.test(line))
    .join('\n');
}

/** What a log line may hold of an error: `stacks` only when someone asked for debug or trace. */
interface MaskOptions {
  readonly secrets: readonly string[];
  readonly stacks: boolean;
}

function maskDeep(value: unknown, options: MaskOptions, depth = 0): unknown {
  const { secrets } = options;
  if (typeof value === 'string') return maskSecrets(value, secrets);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    // Stays an Error, so pino's serializer still reports its type, stack, code, status and cause.
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Error;
    copy.message = maskSecrets(value.message, secrets);
    copy.name = value.name;
    // A stack trace is for whoever debugs (LOG_LEVEL=debug): in a terminal's WARN it reads as a crash.
    // Without it the stack keeps its first lines (type and message), so causes still read in order.
    const stack = value.stack === undefined || options.stacks ? value.stack : withoutFrames(value.stack);
    copy.stack = stack === undefined ? undefined : maskSecrets(stack, secrets);
    for (const key of ['code', 'status', 'details', 'error_code', 'description'] as const) {
      const v = (value as unknown as Record<string, unknown>)[key];
      if (v !== undefined) (copy as unknown as Record<string, unknown>)[key] = maskDeep(v, options, depth + 1);
    }
    if (value.cause !== undefined) copy.cause = maskDeep(value.cause, options, depth + 1);
    return copy;
  }
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, options, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, options, depth + 1);
  return out;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Exact values to mask wherever they appear (configured keys and tokens). */
  secrets?: readonly string[];
  /** Human-readable lines; default: when stderr is a terminal. */
  pretty?: boolean;
  /** Where lines go; default stderr, so stdout stays clean for `--json`. */
  destination?: DestinationStream;
}

// pino-pretty is required only for a terminal: piped, --json and server runs never load it.
const require = createRequire(import.meta.url);
const pretty = (options: PrettyOptions): PrettyStream => (require('pino-pretty') as typeof PinoPretty)(options);

/** Creates the process logger: pino on stderr, secrets masked in fields and in message text. */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets ?? [];
  const mask: MaskOptions = { secrets, stacks: options.level === 'debug' || options.level === 'trace' };
  const usePretty = options.pretty ?? Boolean(process.stderr.isTTY);
  const destination =
    options.destination ??
    (usePretty
      ? pretty({ destination: 2, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' })
      : pino.destination({ dest: 2, sync: true }));
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { log: (obj) => maskDeep(obj, mask) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskSecrets(a, secrets) : a));
          return method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
