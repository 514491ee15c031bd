import type { z } from 'zod';
import type { KevEntrySchema } from '../../domain/intel.ts';
import { normalizeCwe, normalizeVulnId, unique } from '../common/normalize.ts';
import type { KevCatalogEntry } from './schema.ts';

type KevInput = z.input<typeof KevEntrySchema>;

/**
 * A catalog entry as our KevEntry. `knownRansomwareCampaignUse` is "Known" or "Unknown": only
 * "Known" is a yes. (`shortDescription` has no place in KevEntry; the CVE's advisory carries it.)
 */
export function mapKevEntry(entry: KevCatalogEntry, catalogVersion: string | null): KevInput {
  return {
    cveId: normalizeVulnId(entry.cveID),
    vendor: entry.vendorProject?.trim() || null,
    product: entry.product?.trim() || null,
    name: entry.vulnerabilityName?.trim() || null,
    dateAdded: entry.dateAdded,
    dueDate: entry.dueDate || null,
    requiredAction: entry.requiredAction?.trim() || null,
    ransomware: entry.knownRansomwareCampaignUse?.trim().toLowerCase() === 'known',
    notes: entry.notes?.trim() || null,
    cwes: unique((entry.cwes ?? []).map(normalizeCwe)),
    catalogVersion,
  };
}
