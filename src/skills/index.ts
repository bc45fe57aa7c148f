import type { AnyPlugin } from '../bot/plugin.js';
import { couponPlugin } from './coupons/index.js';
import { csScriptsPlugin } from './cs-scripts/index.js';
import { livePlugin } from './live/index.js';
import { metricsPlugin } from './metrics/index.js';
import { playbookQaPlugin } from './playbook-qa/index.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';

declare module '../bot/plugin.js' {
  interface Services {
    /** The shop's playbook as a knowledge base (the app builds it from OPSBOT_PLAYBOOK_DIR). */
    knowledge: KnowledgeBase;
  }
}

/**
 * The shop's plugins, in the order they are asked: metrics claims an operator's KPI question before the
 * playbook's fallback sees it, a drop's keyword in a group reaches its drop, the customer-service front desk takes what fans leave unclaimed, and lives
 * answer fans' questions about the next live in the groups.
 * Adding a skill is one folder and one line here.
 */
export const shopPlugins: readonly AnyPlugin[] = [metricsPlugin, playbookQaPlugin, couponPlugin, csScriptsPlugin, livePlugin];
