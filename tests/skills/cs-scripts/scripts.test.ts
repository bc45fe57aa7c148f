import { describe, expect, it } from 'vitest';
import { resolveFacts } from '../../../src/skills/cs-scripts/facts.js';
import { INTENTS } from '../../../src/skills/cs-scripts/intents.js';
import { fillScript, loadScripts, pickScripts, scriptPrompt, TONES } from '../../../src/skills/cs-scripts/scripts.js';
import { prompts } from '../../helpers.js';

const scripts = loadScripts();
const { facts } = resolveFacts(undefined, prompts);

describe('the script library', () => {
  it('has a prompt for every script, every intent and tone name, and fills every script with the facts alone', () => {
    for (const s of scripts) {
      expect(prompts.has(scriptPrompt(s)), s.key).toBe(true);
      const filled = fillScript(s, facts, prompts);
      expect(filled.text).not.toMatch(/[{}]/);
      expect(filled.source).toBe(`scripts/${s.key}`);
      expect(filled.basis).toMatch(/^《.+》「.+」$/);
    }
    for (const i of INTENTS) expect(prompts.has(`cs/intent-${i}`), i).toBe(true);
    for (const t of TONES) expect(prompts.has(`cs/tone-${t}`), t).toBe(true);
    for (const f of resolveFacts(undefined, prompts).defaulted) expect(prompts.has(`cs/fact-${f}`), f).toBe(true);
  });

  it('has several scripts in different tones for every intent but `other`, and a general one to fall back on', () => {
    for (const intent of INTENTS.filter((i) => i !== 'other')) {
      const own = scripts.filter((s) => s.intent === intent);
      expect(own.length, intent).toBeGreaterThanOrEqual(4);
      expect(new Set(own.map((s) => s.tone)).size, intent).toBeGreaterThanOrEqual(2);
      expect(own.some((s) => !s.cues), `${intent}: a script without cues`).toBe(true);
    }
  });

  it('puts the script that fits the message first, then different tones', () => {
    const picked = pickScripts(scripts, 'logistics', '显示签收了但是我没收到');
    expect(picked[0]!.key).toBe('logistics/received-remedy');
    const tones = pickScripts(scripts, 'shipping', '什么时候发货').map((s) => s.tone);
    expect(new Set(tones).size).toBe(tones.length);
    expect(pickScripts(scripts, 'other', '哈哈哈')).toEqual([]);
  });

  it('states only the shop\'s facts: no digits a fact did not put there', () => {
    const known = new Set(Object.values(facts).flatMap((v) => String(v).match(/\d+/g) ?? []));
    for (const s of scripts) {
      const digits = fillScript(s, facts, prompts).text.match(/\d+/g) ?? [];
      expect(digits.filter((d) => !known.has(d)), s.key).toEqual([]);
    }
  });
});
