import type { Queryable } from '../db/database.ts';

/**
 * The estate's own names, so the parser can tell "payments" (a team) from "payments-api" (an
 * asset) and "lodash" (a package) from an ordinary word. Keys are lower-case.
 */
export type Vocabulary = {
  /** Team name → the team as stored; also a team's first word when only one team starts with it ("payments"). */
  teams: Map<string, string>;
  /** Owner (e-mail or name) → as stored; also the local part of an e-mail address. */
  owners: Map<string, string>;
  /** Asset id or name → asset id. */
  assets: Map<string, string>;
  /** Package name, or its last segment (log4j-core of org.apache.logging.log4j:log4j-core) → the name. */
  components: Map<string, string>;
};

export function emptyVocabulary(): Vocabulary {
  return { teams: new Map(), owners: new Map(), assets: new Map(), components: new Map() };
}

/** How many distinct names of each kind are read: enough for a large estate, bounded for memory. */
const MAX_NAMES = 50_000;

export async function loadVocabulary(db: Queryable): Promise<Vocabulary> {
  const names = async (sql: string) =>
    (await db.query<{ v: string }>(`${sql} LIMIT ${MAX_NAMES}`)).rows.map((r) => r.v).filter(Boolean);
  const vocabulary = emptyVocabulary();
  const teams = new Set([
    ...(await names('SELECT DISTINCT team AS v FROM assets WHERE team IS NOT NULL')),
    ...(await names('SELECT DISTINCT team AS v FROM exposures WHERE team IS NOT NULL')),
  ]);
  for (const team of teams) vocabulary.teams.set(team.toLowerCase(), team);
  addUniquePrefixes(
    vocabulary.teams,
    [...teams],
    (team) =>
      team
        .toLowerCase()
        .replace(/^@[^/]+\//, '')
        .split(/[-_ /]/)[0]!,
  );
  const owners = await names('SELECT DISTINCT owner AS v FROM exposures WHERE owner IS NOT NULL');
  for (const owner of owners) vocabulary.owners.set(owner.toLowerCase(), owner);
  addUniquePrefixes(vocabulary.owners, owners, (owner) => owner.toLowerCase().split('@')[0]!);
  const assets = await db.query<{ id: string; name: string }>(`SELECT id, name FROM assets LIMIT ${MAX_NAMES}`);
  for (const { id, name } of assets.rows) {
    vocabulary.assets.set(id.toLowerCase(), id);
    if (!vocabulary.assets.has(name.toLowerCase())) vocabulary.assets.set(name.toLowerCase(), id);
  }
  for (const component of await names(
    "SELECT DISTINCT component AS v FROM exposures WHERE component IS NOT NULL AND kind = 'package'",
  )) {
    const lower = component.toLowerCase();
    vocabulary.components.set(lower, component);
    const last = lower.split(/[:/]/).pop()!;
    if (last.length >= 3 && !vocabulary.components.has(last)) vocabulary.components.set(last, component);
  }
  return vocabulary;
}

/** Adds `short(name)` → name for every short form that only one name has and that is not taken. */
function addUniquePrefixes(map: Map<string, string>, names: string[], short: (name: string) => string): void {
  const counts = new Map<string, string[]>();
  for (const name of names) {
    const key = short(name);
    if (key.length >= 3) counts.set(key, [...(counts.get(key) ?? []), name]);
  }
  for (const [key, matches] of counts) {
    if (new Set(matches).size === 1 && !map.has(key)) map.set(key, matches[0]!);
  }
}
