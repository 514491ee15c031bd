import { describe, expect, it } from 'vitest';
import { citationsOf, composeText } from '../../../src/ask/answer.ts';
import type { QueryResult, QuerySpec } from '../../../src/domain/ask.ts';

const SPEC: QuerySpec = { intent: 'explain', filters: { state: 'active' }, sort: 'risk', limit: 1 };

function explanation(text: string): QueryResult {
  return {
    kind: 'explanation',
    total: 1,
    exposure: null,
    explanation: {
      exposureId: 'EXP-0123456789abcdef',
      decision: 'Act',
      score: 91.5,
      slaDueAt: new Date('2026-12-01T00:00:00Z'),
      slaState: 'due_soon',
      policyVersion: 'p1',
      text,
    },
  };
}

describe('composeText for explanations', () => {
  it('quotes a short explanation whole, after the decision, score and SLA state', () => {
    const text = composeText({ ...SPEC, exposureId: 'EXP-0123456789abcdef' }, explanation('line one\nline two'));
    expect(text).toBe('1 exposure, EXP-0123456789abcdef:\nWhy: SSVC Act, risk 91.5, SLA due soon.\nline one\nline two');
  });

  it('quotes whole lines of a long explanation and says where the rest is', () => {
    // Given an explanation that lists thousands of ignored controls
    const lines = Array.from({ length: 2000 }, (_, i) => `  ignored: control-${i}: out of its rule's weakness`);
    const text = composeText(SPEC, explanation(lines.join('\n')));
    // Then the text stays short, ends on a whole line and points at the full result
    expect(text.length).toBeLessThan(6200);
    const quoted = text.split('\n');
    expect(quoted.at(-1)).toBe('… (the whole explanation is in result.explanation.text)');
    expect(lines).toContain(quoted.at(-2));
  });

  it('cites the explained exposure', () => {
    expect(citationsOf(explanation('x')).exposures).toEqual(['EXP-0123456789abcdef']);
  });
});
