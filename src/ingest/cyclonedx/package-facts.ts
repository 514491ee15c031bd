import { normalizeEcosystem, parsePurl } from '../common/normalize.ts';
import type { ComponentFacts } from './bom-context.ts';

/** Purl types whose namespace is the distribution (`pkg:deb/ubuntu/...` is an Ubuntu package). */
const DISTRO_TYPES = new Set(['deb', 'rpm', 'apk', 'alpm']);

export type PackageFacts = {
  packageName: string | null;
  ecosystem: string | null;
  packageVersion: string | null;
  purl: string | null;
};

/** `pkg:deb/ubuntu/libc6@...` -> Ubuntu; other types go by their type (`pkg:maven/...` -> Maven). */
function ecosystemOf(purl: string): string | null {
  const [type, namespace, rest] = purl.slice('pkg:'.length).split('/');
  if (type && namespace && rest && DISTRO_TYPES.has(type.toLowerCase())) {
    return normalizeEcosystem(decodeURIComponent(namespace));
  }
  return parsePurl(purl)?.ecosystem ?? null;
}

/**
 * The package a vulnerability affects, named as its ecosystem names it: Maven as
 * `group:artifact` (from the purl when the component has no group), npm and Packagist as
 * `group/name`, everything else by the component's own name, which keeps the original case
 * (`Django`) and leaves distro namespaces out (`libc6`, not `ubuntu/libc6`).
 */
export function packageOf(component: ComponentFacts | undefined): PackageFacts {
  if (!component) return { packageName: null, ecosystem: null, packageVersion: null, purl: null };
  const parsed = parsePurl(component.purl);
  const ecosystem = component.purl ? ecosystemOf(component.purl) : null;
  const qualified = component.group && component.name ? `${component.group}/${component.name}` : component.name;
  const maven = component.group && component.name ? `${component.group}:${component.name}` : parsed?.name;
  const packageName = ecosystem === 'Maven' ? (maven ?? component.name) : (qualified ?? parsed?.name ?? null);
  return {
    packageName,
    ecosystem,
    packageVersion: component.version ?? parsed?.version ?? null,
    purl: component.purl,
  };
}
