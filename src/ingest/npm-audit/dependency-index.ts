import type { NpmVulnerabilityEntry } from './schema.ts';

/** What the first pass keeps of each npm 7+ `vulnerabilities` entry: enough to walk the tree. */
type EntrySummary = { isDirect: boolean; effects: string[]; hasAdvisory: boolean; viaNames: string[] };

/**
 * The npm 7+ report's dependency graph, reduced to names. npm lists an advisory only on the
 * package that has it and marks its dependents with `via: [name]`; this index lets a finding
 * say which direct dependencies pull the vulnerable package in, and lets the parser tell a
 * transitive-only entry whose advisories are reported elsewhere from one that leads nowhere.
 */
export class DependencyIndex {
  readonly #entries = new Map<string, EntrySummary>();

  add(name: string, entry: NpmVulnerabilityEntry): void {
    this.#entries.set(name, {
      isDirect: entry.isDirect === true,
      effects: entry.effects ?? [],
      hasAdvisory: entry.via.some((via) => typeof via !== 'string'),
      viaNames: entry.via.filter((via): via is string => typeof via === 'string'),
    });
  }

  /** The direct dependencies through which `name` is installed, nearest first; `name` itself if direct. */
  directDependents(name: string): string[] {
    const found: string[] = [];
    const seen = new Set<string>();
    const queue = [name];
    while (queue.length) {
      const current = queue.shift()!;
      if (seen.has(current)) continue;
      seen.add(current);
      const entry = this.#entries.get(current);
      if (!entry) continue;
      if (entry.isDirect) found.push(current);
      queue.push(...entry.effects);
    }
    return found;
  }

  /** The packages with advisories that `name` depends on, following `via` names to the leaves. */
  advisoryPackagesBelow(name: string): string[] {
    const found: string[] = [];
    const seen = new Set<string>([name]);
    const queue = [...(this.#entries.get(name)?.viaNames ?? [])];
    while (queue.length) {
      const current = queue.shift()!;
      if (seen.has(current)) continue;
      seen.add(current);
      const entry = this.#entries.get(current);
      if (!entry) continue;
      if (entry.hasAdvisory) found.push(current);
      queue.push(...entry.viaNames);
    }
    return found;
  }
}
