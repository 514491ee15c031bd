import type { Suppression } from '../../domain/finding.ts';
import type { Analysis } from './schema.ts';

/**
 * VEX states that take a finding out of the open exposures: the producer says the component
 * is not affected, or the finding is wrong. The finding is kept, marked suppressed.
 */
const SUPPRESSING_STATES = new Set(['not_affected', 'false_positive']);

/** The suppression a VEX `analysis` implies, or null when the finding stays open. */
export function suppressionOf(analysis: Analysis | null | undefined): Suppression | null {
  const state = analysis?.state?.trim();
  if (!state || !SUPPRESSING_STATES.has(state)) return null;
  return { state, justification: analysis?.justification ?? null, detail: analysis?.detail ?? null };
}

/**
 * The analysis of a finding that stays open, in words for its description. `resolved` (and
 * `resolved_with_pedigree`) stay open on purpose: they claim a remediation that the next scan
 * confirms by no longer listing the vulnerability, and while the BOM still lists the affected
 * component we do not hide it on the claim alone. `exploitable` and `in_triage` are open anyway.
 */
export function openAnalysisText(analysis: Analysis | null | undefined): string | null {
  const state = analysis?.state?.trim();
  if (!state || SUPPRESSING_STATES.has(state)) return null;
  const response = analysis?.response?.length ? `; response: ${analysis.response.join(', ')}` : '';
  const detail = analysis?.detail?.trim() ? ` (${analysis.detail.trim()})` : '';
  return `VEX analysis: ${state}${response}${detail}.`;
}
