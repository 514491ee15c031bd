import type { Forge, Notifier } from '../../tools/context.ts';
import type { Database } from '../db/database.ts';
import { recordChangeRequest } from '../db/repositories/change-requests-store.ts';

/**
 * The local forge: a change request is the plan's branch in the repository's working copy,
 * recorded so people (and the API) can find it. Used for the demo and without a configured forge.
 */
export function createLocalForge(db: Database): Forge {
  return {
    openChangeRequest: (request, key) => recordChangeRequest(db, { ...request, system: 'local' }, key),
  };
}

/** No notification channel configured: says so instead of pretending to deliver. */
export const noNotifier: Notifier = {
  notify: async () => ({ system: 'none', delivered: false }),
};
