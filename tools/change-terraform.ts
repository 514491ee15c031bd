import path from 'node:path';
import { z } from 'zod';
import { checkoutOf } from '../src/remediate/checkout.ts';
import { BRANCH_PATTERN, isSafeRelativePath, readFileAt, resolveCommit } from '../src/remediate/git.ts';
import { unifiedDiff } from '../src/remediate/npm/manifest-edit.ts';
import { blockPublicAccess } from '../src/remediate/terraform/block-public-access.ts';
import { TerraformCheckSchema, type TerraformEdit } from '../src/remediate/terraform/check-terraform.ts';
import { TerraformEditError } from '../src/remediate/terraform/errors.ts';
import { RESOURCE_ADDRESS } from '../src/remediate/terraform/hcl-spans.ts';
import { isNarrowCidr, restrictIngress } from '../src/remediate/terraform/restrict-ingress.ts';
import { commitChange } from './commit-change.ts';
import type { ToolContext } from './context.ts';
import { defineTool, type ToolFailure, toolError } from './define-tool.ts';

/** A Terraform file as the model gives it: relative to the repository root, inside it, ending in .tf. */
export const TerraformPathSchema = z
  .string()
  .max(500)
  .refine(isSafeRelativePath, 'must be a relative path inside the repository, without ".."')
  .refine((file) => path.posix.extname(file) === '.tf', 'must name a .tf file');

/** A resource address in the file: aws_security_group.web, data.aws_iam_policy_document.x (no module path, no index). */
export const ResourceAddressSchema = z
  .string()
  .max(300)
  .regex(RESOURCE_ADDRESS, 'must be a resource address such as aws_security_group.web (no module. prefix, no [index])');

export const TerraformBranchSchema = z
  .string()
  .regex(BRANCH_PATTERN, 'must look like mobilize/<name> using letters, digits, . _ -')
  .max(200)
  .describe('new branch to commit the change on, e.g. mobilize/plan-42; it must not exist yet');

export const TerraformMessageSchema = z
  .string()
  .min(1)
  .max(2000)
  .describe('commit message: first line a summary (e.g. "Restrict SSH on aws_security_group.web"), then why');

/** CIDRs that narrow access: never 0.0.0.0/0 or ::/0 (or any /0). */
export const AllowedCidrsSchema = z
  .array(z.string().max(64).refine(isNarrowCidr, 'must be an IPv4 or IPv6 CIDR narrower than /0, e.g. 10.0.0.0/8'))
  .min(1)
  .max(50);

const DEFAULT_ALLOWED_CIDRS = ['10.0.0.0/8'];

export const ChangeTerraformInputSchema = z.object({
  assetId: z
    .string()
    .min(1)
    .max(200)
    .describe('id of the repository asset holding the Terraform (from get_exposure or get_asset)'),
  path: TerraformPathSchema.describe('the .tf file to change, relative to the repository root, e.g. infra/network.tf'),
  operation: z
    .enum(['restrict_ingress', 'block_public_access'])
    .describe(
      'restrict_ingress: narrow ingress open to 0.0.0.0/0 or ::/0 on sensitive ports (SSH, RDP, databases...) ' +
        'to allowedCidrs; block_public_access: give an aws_s3_bucket a public access block with all four flags true',
    ),
  resource: ResourceAddressSchema.describe(
    'restrict_ingress: aws_security_group.<name> (its inline ingress and the rule resources attached to it in ' +
      'the file), aws_security_group_rule.<name> or aws_vpc_security_group_ingress_rule.<name>; ' +
      'block_public_access: aws_s3_bucket.<name>',
  ),
  allowedCidrs: AllowedCidrsSchema.optional().describe(
    "restrict_ingress only: the sources to allow instead of the internet. Default: the repository asset's " +
      'attributes.allowedCidrs, else ["10.0.0.0/8"]',
  ),
  branch: TerraformBranchSchema,
  message: TerraformMessageSchema,
});

export const TerraformChangeOutputSchema = z.object({
  branch: z.string(),
  /** Null on a dry run: nothing was committed. */
  commit: z.string().nullable(),
  created: z.boolean(),
  diff: z.string(),
  files: z.array(z.string()),
  /** One line per change made, e.g. `aws_security_group.web ingress #1 (line 16): cidr_blocks "0.0.0.0/0" -> "10.0.0.0/8"`. */
  changes: z.array(z.string()),
  /** The re-parse of the changed file: the proof the finding is gone from it. */
  check: TerraformCheckSchema,
});
export type TerraformChangeOutput = z.infer<typeof TerraformChangeOutputSchema>;

const HINTS: Record<TerraformEditError['reason'], string> = {
  invalid: 'Fix the file or the arguments first.',
  not_found: 'Check the resource address and the path (get_asset shows where the resource is declared).',
  unsupported: 'Change it by hand: create a ticket for the owner.',
  no_change: 'Nothing to commit; verify with check_terraform on HEAD.',
  ambiguous: 'Say which statement to change.',
};

/**
 * The common path of the Terraform action tools: read the file at HEAD of the repository's checkout,
 * compute (and verify) the edit, return the diff on a dry run, else commit it on the new branch.
 * Caller mistakes come back as tool errors with a hint; our own faults throw.
 */
export async function commitTerraformEdit(
  tool: string,
  input: { assetId: string; path: string; branch: string; message: string },
  context: ToolContext,
  edit: (text: string, attributes: Record<string, unknown>) => Promise<TerraformEdit>,
): Promise<TerraformChangeOutput | ToolFailure> {
  const { timeoutMs } = context;
  const asset = await context.reader.getAsset(input.assetId);
  const checkout = await checkoutOf(asset, input.assetId, timeoutMs);
  if ('problem' in checkout) return toolError(checkout.problem);
  const repoDir = checkout.dir;
  const base = await resolveCommit(repoDir, 'HEAD', timeoutMs);
  if (!base) return toolError(`The checkout of "${input.assetId}" has no commit yet; nothing to branch from.`);
  const text = await readFileAt(repoDir, base, input.path, timeoutMs);
  if (text === null) {
    return toolError(
      `No ${input.path} at HEAD of "${input.assetId}". Pass the path of the .tf file declaring the resource.`,
    );
  }
  let result: TerraformEdit;
  try {
    result = await edit(text, asset?.attributes ?? {});
  } catch (error) {
    if (error instanceof TerraformEditError) return toolError(`${error.message}. ${HINTS[error.reason]}`);
    throw error;
  }
  const diff = unifiedDiff(input.path, result.before, result.after);
  const summary = { diff, files: [input.path], changes: result.changes, check: result.check };
  return commitChange(
    tool,
    {
      repoDir,
      branch: input.branch,
      base,
      files: [{ path: input.path, content: result.after }],
      message: input.message,
      summary,
    },
    context,
  );
}

export const changeTerraform = defineTool({
  name: 'change_terraform',
  description:
    'Fix a cloud misconfiguration in Terraform on a new mobilize/* branch. restrict_ingress: ingress open to the ' +
    'internet on a sensitive port (22, 3389, 3306, 5432, 1433, 1521, 6379, 9200, 27017, 5984, 11211, 2375, 2379) ' +
    'is narrowed to allowedCidrs; other rules stay. block_public_access: an aws_s3_bucket gets an ' +
    'aws_s3_bucket_public_access_block with all four flags true (added, or its false flags flipped). Only the ' +
    'needed lines change; the result is re-parsed before committing, without touching the checked-out working ' +
    'copy. Returns the diff. Verify with check_terraform on the branch.',
  kind: 'action',
  effects: ['modifies_code'],
  input: ChangeTerraformInputSchema,
  output: TerraformChangeOutputSchema,
  async run(input, context) {
    return commitTerraformEdit('change_terraform', input, context, async (text, attributes) => {
      if (input.operation === 'block_public_access') {
        return blockPublicAccess({ text, path: input.path, resource: input.resource });
      }
      let allowedCidrs = input.allowedCidrs;
      if (!allowedCidrs && attributes.allowedCidrs !== undefined) {
        const parsed = AllowedCidrsSchema.safeParse(attributes.allowedCidrs);
        if (!parsed.success) {
          throw new TerraformEditError(
            'invalid',
            `the attributes.allowedCidrs of "${input.assetId}" are not narrow CIDRs (${JSON.stringify(attributes.allowedCidrs)}); ` +
              'pass allowedCidrs explicitly',
          );
        }
        allowedCidrs = parsed.data;
      }
      return restrictIngress({
        text,
        path: input.path,
        resource: input.resource,
        allowedCidrs: allowedCidrs ?? DEFAULT_ALLOWED_CIDRS,
      });
    });
  },
});
