/** The format name (folder name) and the tool named when a BOM does not say who produced it. */
export const FORMAT = 'cyclonedx';
export const FALLBACK_TOOL = 'cyclonedx';
