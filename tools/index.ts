import { assessCoverage } from './assess-coverage.ts';
import { bumpDependency } from './bump-dependency.ts';
import { checkDependency } from './check-dependency.ts';
import { createTicket } from './create-ticket.ts';
import type { AnyTool } from './define-tool.ts';
import { getAdvisory } from './get-advisory.ts';
import { getAsset } from './get-asset.ts';
import { getExposure } from './get-exposure.ts';
import { listControls } from './list-controls.ts';
import { searchExposures } from './search-exposures.ts';

export {
  assessCoverage,
  bumpDependency,
  checkDependency,
  createTicket,
  getAdvisory,
  getAsset,
  getExposure,
  listControls,
  searchExposures,
};

/** Every tool Mobilize has, by name: the graph, the agents and (later) the MCP server pick from here. */
export const TOOLS: ReadonlyMap<string, AnyTool> = new Map(
  [
    getExposure,
    getAsset,
    getAdvisory,
    listControls,
    searchExposures,
    assessCoverage,
    checkDependency,
    bumpDependency,
    createTicket,
  ].map((tool) => [tool.name, tool]),
);

/** The read-only tools: safe for any caller with the viewer role. */
export const READ_TOOLS: readonly AnyTool[] = [...TOOLS.values()].filter((tool) => tool.kind === 'read');
