import { applyVirtualPatch } from './apply-virtual-patch.ts';
import { assessCoverage } from './assess-coverage.ts';
import { bumpBaseImage } from './bump-base-image.ts';
import { bumpDependency } from './bump-dependency.ts';
import { changeTerraform } from './change-terraform.ts';
import { checkBaseImage } from './check-base-image.ts';
import { checkDependency } from './check-dependency.ts';
import { checkMitigation } from './check-mitigation.ts';
import { checkTerraform } from './check-terraform.ts';
import { createTicket } from './create-ticket.ts';
import type { AnyTool } from './define-tool.ts';
import { explainRisk } from './explain-risk.ts';
import { getAdvisory } from './get-advisory.ts';
import { getAsset } from './get-asset.ts';
import { getExposure } from './get-exposure.ts';
import { listControls } from './list-controls.ts';
import { listPendingApprovals } from './list-pending-approvals.ts';
import { narrowIamPolicy } from './narrow-iam-policy.ts';
import { notifyOwner } from './notify-owner.ts';
import { openChangeRequest } from './open-change-request.ts';
import { quarantineAsset } from './quarantine-asset.ts';
import { revertChange } from './revert-change.ts';
import { rollbackMitigation } from './rollback-mitigation.ts';
import { runQuery } from './run-query.ts';
import { searchExposures } from './search-exposures.ts';
import { semanticSearch } from './semantic-search.ts';

export {
  applyVirtualPatch,
  assessCoverage,
  bumpBaseImage,
  bumpDependency,
  changeTerraform,
  checkBaseImage,
  checkDependency,
  checkMitigation,
  checkTerraform,
  createTicket,
  explainRisk,
  getAdvisory,
  getAsset,
  getExposure,
  listControls,
  listPendingApprovals,
  narrowIamPolicy,
  notifyOwner,
  openChangeRequest,
  quarantineAsset,
  revertChange,
  rollbackMitigation,
  runQuery,
  searchExposures,
  semanticSearch,
};

/** Every tool Mobilize has, by name: the graph, the agents and (later) the MCP server pick from here. */
export const TOOLS: ReadonlyMap<string, AnyTool> = new Map(
  [
    getExposure,
    getAsset,
    getAdvisory,
    listControls,
    searchExposures,
    semanticSearch,
    runQuery,
    listPendingApprovals,
    explainRisk,
    assessCoverage,
    checkDependency,
    checkBaseImage,
    checkTerraform,
    checkMitigation,
    bumpDependency,
    bumpBaseImage,
    changeTerraform,
    narrowIamPolicy,
    openChangeRequest,
    createTicket,
    notifyOwner,
    applyVirtualPatch,
    quarantineAsset,
    rollbackMitigation,
    revertChange,
  ].map((tool) => [tool.name, tool]),
);

/** The read-only tools: safe for any caller with the viewer role. */
export const READ_TOOLS: readonly AnyTool[] = [...TOOLS.values()].filter((tool) => tool.kind === 'read');
