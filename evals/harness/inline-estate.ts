import crypto from 'node:crypto';
import { z } from 'zod';
import type { Agent } from '../../agents/define-agent.ts';
import { type Advisory, AdvisorySchema } from '../../src/domain/advisory.ts';
import { type Asset, AssetSchema } from '../../src/domain/asset.ts';
import { SeveritySchema } from '../../src/domain/common.ts';
import { type Control, ControlSchema } from '../../src/domain/control.ts';
import { CoverageSchema, ExposureStateSchema } from '../../src/domain/exposure.ts';
import type { ExposureDetail } from '../../src/domain/exposure-detail.ts';
import { FindingKindSchema } from '../../src/domain/finding.ts';
import type { ExposureContext } from '../../src/domain/priority.ts';
import type { Mitigation } from '../../src/domain/remediation.ts';
import { type AgentRun, runAgent } from '../../src/graph/run-agent.ts';
import { assessCoverage } from '../../src/prioritize/controls/assess-coverage.ts';
import { isInScope } from '../../src/prioritize/controls/eligibility.ts';
import type { ControlPlane, EstateReader, Forge, Notifier, TicketDesk, ToolContext } from '../../tools/context.ts';
import type { AnyTool } from '../../tools/define-tool.ts';
import { type ActionLedger, runTool } from '../../tools/run-tool.ts';
import type { EvalEnv } from './suite.ts';

/** One scanner finding behind an inline exposure: what a scanner said (title, package, version, location). */
export const InlineFindingSchema = z.object({
  sourceTool: z.string().default('trivy'),
  ruleId: z.string().min(1),
  packageName: z.string().nullable().default(null),
  packageVersion: z.string().nullable().default(null),
  fixedVersions: z.array(z.string()).default([]),
  location: z.string().nullable().default(null),
});

/**
 * An exposure written inline in a case: the facts ingest and prioritization would have stored.
 * CWEs, CVSS, KEV and EPSS come from its advisory when it names one.
 */
export const InlineExposureSchema = z.object({
  id: z.string().min(1),
  assetId: z.string().min(1),
  title: z.string().min(1),
  kind: FindingKindSchema.default('package'),
  vulnerabilityId: z.string().min(1),
  advisoryId: z.string().nullable().default(null),
  component: z.string().nullable().default(null),
  ecosystem: z.string().nullable().default(null),
  severity: SeveritySchema.default('unknown'),
  cwes: z.array(z.string()).default([]),
  state: ExposureStateSchema.default('open'),
  coverage: CoverageSchema.default('none'),
  owner: z.string().nullable().default(null),
  team: z.string().nullable().default(null),
  findings: z.array(InlineFindingSchema).default([]),
});
export type InlineExposure = z.infer<typeof InlineExposureSchema>;

export const InlineEstateSchema = z.object({
  assets: z.array(AssetSchema).default([]),
  controls: z.array(ControlSchema).default([]),
  advisories: z.array(AdvisorySchema).default([]),
  exposures: z.array(InlineExposureSchema).default([]),
});
export type InlineEstate = z.input<typeof InlineEstateSchema>;

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
export function inlineEstate(input: InlineEstate, options: { now: Date; freshnessDays: number }): InlineEstateDouble {
  const estate = InlineEstateSchema.parse(input);
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
  const assetOf = (exposure: InlineExposure): Asset => {
    const asset = assets.get(exposure.assetId);
    if (!asset) throw new Error(`exposure ${exposure.id}: assetId "${exposure.assetId}" is not an asset of the case`);
    return asset;
  };
  const inScope = (asset: Asset) => [...controls.values()].filter((c) => isInScope(c, asset));

  const contextOf = (exposure: InlineExposure): ExposureContext => {
    const advisory = advisoryOf(exposure.advisoryId ?? exposure.vulnerabilityId);
    return {
      exposureId: exposure.id,
      kind: exposure.kind,
      vulnerabilityId: exposure.vulnerabilityId,
      aliases: advisory ? [advisory.id, ...advisory.aliases] : [],
      component: exposure.component,
      location: exposure.findings.find((f) => f.location)?.location ?? null,
      severity: exposure.severity,
      cvssVector: advisory?.cvssVector ?? null,
      cvssScore: advisory?.cvssScore ?? null,
      cwes: [...new Set([...(advisory?.cwes ?? []), ...exposure.cwes])],
      epss: advisory?.epss ? { score: advisory.epss.score, percentile: advisory.epss.percentile } : null,
      kev: advisory?.kev ? { dateAdded: advisory.kev.dateAdded, ransomware: advisory.kev.ransomware } : null,
      publicExploit: Boolean(advisory?.references.some((r) => r.type === 'EXPLOIT')),
      openedAt: now,
    };
  };

  const detailOf = (exposure: InlineExposure): ExposureDetail => {
    const asset = assetOf(exposure);
    const advisory = advisoryOf(exposure.advisoryId ?? exposure.vulnerabilityId);
    return {
      exposure: {
        id: exposure.id,
        correlationKey: [exposure.assetId, exposure.kind, exposure.vulnerabilityId, exposure.component ?? ''].join('|'),
        assetId: exposure.assetId,
        advisoryId: advisory?.id ?? exposure.advisoryId,
        vulnerabilityId: exposure.vulnerabilityId,
        kind: exposure.kind,
        component: exposure.component,
        ecosystem: exposure.ecosystem,
        title: exposure.title,
        severity: exposure.severity,
        state: exposure.state,
        riskScore: null,
        riskFactors: [],
        ssvcDecision: null,
        slaDueAt: null,
        owner: exposure.owner ?? asset.owner ?? null,
        team: exposure.team ?? asset.team ?? null,
        coverage: exposure.coverage,
        reachable: 'open',
        reopenCount: 0,
        firstSeenAt: now,
        lastSeenAt: now,
        openedAt: now,
      },
      asset,
      advisory,
      findings: exposure.findings.map((f, i) => ({
        fingerprint: crypto.createHash('sha256').update(`${exposure.id}:${i}:${f.ruleId}`).digest('hex').slice(0, 32),
        sourceTool: f.sourceTool,
        ruleId: f.ruleId,
        packageName: f.packageName,
        packageVersion: f.packageVersion,
        fixedVersions: f.fixedVersions,
        location: f.location,
        state: 'open',
        lastSeenAt: now,
      })),
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

  const controlPlane: ControlPlane = {
    async applyVirtualPatch(request, key) {
      actions.push({ port: 'controlPlane.applyVirtualPatch', detail: request });
      const existing = byKey.get(key);
      if (existing) return publicView(mitigations.get(existing)!);
      const control = controls.get(request.controlId);
      if (!control) throw new Error(`no control "${request.controlId}"`);
      if (control.kind !== 'waf') throw new Error(`control ${request.controlId} is a ${control.kind}, not a WAF`);
      const id = mitigationId(key);
      const rule = {
        id: `mobilize-${id}`,
        name: 'Mobilize virtual patch (simulated)',
        cves: request.cves,
        enabled: true,
      };
      control.rules.push({ ...rule, cwes: [], capabilities: [] });
      control.lastVerifiedAt = now;
      mitigations.set(id, {
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
      });
      byKey.set(key, id);
      return publicView(mitigations.get(id)!);
    },
    async quarantine(request, key) {
      actions.push({ port: 'controlPlane.quarantine', detail: request });
      const existing = byKey.get(key);
      if (existing) return publicView(mitigations.get(existing)!);
      const asset = assets.get(request.assetId);
      if (!asset) throw new Error(`no asset "${request.assetId}"`);
      const id = mitigationId(key);
      const previous = { network: asset.network ?? null, internetExposure: asset.internetExposure };
      asset.network = 'quarantine';
      asset.internetExposure = 'isolated';
      mitigations.set(id, {
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
      });
      byKey.set(key, id);
      return publicView(mitigations.get(id)!);
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
  const forge: Forge = { openChangeRequest: refuse('forge.openChangeRequest') };
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

/** Cases keep no audit log: the recorded calls below are their evidence. */
export const noAudit = async (): Promise<void> => undefined;

/** One tool call an agent made during a case, allowed or not, with what it was given. */
export type RecordedToolCall = { name: string; kind: string; args: unknown; ok: boolean; code?: string };

/**
 * Runs an agent the way the graph does (src/graph/deps.ts runAgentStep): its own allow-list
 * through the audited tool runner, reads memoized within the step, on the case's back-end.
 * Every call that reached the runner is recorded with its arguments.
 */
export async function runCaseAgent<I extends z.ZodType, O extends z.ZodType>(
  agent: Agent<I, O>,
  input: z.infer<I>,
  options: { env: EvalEnv; context: ToolContext },
): Promise<{ run: AgentRun<z.infer<O>>; calls: RecordedToolCall[] }> {
  const { env, context } = options;
  const allowed = agent.tools.map((t) => t.name);
  const calls: RecordedToolCall[] = [];
  const reads = new Map<string, ReturnType<typeof runTool>>();
  const callTool = async (tool: AnyTool, args: unknown) => {
    const once = () => runTool(tool, args, context, { allowed, actor: `agent:${agent.name}`, audit: noAudit });
    let pending: ReturnType<typeof runTool>;
    if (tool.kind === 'read') {
      const key = `${tool.name}:${JSON.stringify(args)}`;
      if (!reads.has(key)) reads.set(key, once());
      pending = reads.get(key)!;
    } else {
      pending = once();
    }
    const result = await pending;
    calls.push({ name: tool.name, kind: tool.kind, args, ok: result.ok, ...(result.ok ? {} : { code: result.code }) });
    return result.ok ? { ok: true as const, output: result.output } : { ok: false as const, message: result.message };
  };
  const run = await runAgent(agent, input, {
    backend: env.backend,
    model: env.model,
    toolContext: context,
    callTool,
    now: () => env.now,
  });
  return { run, calls };
}
