/**
 * The one catalogue of opsbot's error codes (`OPSBOT_ERR_<AREA>_<WHAT>`). Tests assert codes, people read
 * the prompt a code maps to: a `UserFacingError` carries the key of the sentence shown to the user.
 */
export const ErrorCode = {
  CONFIG_INVALID: 'OPSBOT_ERR_CONFIG_INVALID',
  PROMPT_MISSING: 'OPSBOT_ERR_PROMPT_MISSING',
  PROMPT_VAR_MISSING: 'OPSBOT_ERR_PROMPT_VAR_MISSING',
  CLI_USAGE: 'OPSBOT_ERR_CLI_USAGE',
  CLI_FILE_UNREADABLE: 'OPSBOT_ERR_CLI_FILE_UNREADABLE',
  CLI_BATCH_EMPTY: 'OPSBOT_ERR_CLI_BATCH_EMPTY',
  CLI_BATCH_LINE_TOO_LONG: 'OPSBOT_ERR_CLI_BATCH_LINE_TOO_LONG',
  FILE_UNREADABLE: 'OPSBOT_ERR_FILE_UNREADABLE',
  KB_PLAYBOOK_MISSING: 'OPSBOT_ERR_KB_PLAYBOOK_MISSING',
  KB_PLAYBOOK_NOT_A_FOLDER: 'OPSBOT_ERR_KB_PLAYBOOK_NOT_A_FOLDER',
  KB_PLAYBOOK_TOO_LARGE: 'OPSBOT_ERR_KB_PLAYBOOK_TOO_LARGE',
  KB_PLAYBOOK_EMPTY: 'OPSBOT_ERR_KB_PLAYBOOK_EMPTY',
  KB_INDEX_UNWRITABLE: 'OPSBOT_ERR_KB_INDEX_UNWRITABLE',
  KB_QUESTION_EMPTY: 'OPSBOT_ERR_KB_QUESTION_EMPTY',
  KB_QUESTION_TOO_LONG: 'OPSBOT_ERR_KB_QUESTION_TOO_LONG',
  KB_QUESTION_NO_TEXT: 'OPSBOT_ERR_KB_QUESTION_NO_TEXT',
  KB_RETRIEVAL_FAILED: 'OPSBOT_ERR_KB_RETRIEVAL_FAILED',
  STORE_UNAVAILABLE: 'OPSBOT_ERR_STORE_UNAVAILABLE',
  CS_MESSAGE_EMPTY: 'OPSBOT_ERR_CS_MESSAGE_EMPTY',
  CS_MESSAGE_TOO_LONG: 'OPSBOT_ERR_CS_MESSAGE_TOO_LONG',
  CS_ESCALATION_GONE: 'OPSBOT_ERR_CS_ESCALATION_GONE',
  CS_ESCALATION_NOT_FOUND: 'OPSBOT_ERR_CS_ESCALATION_NOT_FOUND',
  DELIVERIES_SINCE_INVALID: 'OPSBOT_ERR_DELIVERIES_SINCE_INVALID',
  METRICS_DB_UNAVAILABLE: 'OPSBOT_ERR_METRICS_DB_UNAVAILABLE',
  METRICS_DB_BUSY: 'OPSBOT_ERR_METRICS_DB_BUSY',
  METRICS_FILE_UNREADABLE: 'OPSBOT_ERR_METRICS_FILE_UNREADABLE',
  METRICS_FILE_EMPTY: 'OPSBOT_ERR_METRICS_FILE_EMPTY',
  METRICS_HEADERS_UNKNOWN: 'OPSBOT_ERR_METRICS_HEADERS_UNKNOWN',
  METRICS_VALUE_INVALID: 'OPSBOT_ERR_METRICS_VALUE_INVALID',
  METRICS_ROW_DUPLICATE: 'OPSBOT_ERR_METRICS_ROW_DUPLICATE',
  METRICS_QUESTION_EMPTY: 'OPSBOT_ERR_METRICS_QUESTION_EMPTY',
  METRICS_QUESTION_TOO_LONG: 'OPSBOT_ERR_METRICS_QUESTION_TOO_LONG',
  METRICS_QUESTION_UNKNOWN: 'OPSBOT_ERR_METRICS_QUESTION_UNKNOWN',
  METRICS_CHART_FAILED: 'OPSBOT_ERR_METRICS_CHART_FAILED',
  PICTURE_FONT_MISSING: 'OPSBOT_ERR_PICTURE_FONT_MISSING',
  LIVE_INVALID: 'OPSBOT_ERR_LIVE_INVALID',
  LIVE_NOT_FOUND: 'OPSBOT_ERR_LIVE_NOT_FOUND',
  LIVE_NOT_PENDING: 'OPSBOT_ERR_LIVE_NOT_PENDING',
  COUPON_INVALID: 'OPSBOT_ERR_COUPON_INVALID',
  COUPON_NOT_FOUND: 'OPSBOT_ERR_COUPON_NOT_FOUND',
  COUPON_USERS_INVALID: 'OPSBOT_ERR_COUPON_USERS_INVALID',
  PLUGIN_SERVICE_MISSING: 'OPSBOT_ERR_PLUGIN_SERVICE_MISSING',
  PLUGIN_SERVICE_DUPLICATE: 'OPSBOT_ERR_PLUGIN_SERVICE_DUPLICATE',
  PLUGIN_DUPLICATE: 'OPSBOT_ERR_PLUGIN_DUPLICATE',
  PLUGIN_SERVICE_CYCLE: 'OPSBOT_ERR_PLUGIN_SERVICE_CYCLE',
  PLUGIN_INVALID: 'OPSBOT_ERR_PLUGIN_INVALID',
  LLM_TIMEOUT: 'OPSBOT_ERR_LLM_TIMEOUT',
  LLM_FAILED: 'OPSBOT_ERR_LLM_FAILED',
  LLM_EMPTY_REPLY: 'OPSBOT_ERR_LLM_EMPTY_REPLY',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface OpsbotErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

/** An error with a catalogue code; logged, never shown to a user as is. */
export class OpsbotError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: OpsbotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OpsbotError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** An error whose prompt (`promptKey`, rendered with `params`) is the polite reply a user gets. */
export class UserFacingError extends OpsbotError {
  readonly promptKey: string;
  readonly params: Record<string, string | number>;

  constructor(
    code: ErrorCode,
    promptKey: string,
    params: Record<string, string | number> = {},
    options: OpsbotErrorOptions = {},
  ) {
    super(code, `${code} (${promptKey})`, options);
    this.name = 'UserFacingError';
    this.promptKey = promptKey;
    this.params = params;
  }
}

/** True when `err` is an OpsbotError with the given code. */
export function hasCode(err: unknown, code: ErrorCode): err is OpsbotError {
  return err instanceof OpsbotError && err.code === code;
}
