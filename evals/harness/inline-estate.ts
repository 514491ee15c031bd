import crypto from 'node:crypto';
import type { Advisory } from '../../src/domain/advisory.ts';
import type { Asset } from '../../src/domain/asset.ts';
import type { Control } from '../../src/domain/control.ts';
import type { ExposureDetail } from '../../src/domain/exposure-detail.ts';
import type { ExposureContext } from '../../src/domain/priority.ts';
import type { Mitigation } from '../../src/domain/remediation.ts';
import { assessCoverage } from '../../src/prioritize/controls/assess-coverage.ts';
import { isInScope } from '../../src/prioritize/controls/eligibility.ts';
import type { ControlPlane, EstateReader, Forge, Notifier, TicketDesk, ToolContext } from '../../tools/context.ts';
import type { ActionLedger } from '../../tools/run-tool.ts';
import { type CaseExposure, exposureTitle, type InlineEntities, InlineEntitiesSchema } from './case-entities.ts';

/** What an estate double saw being done to the outside world: any entry is an action that really ran. */
export type RecordedAction = { port: string; detail: unknown };

export type InlineEstateDouble = {
  reader: EstateReader;
  controlPlane: ControlPlane;
  tickets: TicketDesk;
  forge: Forge;
  notifier: Notifier;
  ledger: ActionLedger;
  /** Every action that reached a port (tickets, forge, notifier, control plane). */
  actions: RecordedAction[];
  /** The current state, after mitigations: for the suites' own assertions. */
  asset(id: string): Asset | undefined;
  control(id: string): Control | undefined;
};

const notInCases = (method: string) => async () => {
  throw new Error(`reader.${method} is not available to evaluation cases (they carry inline entities only)`);
};

/**
 * An estate over inline entities, with the same semantics the database gives the tools: advisories
 * found by id or alias, controls in scope of an asset, the deterministic controls engine on an
 * exposure, and the demo control plane (a virtual patch is a rule added to a WAF, which then
 * counts as verified; a quarantine moves the asset to the isolated quarantine segment; rollback
 * restores what was replaced). Everything happens on the case's clock: the database control plane
 * stamps a patched WAF with the database's now(), which a case judged at the fixed evaluation
 * clock would read as stale or from the future. No database to boot, so a case costs milliseconds.
 */
export function inlineEstate(input: InlineEntities, options: { now: Date; freshnessDays: number }): InlineEstateDouble {
  const estate = InlineEntitiesSchema.parse(input);
  const assets = new Map(estate.assets.map((a) => [a.id, structuredClone(a)]));
  const controls = new Map(estate.controls.map((c) => [c.id, structuredClone(c)]));
  const exposures = new Map(estate.exposures.map((e) => [e.id, e]));
  const mitigations = new Map<string, Mitigation & { previous: Record<string, unknown> }>();
  const byKey = new Map<string, string>();
  const actions: RecordedAction[] = [];
  const { now } = options;

  const advisoryOf = (id: string | null | undefined): Advisory | null => {
    if (!id) return null;
    const upper = id.toUpperCase();
    return (
      estate.advisories.find(
        (a) => a.id.toUpperCase() === upper || a.aliases.some((alias) => alias.toUpperCase() === upper),
      ) ?? null
    );
  };
  const assetOf = (exposure: CaseExposure): Asset => {
    const asset = assets.get(exposure.assetId);
    if (!asset) throw new Error(`exposure ${exposure.id}: assetId "${exposure.assetId}" is not an asset of the case`);
    return asset;
  };
  const inScope = (asset: Asset) => [...controls.values()].filter((c) => isInScope(c, asset));

  const contextOf = (exposure: CaseExposure): ExposureContext => {
    const advisory = advisoryOf(exposure.advisoryId ?? exposure.vulnerabilityId);
    return {
      exposureId: exposure.id,
      kind: exposure.kind,
      vulnerabilityId: exposure.vulnerabilityId,
      aliases: advisory ? [advisory.id, ...advisory.aliases] : [],
      component: exposure.component ?? null,
      location: exposure.findings.find((f) => f.location)?.location ?? null,
      severity: exposure.severity,
      cvssVector: advisory?.cvssVector ?? null,
      cvssScore: advisory?.cvssScore ?? null,
      cwes: [...new Set([...(advisory?.cwes ?? []), ...exposure.findings.flatMap((f) => f.cwes)])],
      epss: advisory?.epss ? { score: advisory.epss.score, percentile: advisory.epss.percentile } : null,
      kev: advisory?.kev ? { dateAdded: advisory.kev.dateAdded, ransomware: advisory.kev.ransomware } : null,
      publicExploit: Boolean(advisory?.references.some((r) => r.type === 'EXPLOIT')),
      openedAt: now,
    };
  };

  const detailOf = (exposure: CaseExposure): ExposureDetail => {
    const asset = assetOf(exposure);
    const advisory = advisoryOf(exposure.advisoryId ?? exposure.vulnerabilityId);
    return {
      exposure: {
        id: exposure.id,
        correlationKey: [exposure.assetId, exposure.kind, exposure.vulnerabilityId, exposure.component ?? ''].join('|'),
        assetId: exposure.assetId,
        advisoryId: advisory?.id ?? exposure.advisoryId ?? null,
        vulnerabilityId: exposure.vulnerabilityId,
        kind: exposure.kind,
        component: exposure.component ?? null,
        ecosystem: exposure.ecosystem ?? null,
        title: exposureTitle(exposure),
        severity: exposure.severity,
        state: exposure.state,
        riskScore: null,
        riskFactors: [],
        ssvcDecision: null,
        slaDueAt: null,
        owner: exposure.owner ?? asset.owner ?? null,
        team: exposure.team ?? asset.team ?? null,
        coverage: 'none',
        reachable: 'open',
        reopenCount: 0,
        firstSeenAt: now,
        lastSeenAt: now,
        openedAt: now,
      },
      asset,
      advisory,
      findings: exposure.findings.map((f, i) => {
        const ruleId = f.ruleId ?? exposure.vulnerabilityId;
        return {
          fingerprint: crypto.createHash('sha256').update(`${exposure.id}:${i}:${ruleId}`).digest('hex').slice(0, 32),
          sourceTool: f.sourceTool,
          ruleId,
          packageName: f.packageName ?? null,
          packageVersion: f.packageVersion ?? null,
          fixedVersions: f.fixedVersions,
          location: f.location ?? null,
          state: f.state,
          lastSeenAt: now,
        };
      }),
      coverageEvidence: [],
    };
  };

  const known: Partial<EstateReader> = {
    getExposure: async (id) => {
      const exposure = exposures.get(id);
      return exposure ? detailOf(exposure) : null;
    },
    getAsset: async (id) => assets.get(id) ?? null,
    getAdvisory: async (id) => advisoryOf(id),
    controlsForAsset: async (assetId) => {
      const asset = assets.get(assetId);
      return asset ? inScope(asset) : [];
    },
    assessCoverage: async (exposureId) => {
      const exposure = exposures.get(exposureId);
      if (!exposure) return null;
      const asset = assetOf(exposure);
      return assessCoverage({
        context: contextOf(exposure),
        asset,
        controls: inScope(asset),
        now,
        freshnessDays: options.freshnessDays,
      });
    },
  };
  // The reader port grows with the service; a case only ever needs the reads above, and any other
  // read fails loudly, naming itself.
  const reader = new Proxy(known, {
    get: (target, name) => {
      if (name in target) return target[name as keyof EstateReader];
      return typeof name === 'symbol' || name === 'then' ? undefined : notInCases(name);
    },
  }) as EstateReader;

  const mitigationId = (key: string) => `mit_${crypto.createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  const publicView = ({ previous: _previous, ...mitigation }: Mitigation & { previous: unknown }): Mitigation =>
    structuredClone(mitigation);

  /** Records the action; a key seen before answers with its mitigation, a new one makes (and keeps) one. */
  const mitigateOnce = (
    port: string,
    request: unknown,
    key: string,
    make: (id: string) => Mitigation & { previous: Record<string, unknown> },
  ): Mitigation => {
    actions.push({ port, detail: request });
    const existing = byKey.get(key);
    if (existing) return publicView(mitigations.get(existing)!);
    const id = mitigationId(key);
    mitigations.set(id, make(id));
    byKey.set(key, id);
    return publicView(mitigations.get(id)!);
  };

  const controlPlane: ControlPlane = {
    async applyVirtualPatch(request, key) {
      return mitigateOnce('controlPlane.applyVirtualPatch', request, key, (id) => {
        const control = controls.get(request.controlId);
        if (!control) throw new Error(`no control "${request.controlId}"`);
        if (control.kind !== 'waf') throw new Error(`control ${request.controlId} is a ${control.kind}, not a WAF`);
        const rule = {
          id: `mobilize-${id}`,
          name: 'Mobilize virtual patch (simulated)',
          cves: request.cves,
          enabled: true,
        };
        control.rules.push({ ...rule, cwes: [], capabilities: [] });
        control.lastVerifiedAt = now;
        return {
          id,
          kind: 'waf_virtual_patch',
          controlId: control.id,
          assetId: null,
          exposureIds: request.exposureIds,
          planId: request.planId,
          details: { rule },
          state: 'active',
          simulated: true,
          previous: {},
        };
      });
    },
    async quarantine(request, key) {
      return mitigateOnce('controlPlane.quarantine', request, key, (id) => {
        const asset = assets.get(request.assetId);
        if (!asset) throw new Error(`no asset "${request.assetId}"`);
        const previous = { network: asset.network ?? null, internetExposure: asset.internetExposure };
        asset.network = 'quarantine';
        asset.internetExposure = 'isolated';
        return {
          id,
          kind: 'quarantine',
          controlId: null,
          assetId: asset.id,
          exposureIds: request.exposureIds,
          planId: request.planId,
          details: { network: 'quarantine' },
          state: 'active',
          simulated: true,
          previous,
        };
      });
    },
    async rollback(id) {
      actions.push({ port: 'controlPlane.rollback', detail: { id } });
      const mitigation = mitigations.get(id);
      if (!mitigation) throw new Error(`no mitigation "${id}"`);
      if (mitigation.state === 'active') {
        if (mitigation.kind === 'waf_virtual_patch' && mitigation.controlId) {
          const control = controls.get(mitigation.controlId)!;
          const ruleId = (mitigation.details.rule as { id: string }).id;
          control.rules = control.rules.filter((r) => r.id !== ruleId);
        }
        if (mitigation.kind === 'quarantine' && mitigation.assetId) {
          const asset = assets.get(mitigation.assetId)!;
          asset.network = (mitigation.previous.network as string | null) ?? null;
          asset.internetExposure = mitigation.previous.internetExposure as Asset['internetExposure'];
        }
        mitigation.state = 'rolled_back';
      }
      return publicView(mitigation);
    },
    getMitigation: async (id) => {
      const mitigation = mitigations.get(id);
      return mitigation ? publicView(mitigation) : null;
    },
  };

  const refuse = (port: string) => async (detail: unknown) => {
    actions.push({ port, detail });
    throw new Error(`${port} is not reachable from evaluation cases`);
  };
  const tickets: TicketDesk = { create: refuse('tickets.create') };
  const forge: Forge = {
    openChangeRequest: refuse('forge.openChangeRequest'),
    closeChangeRequest: refuse('forge.closeChangeRequest'),
  };
  const notifier: Notifier = { notify: refuse('notifier.notify') };

  const ledger = inMemoryLedger();
  return {
    reader,
    controlPlane,
    tickets,
    forge,
    notifier,
    ledger,
    actions,
    asset: (id) => assets.get(id),
    control: (id) => controls.get(id),
  };
}

/** The idempotency ledger of actions, in memory: a key that succeeded replays its result. */
function inMemoryLedger(): ActionLedger {
  const entries = new Map<string, { state: 'running' | 'succeeded' | 'failed'; result?: unknown }>();
  return {
    async begin({ key }) {
      const entry = entries.get(key);
      if (entry?.state === 'succeeded') return { state: 'succeeded', result: entry.result };
      entries.set(key, { state: 'running' });
      return { state: entry ? 'retry' : 'new' };
    },
    async finish(key, outcome) {
      entries.set(key, outcome.state === 'succeeded' ? { state: 'succeeded', result: outcome.result } : outcome);
    },
  };
}

/** A ToolContext over the double, as the graph builds one (tools/context.ts). */
export function toolContextOf(
  double: InlineEstateDouble,
  options: { now: Date; dryRun?: boolean; planId?: string; idempotencyKey?: string; timeoutMs?: number },
): ToolContext {
  return {
    reader: double.reader,
    tickets: double.tickets,
    forge: double.forge,
    controlPlane: double.controlPlane,
    notifier: double.notifier,
    dryRun: options.dryRun ?? false,
    planId: options.planId,
    idempotencyKey: options.idempotencyKey,
    timeoutMs: options.timeoutMs ?? 20_000,
    now: () => options.now,
  };
}
