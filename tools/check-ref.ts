import { z } from 'zod';

/** What a re-check tool reads: HEAD or a branch name (never a range, an option or a path outside refs). */
export function checkRefSchema(madeBy: string) {
  return z
    .string()
    .regex(/^(HEAD|[A-Za-z0-9_][A-Za-z0-9._/-]*)$/, 'must be HEAD or a branch name')
    .refine((ref) => !ref.includes('..') && !ref.endsWith('/'), 'must be HEAD or a branch name')
    .max(200)
    .default('HEAD')
    .describe(`what to check: HEAD (the current default branch) or a branch such as the one ${madeBy} made`);
}
