import { ServiceError } from '../../domain/errors.ts';

/** Why a Terraform change could not be computed; each reason is a stable code a tool turns into a hint. */
export type TerraformEditReason = 'invalid' | 'not_found' | 'unsupported' | 'no_change' | 'ambiguous';

const CODES: Record<TerraformEditReason, string> = {
  invalid: 'TERRAFORM_INVALID',
  not_found: 'TERRAFORM_RESOURCE_NOT_FOUND',
  unsupported: 'TERRAFORM_UNSUPPORTED',
  no_change: 'TERRAFORM_NOTHING_TO_CHANGE',
  ambiguous: 'TERRAFORM_AMBIGUOUS',
};

/**
 * The Terraform text cannot be changed as asked: the file does not parse, the resource is not there, the
 * construct is one we do not rewrite, or nothing is left to change. The caller (a tool) reports it to the
 * model with a hint; it is the input's fault, not ours.
 */
export class TerraformEditError extends ServiceError {
  readonly reason: TerraformEditReason;
  constructor(reason: TerraformEditReason, message: string, cause?: unknown) {
    super(CODES[reason], message, { status: 422, cause });
    this.reason = reason;
  }
}

/** An edit we computed did not survive re-parsing or did not remove the finding: our bug, never committed. */
export class TerraformVerificationError extends ServiceError {
  constructor(message: string, cause?: unknown) {
    super('TERRAFORM_EDIT_UNVERIFIED', message, { status: 500, cause });
  }
}
