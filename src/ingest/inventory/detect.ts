/**
 * An inventory is a mapping whose top-level keys include `assets` or `controls`: in YAML a line
 * starting `assets:` / `controls:` at column 0, in JSON a first member `"assets"` / `"controls"`.
 * The key names are common words, so the file extension must agree and the score stays moderate.
 */
export function detectInventory(head: string, fileName: string): number {
  const text = head.replace(/^\uFEFF/, '');
  const yamlName = /\.ya?ml$/i.test(fileName);
  const jsonName = /\.json$/i.test(fileName);
  if (yamlName && /^(assets|controls):[ \t]*(\[.*|#.*)?$/m.test(text)) return 0.8;
  if (jsonName && /^\s*\{\s*"(assets|controls)"\s*:\s*(\[|null)/.test(text)) return 0.7;
  return 0;
}
