import { z } from 'zod';
import { ServiceError } from '../domain/errors.ts';

/**
 * A computed change to one project's manifest, whatever the ecosystem: the files before and after and
 * what the change means. The npm editor's ManifestEdit is this shape with a narrower `section`.
 */
export const DependencyEditSchema = z.object({
  /** Paths relative to the manifest's folder (the tool joins them with it). */
  files: z.array(z.object({ path: z.string(), before: z.string(), after: z.string() })),
  /** The package is declared by the project itself (not only pulled in by another package). */
  direct: z.boolean(),
  /** Where the change went: `requirements.txt`, `project.dependencies`, `properties`, `dependencyManagement`... */
  section: z.string(),
  previousSpec: z.string().nullable(),
  /** The lowest version the previous spec admitted, when it is readable: a target below it is a downgrade. */
  previousVersion: z.string().nullable(),
  newSpec: z.string(),
  /** `regenerate`: a lockfile next to the manifest still pins an older version; we never edit lockfiles. */
  lockfile: z.enum(['absent', 'regenerate', 'unchanged']),
  /** The lockfile that must be regenerated (or null), and how, for the commit message. */
  lockfileName: z.string().nullable(),
  /** Things a reviewer must know (a shared version property moves other artifacts too, ...). */
  notes: z.array(z.string()),
});
export type DependencyEdit = z.infer<typeof DependencyEditSchema>;

/**
 * The manifest cannot be changed automatically as asked: it is malformed, declares the package in a
 * way only a person should change (a URL, a local path, a replace directive), or the target falls
 * outside what it allows. The tools turn it into a tool error with the message as the hint.
 */
export class ManifestEditError extends ServiceError {
  constructor(message: string, cause?: unknown) {
    super('MANIFEST_EDIT_UNSUPPORTED', message, { status: 422, cause });
  }
}

/** The layout habits of a text file an edit must keep: its line break. */
export function newlineOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Offset of the start of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Whitespace that starts the line holding `offset`. */
export function indentAt(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}
