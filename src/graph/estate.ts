import type { EstateReader } from '../../tools/context.ts';
import type { Database } from '../db/database.ts';
import { createEstateReader } from '../db/repositories/estate-reader.ts';
import { assessCoverage } from '../prioritize/controls/assess-coverage.ts';
import { isInScope } from '../prioritize/controls/eligibility.ts';
import type { Policy } from '../prioritize/policy.ts';
import { loadControls, loadExposurePage } from '../services/prioritize/load-context.ts';

/** The tools' view of the estate: database reads plus the deterministic controls engine. */
export function createEstate(db: Database, policy: Policy, now: () => Date = () => new Date()): EstateReader {
  return {
    ...createEstateReader(db),
    async assessCoverage(exposureId) {
      const [item] = await loadExposurePage(db, { after: '', limit: 1, ids: [exposureId], anyState: true });
      if (!item) return null;
      const controls = (await loadControls(db)).filter((c) => isInScope(c, item.asset));
      return assessCoverage({
        context: item.context,
        asset: item.asset,
        controls,
        now: now(),
        freshnessDays: policy.controls.freshnessDays,
      });
    },
  };
}
