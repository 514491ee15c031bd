import { z } from 'zod';

/** Roles of API tokens, from least to most trusted. */
export const RoleSchema = z.enum(['viewer', 'analyst', 'approver', 'admin']);
export type Role = z.infer<typeof RoleSchema>;

const RANK: Record<Role, number> = { viewer: 0, analyst: 1, approver: 2, admin: 3 };

/**
 * Whether a token's role may do what needs `required`. Roles are ordered: an analyst can do
 * what a viewer can, an approver what an analyst can, an admin everything.
 */
export function roleAllows(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

export const ApiTokenSchema = z.object({
  id: z.string(),
  name: z.string().min(1).max(200),
  role: RoleSchema,
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;
