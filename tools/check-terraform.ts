import { z } from 'zod';
import { checkoutAt } from '../src/remediate/checkout.ts';
import { readFileAt } from '../src/remediate/git.ts';
import {
  checkTerraform as checkTerraformFiles,
  type TerraformCheck,
  TerraformCheckKindSchema,
  TerraformCheckSchema,
  type TerraformFile,
} from '../src/remediate/terraform/check-terraform.ts';
import { TerraformEditError } from '../src/remediate/terraform/errors.ts';
import { ResourceAddressSchema, TerraformPathSchema } from './change-terraform.ts';
import { checkRefSchema } from './check-ref.ts';
import { defineTool, toolError } from './define-tool.ts';

export const CheckTerraformInputSchema = z.object({
  assetId: z
    .string()
    .min(1)
    .max(200)
    .describe('id of the repository asset holding the Terraform (from get_exposure or get_asset)'),
  ref: checkRefSchema('change_terraform'),
  path: TerraformPathSchema.describe('the .tf file to re-parse, relative to the repository root'),
  paths: z
    .array(TerraformPathSchema)
    .max(50)
    .default([])
    .describe('more .tf files read with it, e.g. where rules attached to the security group live'),
  check: TerraformCheckKindSchema.describe(
    'open_ingress: ingress open to 0.0.0.0/0 or ::/0 on a sensitive port; public_bucket: an aws_s3_bucket ' +
      'without a public access block setting all four flags; wildcard_iam: an Allow statement granting "*" or "service:*"',
  ),
  resource: ResourceAddressSchema.optional().describe(
    'only this resource, e.g. aws_security_group.web (with its attached rules); every resource when omitted',
  ),
});

export const CheckTerraformOutputSchema = TerraformCheckSchema.extend({
  ref: z.string(),
  /** The commit the ref named when checked: the evidence is about exactly this commit. */
  commit: z.string(),
});
export type CheckTerraformOutput = z.infer<typeof CheckTerraformOutputSchema>;

export const checkTerraform = defineTool({
  name: 'check_terraform',
  description:
    "Re-parse Terraform files of a repository at a ref (HEAD or a branch) with HashiCorp's HCL parser and " +
    'look for one misconfiguration. status "resolved": none is left; "affected": findings name each resource ' +
    'and why. Use it on the branch after change_terraform or narrow_iam_policy, and on HEAD to confirm the problem.',
  kind: 'read',
  input: CheckTerraformInputSchema,
  output: CheckTerraformOutputSchema,
  async run(input, context) {
    const { timeoutMs } = context;
    const checkout = await checkoutAt(
      await context.reader.getAsset(input.assetId),
      input.assetId,
      input.ref,
      timeoutMs,
    );
    if ('problem' in checkout) return toolError(checkout.problem);
    const { commit } = checkout;
    const files: TerraformFile[] = [];
    for (const file of [...new Set([input.path, ...input.paths])]) {
      const text = await readFileAt(checkout.dir, commit, file, timeoutMs);
      if (text === null)
        return toolError(`No ${file} at ${input.ref}. Pass the path of the .tf file declaring the resource.`);
      files.push({ path: file, text });
    }
    let result: TerraformCheck;
    try {
      result = await checkTerraformFiles(files, input.check, input.resource);
    } catch (error) {
      // The repository's own files are malformed, or the resource is not where the caller said.
      if (error instanceof TerraformEditError) return toolError(`Cannot check at ${input.ref}: ${error.message}.`);
      throw error;
    }
    return { ...result, ref: input.ref, commit };
  },
});
