import { createClock, type Clock } from '../bot/clock.js';
import { configSecrets, loadConfig, type Config } from '../bot/config.js';
import { createLlm, type LlmService } from '../bot/llm.js';
import { createLogger, type Logger } from '../bot/logger.js';
import type { Prompts } from '../bot/prompts.js';
import { loadShopFile } from '../bot/shop-file.js';
import { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { resolveFacts } from '../skills/cs-scripts/facts.js';
import { CsScripts } from '../skills/cs-scripts/service.js';
import { MetricsService } from '../skills/metrics/service.js';

/** The services a CLI command works with, created once per invocation. */
export interface Runtime {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly prompts: Prompts;
  readonly llm?: LlmService;
  readonly knowledge: KnowledgeBase;
  /** Customer-service scripts with the shop's facts (reads the shop file on first use), and the facts left at their defaults. */
  cs(): { cs: CsScripts; defaulted: readonly string[] };
  /** Shop metrics (the SQLite database under the data dir), opened on first use. */
  metrics(): MetricsService;
}

/** Reads the configuration (throws ConfigError listing every problem) and wires the services. */
export function createRuntime(prompts: Prompts): Runtime {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, secrets: configSecrets(config) });
  const clock = createClock(config.now);
  const llm = createLlm(config.llm);
  const knowledge = new KnowledgeBase({ config, logger, prompts, clock, ...(llm ? { llm } : {}) });
  let cs: ReturnType<Runtime['cs']> | undefined;
  let metrics: MetricsService | undefined;
  return {
    config,
    clock,
    logger,
    prompts,
    ...(llm ? { llm } : {}),
    knowledge,
    cs() {
      if (!cs) {
        const { facts, defaulted } = resolveFacts(loadShopFile(config.shopFile), prompts);
        cs = { cs: new CsScripts({ prompts, logger, facts, ...(llm ? { llm } : {}) }), defaulted };
      }
      return cs;
    },
    metrics() {
      metrics ??= new MetricsService({ dataDir: config.dataDir, tz: config.tz, clock, prompts, logger, knowledge, ...(llm ? { llm } : {}) });
      return metrics;
    },
  };
}
