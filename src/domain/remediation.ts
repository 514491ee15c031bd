import { z } from 'zod';

/** A change request for a plan's branch: a GitHub pull request, or one recorded by the local forge. */
export const ChangeRequestSchema = z.object({
  id: z.string(),
  system: z.enum(['github', 'local']),
  externalId: z.string().nullable(),
  url: z.string().nullable(),
  assetId: z.string(),
  planId: z.string().nullable(),
  branch: z.string(),
  base: z.string(),
  title: z.string(),
  state: z.enum(['open', 'merged', 'closed']),
});
export type ChangeRequest = z.infer<typeof ChangeRequestSchema>;

export const NewChangeRequestSchema = z.object({
  assetId: z.string().min(1),
  /** The repository's URL from the inventory (a github.com URL selects the GitHub forge when configured). */
  repositoryUrl: z.string().nullable(),
  branch: z.string().min(1),
  base: z.string().min(1),
  title: z.string().min(1).max(300),
  body: z.string().max(60_000),
  planId: z.string().nullable(),
  /** The local working copy holding the branch: pushed to its `origin` before a pull request is opened. */
  checkoutPath: z.string().nullish(),
});
export type NewChangeRequest = z.infer<typeof NewChangeRequestSchema>;

/** A temporary mitigation on the demo estate's simulated control plane (clearly labelled as such). */
export const MitigationSchema = z.object({
  id: z.string(),
  kind: z.enum(['waf_virtual_patch', 'quarantine']),
  controlId: z.string().nullable(),
  assetId: z.string().nullable(),
  exposureIds: z.array(z.string()),
  planId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  state: z.enum(['active', 'rolled_back']),
  simulated: z.literal(true),
});
export type Mitigation = z.infer<typeof MitigationSchema>;
