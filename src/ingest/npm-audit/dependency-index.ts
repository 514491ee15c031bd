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
    return this.#walk(
      [name],
      new Set(),
      (entry) => entry.effects,
      (entry) => entry.isDirect,
    );
  }

  /** The packages with advisories that `name` depends on, following `via` names to the leaves. */
  advisoryPackagesBelow(name: string): string[] {
    const below = this.#entries.get(name)?.viaNames ?? [];
    return this.#walk(
      below,
      new Set([name]),
      (entry) => entry.viaNames,
      (entry) => entry.hasAdvisory,
    );
  }

  /**
   * Breadth-first from `start` along `next`, visiting each package once (never those already in
   * `seen`), so cycles in the report end; returns the visited packages `keep` accepts, nearest first.
   */
  #walk(
    start: string[],
    seen: Set<string>,
    next: (entry: EntrySummary) => string[],
    keep: (entry: EntrySummary) => boolean,
  ): string[] {
    const found: string[] = [];
    const queue = [...start];
    while (queue.length) {
      const current = queue.shift()!;
      if (seen.has(current)) continue;
      seen.add(current);
      const entry = this.#entries.get(current);
      if (!entry) continue;
      if (keep(entry)) found.push(current);
      queue.push(...next(entry));
    }
    return found;
  }
}
