import type { AsffFinding } from './schema.ts';

/** A ProductFields value as text: products write their own flat string map there. */
export function productField(finding: AsffFinding, key: string): string | null {
  const value = finding.ProductFields?.[key];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

/** The first ProductFields value whose key ends with `suffix` (e.g. Inspector's `.../platform`). */
export function productFieldEndingWith(finding: AsffFinding, suffix: string): string | null {
  for (const key of Object.keys(finding.ProductFields ?? {})) {
    if (key.toLowerCase().endsWith(suffix.toLowerCase())) return productField(finding, key);
  }
  return null;
}
