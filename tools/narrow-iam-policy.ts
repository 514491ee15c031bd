import { z } from 'zod';
import { IAM_ACTION, narrowIamActions } from '../src/remediate/terraform/narrow-iam.ts';
import {
  commitTerraformEdit,
  ResourceAddressSchema,
  TerraformBranchSchema,
  TerraformChangeOutputSchema,
  TerraformMessageSchema,
  TerraformPathSchema,
} from './change-terraform.ts';
import { defineTool } from './define-tool.ts';

export const NarrowIamPolicyInputSchema = z.object({
  assetId: z
    .string()
    .min(1)
    .max(200)
    .describe('id of the repository asset holding the Terraform (from get_exposure or get_asset)'),
  path: TerraformPathSchema.describe('the .tf file declaring the policy, relative to the repository root'),
  resource: ResourceAddressSchema.describe(
    'the policy: aws_iam_policy.<name>, aws_iam_role_policy.<name>, aws_iam_user_policy.<name>, ' +
      'aws_iam_group_policy.<name> or data.aws_iam_policy_document.<name>',
  ),
  actions: z
    .array(z.string().max(128).regex(IAM_ACTION, 'must be one explicit action such as s3:GetObject, no wildcards'))
    .min(1)
    .max(100)
    .describe('the actions the statement really needs, e.g. ["s3:GetObject", "s3:PutObject"]; never "*" or "s3:*"'),
  statement: z
    .union([z.string().min(1).max(128), z.number().int().min(0).max(1000)])
    .optional()
    .describe('which statement, by Sid or 0-based position; needed only when several statements allow a wildcard'),
  branch: TerraformBranchSchema,
  message: TerraformMessageSchema,
});

export const narrowIamPolicy = defineTool({
  name: 'narrow_iam_policy',
  description:
    'Replace the wildcard action ("*" or "service:*") of one Allow statement of a Terraform IAM policy with ' +
    'explicit actions, on a new mobilize/* branch. Works on jsonencode({...}) and heredoc JSON policies and on ' +
    'data "aws_iam_policy_document" (followed from the policy when it is in the same file). Only the action ' +
    'values change; the result is re-parsed before committing. This changes identity: a human always approves ' +
    'it. Verify with check_terraform (check wildcard_iam) on the branch.',
  kind: 'action',
  effects: ['modifies_code', 'touches_identity'],
  input: NarrowIamPolicyInputSchema,
  output: TerraformChangeOutputSchema,
  async run(input, context) {
    return commitTerraformEdit('narrow_iam_policy', input, context, (text) =>
      narrowIamActions({
        text,
        path: input.path,
        resource: input.resource,
        actions: input.actions,
        statement: input.statement,
      }),
    );
  },
});
