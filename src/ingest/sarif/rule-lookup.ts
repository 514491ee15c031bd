import type { RunContext } from './run-context.ts';
import type { SarifResult, SarifRule } from './schema.ts';

/**
 * Gitleaks 7 omits `ruleId`; its messages read `<rule id> secret detected`. The longest rule
 * id that prefixes the message is the rule ("Slack Webhook" over "Slack").
 */
function ruleNamedByMessage(text: string | undefined, context: RunContext): SarifRule | undefined {
  if (!text) return undefined;
  let best: SarifRule | undefined;
  for (const rule of context.rulesById.values()) {
    if (text.startsWith(`${rule.id} `) && rule.id.length > (best?.id.length ?? 0)) best = rule;
  }
  return best;
}

/**
 * The rule a result refers to: by `rule.index`/`ruleIndex` in the driver or in the extension
 * named by `rule.toolComponent.index`, by id (also the parent of a hierarchical id such as
 * `C2001/1`), else by message prefix. Undefined when the producer defines no rules.
 */
export function ruleOf(result: SarifResult, context: RunContext): SarifRule | undefined {
  const componentIndex = result.rule?.toolComponent?.index;
  const rules = componentIndex === undefined ? context.driverRules : (context.extensionRules[componentIndex] ?? []);
  const index = result.rule?.index ?? result.ruleIndex;
  const byIndex = index !== undefined && index >= 0 ? rules[index] : undefined;
  const id = result.ruleId ?? result.rule?.id;
  if (!id) return byIndex ?? ruleNamedByMessage(result.message?.text, context);
  if (byIndex?.id === id) return byIndex;
  return context.rulesById.get(id) ?? context.rulesById.get(id.split('/')[0]!) ?? byIndex;
}
