import type { Suppression } from '../../domain/finding.ts';
import { productField } from './product-fields.ts';
import type { AsffFinding } from './schema.ts';

/** Why a record is not an exposure at all, or the suppression that marks a kept one. */
export type RecordState = { skip: string } | { suppression: Suppression | null };

function upper(value: string | null | undefined): string {
  return (value ?? '').trim().toUpperCase();
}

/**
 * Reads the three ASFF lifecycles. Records that say there is nothing to fix are skipped with a
 * reason (warnings), the same choice as for Prowler's PASS: an archived record (the provider
 * closed it: resource gone or issue fixed), a passed control, a control that did not apply or
 * could not be evaluated (NOT_AVAILABLE), and Inspector's CLOSED. Storing those as suppressed
 * findings would turn an earlier FAIL on the same resource into a suppressed exposure rather
 * than a resolved one. A person's decision in Security Hub (Workflow SUPPRESSED or RESOLVED
 * while the check still fails) keeps the finding, marked as suppressed.
 */
export function recordStateOf(finding: AsffFinding): RecordState {
  const control = finding.Compliance?.SecurityControlId ?? productField(finding, 'ControlId') ?? finding.GeneratorId;
  if (upper(finding.RecordState) === 'ARCHIVED') {
    return {
      skip: `RecordState ARCHIVED: the provider no longer reports "${finding.Title}" as active; not an exposure`,
    };
  }
  const compliance = upper(finding.Compliance?.Status);
  if (compliance === 'PASSED')
    return { skip: `control "${control}" passed (Compliance.Status PASSED); not an exposure` };
  if (compliance === 'NOT_AVAILABLE') {
    return {
      skip: `control "${control}" did not apply or could not be evaluated (Compliance.Status NOT_AVAILABLE); not an exposure`,
    };
  }
  const inspectorStatus = upper(productField(finding, 'aws/inspector/FindingStatus'));
  if (inspectorStatus === 'CLOSED') {
    return { skip: `Inspector closed "${finding.Title}" (FindingStatus CLOSED); not an exposure` };
  }
  const workflow = upper(finding.Workflow?.Status ?? finding.WorkflowState);
  const detail = finding.Note?.Text?.trim() || null;
  if (workflow === 'SUPPRESSED' || inspectorStatus === 'SUPPRESSED') {
    const justification =
      workflow === 'SUPPRESSED' ? 'Workflow.Status SUPPRESSED' : 'Inspector FindingStatus SUPPRESSED';
    return { suppression: { state: 'suppressed', justification, detail } };
  }
  if (workflow === 'RESOLVED') {
    return { suppression: { state: 'resolved', justification: 'Workflow.Status RESOLVED', detail } };
  }
  return { suppression: null };
}
