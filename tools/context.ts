import type { Vocabulary } from '../src/ask/vocabulary.ts';
import type { Advisory } from '../src/domain/advisory.ts';
import type { QueryResult, QuerySpec } from '../src/domain/ask.ts';
import type { Asset } from '../src/domain/asset.ts';
import type { Control } from '../src/domain/control.ts';
import type {
  ExposureContext,
  RiskExplanation,
  SemanticSearchKind,
  SemanticSearchResult,
} from '../src/domain/exposure-context.ts';
import type { ExposureDetail, ExposureSummary } from '../src/domain/exposure-detail.ts';
import type { ExposureQuery } from '../src/domain/exposure-query.ts';
import type { PlanRecord } from '../src/domain/plan.ts';
import type { CoverageAssessment } from '../src/domain/priority.ts';
import type { ChangeRequest, Mitigation, NewChangeRequest } from '../src/domain/remediation.ts';
import type { BuiltinTicket, NewTicket } from '../src/domain/ticket.ts';

/** Read access to the estate. Implemented over the database by src/db; tools never see SQL. */
export type EstateReader = {
  getExposure(id: string): Promise<ExposureDetail | null>;
  getAsset(id: string): Promise<Asset | null>;
  /** By advisory id or any alias (CVE, GHSA). */
  getAdvisory(id: string): Promise<Advisory | null>;
  /** Controls whose scope selects the asset, enabled or not (the caller decides what counts). */
  controlsForAsset(assetId: string): Promise<Control[]>;
  searchExposures(query: ExposureQuery): Promise<{ total: number; rows: ExposureSummary[] }>;
  /** The deterministic controls engine's assessment of one exposure (null when the exposure is unknown). */
  assessCoverage(exposureId: string): Promise<CoverageAssessment | null>;
  /**
   * Advisories (by their stored summaries) or active exposures (by their advisory) nearest in
   * meaning to `text`, best first, under the configured embedder.
   */
  semanticSearch(text: string, options: { limit: number; kind: SemanticSearchKind }): Promise<SemanticSearchResult>;
  /** Plans awaiting a human decision, oldest first. */
  pendingPlans(limit: number): Promise<PlanRecord[]>;
  /** The prioritization of one exposure recomputed with the current policy, in words (null when unknown). */
  explainRisk(exposureId: string): Promise<RiskExplanation | null>;
  /** One exposure with its advisory summary, SSVC path, plans, approvals and history (null when unknown). */
  exposureContext(exposureId: string): Promise<ExposureContext | null>;
  /** Runs a question's typed query (filters, aggregation, concept, trend) through typed repository reads. */
  runQuery(spec: QuerySpec): Promise<QueryResult>;
  /** The estate's team, owner, asset and package names (cached briefly), for reading questions. */
  vocabulary(): Promise<Vocabulary>;
};

/** Built-in tickets (the connectors to GitHub Issues and Jira come with the remediation work). */
export type TicketDesk = {
  /** Creates the ticket, or returns the one already created under the same idempotency key. */
  create(ticket: NewTicket, idempotencyKey: string): Promise<BuiltinTicket>;
};

/** Where change requests go: GitHub when configured for the repository, else the local forge. */
export type Forge = {
  /** Opens (or returns the one already opened under the same key) a change request for a branch. */
  openChangeRequest(request: NewChangeRequest, idempotencyKey: string): Promise<ChangeRequest>;
  /**
   * Closes the open change request of a plan branch, saying why (a rolled-back plan); null when
   * none is open. Closing twice is harmless: a closed one is not found again.
   */
  closeChangeRequest(input: {
    assetId: string;
    branch: string;
    repositoryUrl: string | null;
    reason: string;
  }): Promise<ChangeRequest | null>;
};

/**
 * The demo estate's simulated control plane (WAF virtual patches, quarantine segment), stored in
 * the database. Real control planes are changed through infrastructure-as-code change requests.
 */
export type ControlPlane = {
  applyVirtualPatch(
    input: { controlId: string; cves: string[]; exposureIds: string[]; planId: string | null },
    idempotencyKey: string,
  ): Promise<Mitigation>;
  quarantine(
    input: { assetId: string; exposureIds: string[]; planId: string | null },
    idempotencyKey: string,
  ): Promise<Mitigation>;
  rollback(mitigationId: string): Promise<Mitigation>;
  getMitigation(mitigationId: string): Promise<Mitigation | null>;
};

/** Notifications to people (Slack incoming webhooks when configured). */
export type Notifier = {
  notify(message: { text: string; idempotencyKey: string }): Promise<{ system: 'slack' | 'none'; delivered: boolean }>;
};

/** What every tool receives besides its input: ports to the estate, never a database handle. */
export type ToolContext = {
  reader: EstateReader;
  tickets: TicketDesk;
  forge: Forge;
  controlPlane: ControlPlane;
  notifier: Notifier;
  /** Action tools compute and return their exact change without making it. */
  dryRun: boolean;
  /** Set by the tool runner for action tools: the same key never acts twice. */
  idempotencyKey?: string;
  /** The plan an action belongs to, when there is one. */
  planId?: string;
  /** Budget for one call's external work (git, HTTP). */
  timeoutMs: number;
  now(): Date;
};
