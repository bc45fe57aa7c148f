/** The intents of a customer's message, as the issue names them (exact labels, a contract). */
export const INTENTS = [
  'shipping',
  'logistics',
  'special_request',
  'return_refund',
  'complaint',
  'coupon',
  'product',
  'live',
  'payment',
  'other',
] as const;

export type Intent = (typeof INTENTS)[number];

/** Intents the bot answers in a fan group at once, with the shop's script. */
export const ANSWERED: ReadonlySet<Intent> = new Set(['shipping', 'product', 'coupon', 'live', 'payment']);

/** Intents a person follows up: the fan is told so, and the agents get an escalation. */
export const ESCALATED: ReadonlySet<Intent> = new Set(['complaint', 'return_refund', 'logistics', 'special_request']);

/** True when `label` is one of the intents. */
export function isIntent(label: string): label is Intent {
  return (INTENTS as readonly string[]).includes(label);
}

/** A classification: the label and how sure the classifier is, in 0..1. */
export interface IntentResult {
  readonly intent: Intent;
  readonly confidence: number;
  /** offline (rules and nearest examples) or model. */
  readonly mode: 'offline' | 'model';
}
