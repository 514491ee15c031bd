import fs from 'node:fs';
import path from 'node:path';
import type { Asset } from '../../domain/asset.ts';
import { type CodeownersFile, parseCodeowners } from '../../prioritize/codeowners.ts';

/** Where GitHub looks for CODEOWNERS, in its order of precedence. */
const LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];
const MAX_BYTES = 3 * 1024 * 1024; // GitHub ignores CODEOWNERS files larger than 3 MB

/**
 * Reads the CODEOWNERS file of a repository asset whose inventory entry names a local checkout
 * (`attributes.checkoutPath`). Cached per asset for one prioritization run; other assets have none.
 */
export function codeownersLoader(): (asset: Asset) => CodeownersFile | undefined {
  const cache = new Map<string, CodeownersFile | undefined>();
  return (asset) => {
    if (asset.kind !== 'repository') return undefined;
    if (cache.has(asset.id)) return cache.get(asset.id);
    const checkout = asset.attributes.checkoutPath;
    let file: CodeownersFile | undefined;
    if (typeof checkout === 'string') {
      for (const location of LOCATIONS) {
        const candidate = path.join(checkout, location);
        if (fs.existsSync(candidate) && fs.statSync(candidate).size <= MAX_BYTES) {
          file = parseCodeowners(fs.readFileSync(candidate, 'utf8'));
          break;
        }
      }
    }
    cache.set(asset.id, file);
    return file;
  };
}
