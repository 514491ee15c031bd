import type { z } from 'zod';
import type { AdvisorySchema } from '../../domain/advisory.ts';
import { normalizeCwe, normalizeVulnId, unique } from '../common/normalize.ts';
import { affectedPackages } from './affected.ts';
import { kevHint, pickCvss } from './metrics.ts';
import type { Cve5Container, Cve5Record } from './schema.ts';

type AdvisoryInput = z.input<typeof AdvisorySchema>;

/**
 * A published CVE record as our advisory. The CNA container is the authority; ADP containers
 * (CISA Vulnrichment) add a CVSS score where the CNA gave none, CWEs, references and the KEV mark.
 */
export function mapCve5Record(record: Cve5Record, source: string): AdvisoryInput {
  const { cna, adp = [] } = record.containers;
  const containers = [cna, ...adp];
  const cvss = pickCvss(containers);
  const kev = kevHint(adp);
  const cnaAffected = affectedPackages(cna.affected ?? []);
  const references = referencesOf(containers);
  const id = record.cveMetadata.cveId;
  return {
    id,
    source,
    aliases: githubAdvisoryIds([cna.source?.advisory, ...references.map((ref) => ref.url)]).filter(
      (alias) => alias !== id,
    ),
    title: cna.title?.trim() || null,
    details: englishText(cna.descriptions),
    severity: cvss.severity,
    cvssVector: cvss.vector,
    cvssScore: cvss.score,
    cwes: cwesOf(containers),
    affected: cnaAffected.length ? cnaAffected : affectedPackages(adp.flatMap((container) => container.affected ?? [])),
    references,
    publishedAt: utcTimestamp(record.cveMetadata.datePublished),
    modifiedAt: utcTimestamp(record.cveMetadata.dateUpdated),
    withdrawnAt: null,
    // The ADP states only the date; the due date, action and ransomware use come with the KEV catalog itself.
    kev: kev ? { dateAdded: kev.dateAdded, dueDate: null, requiredAction: null, ransomware: false } : null,
  };
}

/** The English description (`en`, `en-US`, ...), else the first one. */
export function englishText(descriptions: readonly { lang: string; value: string }[] | undefined): string | null {
  const english = descriptions?.find((d) => /^en\b/i.test(d.lang)) ?? descriptions?.[0];
  return english?.value.trim() || null;
}

/** `cweId`, or a description that starts with one ("CWE-79: ..."); "n/a" and plain text are not CWEs. */
function cwesOf(containers: readonly Cve5Container[]): string[] {
  const ids = containers.flatMap((container) =>
    (container.problemTypes ?? []).flatMap((problem) =>
      problem.descriptions.map((d) =>
        /^CWE-\d+$/i.test(d.cweId?.trim() ?? '')
          ? normalizeCwe(d.cweId)
          : /^CWE-\d+/i.test(d.description?.trim() ?? '')
            ? normalizeCwe(d.description)
            : null,
      ),
    ),
  );
  return unique(ids);
}

/** References of every container, once per URL; the type is the first standard tag (not `x_...`). */
function referencesOf(containers: readonly Cve5Container[]): { type?: string; url: string }[] {
  const byUrl = new Map<string, { type?: string; url: string }>();
  for (const ref of containers.flatMap((container) => container.references ?? [])) {
    if (byUrl.has(ref.url)) continue;
    const type = ref.tags?.find((tag) => !tag.startsWith('x_'));
    byUrl.set(ref.url, type ? { type, url: ref.url } : { url: ref.url });
  }
  return [...byUrl.values()];
}

const GHSA = /^GHSA(?:-[a-z0-9]{4}){3}$/i;
const GHSA_URL = /github\.com\/(?:[^/]+\/[^/]+\/security\/)?advisories\/(GHSA(?:-[a-z0-9]{4}){3})\b/i;

/**
 * GitHub advisory ids the record states: the GitHub CNA's `source.advisory`, and reference URLs
 * (`github.com/advisories/GHSA-...`, a repository's `/security/advisories/GHSA-...`). The same id
 * names the advisory in GitHub's database, so it links this CVE to its GHSA record.
 */
function githubAdvisoryIds(candidates: readonly (string | undefined)[]): string[] {
  const ids = candidates.map((text) => (text && GHSA.test(text.trim()) ? text.trim() : GHSA_URL.exec(text ?? '')?.[1]));
  return unique(ids.map((id) => (id ? normalizeVulnId(id) : null)));
}

/** CVE timestamps are UTC; some older records omit the zone ("2021-12-14T16:55:09"). */
function utcTimestamp(value: string | undefined): string | null {
  if (!value?.trim()) return null;
  const trimmed = value.trim();
  return /(?:Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) || !trimmed.includes('T') ? trimmed : `${trimmed}Z`;
}
