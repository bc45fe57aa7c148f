import { createClock, type Clock } from '../bot/clock.js';
import { configSecrets, loadConfig, type Config } from '../bot/config.js';
import { createLlm, type LlmService } from '../bot/llm.js';
import { createLogger, type Logger } from '../bot/logger.js';
import type { Prompts } from '../bot/prompts.js';
import { KnowledgeBase } from '../knowledge/knowledge-base.js';

/** The services a CLI command works with, created once per invocation. */
export interface Runtime {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly prompts: Prompts;
  readonly llm?: LlmService;
  readonly knowledge: KnowledgeBase;
}

/** Reads the configuration (throws ConfigError listing every problem) and wires the services. */
export function createRuntime(prompts: Prompts): Runtime {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, secrets: configSecrets(config) });
  const clock = createClock(config.now);
  const llm = createLlm(config.llm);
  const knowledge = new KnowledgeBase({ config, logger, prompts, clock, ...(llm ? { llm } : {}) });
  return { config, clock, logger, prompts, ...(llm ? { llm } : {}), knowledge };
}
