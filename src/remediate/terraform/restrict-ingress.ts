import { isIP } from 'node:net';
import { applyEdits, type TextEdit } from '../json-text.ts';
import { parseTerraform, type TerraformEdit, verifyTerraformEdit } from './check-terraform.ts';
import { TerraformEditError } from './errors.ts';
import {
  aloneOnLines,
  attributeOf,
  compactExpression,
  findResource,
  formatAddress,
  type HclAttribute,
  type HclBlock,
  type HclValue,
  hclString,
  literalOf,
  newlineOf,
  parseAddress,
  type ResourceAddress,
  replaceListItems,
  resourcesOf,
  scanHcl,
  wholeLines,
} from './hcl-spans.ts';
import { describePorts, describeRange, isWorldCidr, portRangeOf, sensitivePortsIn } from './sensitive-ports.ts';

/** The IP family of a CIDR (4 or 6), or 0 when it is not one. */
export function cidrFamily(cidr: string): 0 | 4 | 6 {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(cidr);
  if (!match) return 0;
  const family = isIP(match[1]!);
  const prefix = Number(match[2]);
  if (family === 4 && prefix <= 32) return 4;
  if (family === 6 && prefix <= 128) return 6;
  return 0;
}

/** A CIDR that narrows access: well-formed and not a /0 (which would be the world again). */
export const isNarrowCidr = (cidr: string): boolean => cidrFamily(cidr) !== 0 && !/\/0+$/.test(cidr);

/** What to narrow, and to which sources. */
export type RestrictIngressInput = {
  text: string;
  /** The file's path, for messages. */
  path?: string;
  /** aws_security_group.x (its inline rules and the rule resources attached to it in this file), or one rule resource. */
  resource: string;
  allowedCidrs: readonly string[];
};

const GROUP = 'aws_security_group';
const RULE = 'aws_security_group_rule';
const VPC_RULE = 'aws_vpc_security_group_ingress_rule';

/** One ingress rule as written: where it is, who owns it, its attributes. */
type RuleView = {
  owner: ResourceAddress;
  block: HclBlock;
  where: string;
  line: number;
  attrs: HclAttribute[];
  vpc: boolean;
};

function rulesOf(text: string, body: ReturnType<typeof scanHcl>, address: ResourceAddress, path: string): RuleView[] {
  const block = findResource(body, address, path);
  if (address.type === RULE || address.type === VPC_RULE) {
    // An egress rule open to the world is normal; only ingress is ours to narrow.
    if (address.type === RULE && literalOf(attributeOf(block, 'type')?.value) !== 'ingress') return [];
    return [
      {
        owner: address,
        block,
        where: 'the ingress rule',
        line: block.line,
        attrs: block.attributes,
        vpc: address.type === VPC_RULE,
      },
    ];
  }
  const views: RuleView[] = [];
  const inline = block.blocks.filter((nested) => nested.type === 'ingress');
  inline.forEach((nested, index) => {
    views.push({
      owner: address,
      block,
      where: `ingress #${index + 1}`,
      line: nested.line,
      attrs: nested.attributes,
      vpc: false,
    });
  });
  // `ingress = [{ ... }]`, the attributes-as-blocks form.
  const listed = attributeOf(block, 'ingress')?.value;
  if (listed?.kind === 'list') {
    listed.items.forEach((item, index) => {
      if (item.kind === 'object') {
        views.push({
          owner: address,
          block,
          where: `ingress #${index + 1}`,
          line: item.items[0]?.line ?? block.line,
          attrs: item.items,
          vpc: false,
        });
      }
    });
  }
  const reference = `aws_security_group.${address.name}.id`;
  for (const entry of resourcesOf(body)) {
    const { type } = entry.address;
    if (entry.address.mode !== 'resource' || (type !== RULE && type !== VPC_RULE)) continue;
    if (compactExpression(attributeOf(entry.block, 'security_group_id')?.value, text) !== reference) continue;
    if (type === RULE && literalOf(attributeOf(entry.block, 'type')?.value) !== 'ingress') continue;
    views.push({
      owner: entry.address,
      block: entry.block,
      where: 'the ingress rule',
      line: entry.block.line,
      attrs: entry.block.attributes,
      vpc: type === VPC_RULE,
    });
  }
  return views;
}

/** How hcl2json renders a non-literal value: portRangeOf reads it as unknown. */
const UNKNOWN = '$' + '{expression}';

const find = (attrs: HclAttribute[], name: string) => attrs.findLast((attribute) => attribute.name === name);

/** The rule's sensitive ports when it is open to the world, else null. */
function exposure(view: RuleView): { ports: string; range: string } | null {
  // A reference or expression reads like hcl2json renders it (`${...}`): unknown, so never cleared on a guess.
  const value = (name: string) => {
    const attribute = find(view.attrs, name);
    return attribute ? (literalOf(attribute.value) ?? UNKNOWN) : undefined;
  };
  const protocol = value(view.vpc ? 'ip_protocol' : 'protocol');
  const range = portRangeOf({ fromPort: value('from_port'), toPort: value('to_port'), protocol });
  const ports = sensitivePortsIn(range);
  return ports.length ? { ports: describePorts(ports), range: describeRange(range, protocol) } : null;
}

/** Edits for a list of CIDRs: world entries become the allowed CIDRs of the same family. */
function listEdits(text: string, attribute: HclAttribute, allowed: readonly string[]): TextEdit[] {
  const list = attribute.value;
  if (list.kind !== 'list') return [];
  const items = list.items.map((item) => ({
    start: item.start,
    end: item.end,
    value: item.kind === 'string' ? item.value : null,
  }));
  const present = new Set(items.map((item) => item.value));
  const insert = allowed.filter((cidr) => !present.has(cidr)).map(hclString);
  const edits = replaceListItems(text, { start: list.start, end: list.end, items }, isWorldCidr, insert);
  if (edits) return edits;
  // Nothing of this family is allowed: the argument goes (an empty list would be a rule for nobody).
  return aloneOnLines(text, attribute.start, attribute.end)
    ? [{ ...wholeLines(text, attribute.start, attribute.end), text: '' }]
    : [{ start: list.start, end: list.end, text: '[]' }];
}

const quoted = (values: readonly string[]) => values.map((value) => `"${value}"`).join(', ');
const worldIn = (value: HclValue | undefined): string[] =>
  value?.kind === 'list'
    ? value.items.flatMap((item) => (item.kind === 'string' && isWorldCidr(item.value) ? [item.value] : []))
    : [];

/**
 * Narrows ingress open to 0.0.0.0/0 or ::/0 on a sensitive port to the allowed CIDRs: IPv4 sources get the
 * IPv4 CIDRs, IPv6 sources the IPv6 ones (or go, when none is allowed). Only the CIDR values change; rules
 * open on other ports (443 to the world) are left as they are. An aws_vpc_security_group_ingress_rule holds
 * one CIDR, so each further allowed CIDR becomes a copy of the rule named `<name>_2`, `<name>_3`, ... right
 * after it. The result is re-parsed and re-checked before it is returned.
 */
export async function restrictIngress(input: RestrictIngressInput): Promise<TerraformEdit> {
  const path = input.path ?? 'main.tf';
  const bad = input.allowedCidrs.filter((cidr) => !isNarrowCidr(cidr));
  if (bad.length || input.allowedCidrs.length === 0) {
    throw new TerraformEditError(
      'invalid',
      `allowed CIDRs must be IPv4 or IPv6 CIDRs other than /0 (got ${quoted(bad)})`,
    );
  }
  const v4 = input.allowedCidrs.filter((cidr) => cidrFamily(cidr) === 4);
  const v6 = input.allowedCidrs.filter((cidr) => cidrFamily(cidr) === 6);
  const address = parseAddress(input.resource);
  if (address.mode !== 'resource' || ![GROUP, RULE, VPC_RULE].includes(address.type)) {
    throw new TerraformEditError(
      'unsupported',
      `restricting ingress applies to ${GROUP}, ${RULE} and ${VPC_RULE}, not ${input.resource}`,
    );
  }
  await parseTerraform(path, input.text);
  const text = input.text;
  const body = scanHcl(text);
  const views = rulesOf(text, body, address, path);
  const taken = new Set(resourcesOf(body).map((entry) => formatAddress(entry.address)));
  const edits: TextEdit[] = [];
  const changes: string[] = [];
  const touched = new Map<string, ResourceAddress>([[formatAddress(address), address]]);

  for (const view of views) {
    const open = exposure(view);
    if (!open) continue;
    const owner = formatAddress(view.owner);
    const note = (what: string) =>
      changes.push(
        `${owner} ${view.where} (line ${view.line}): ${what}; it opened ${open.range}, including ${open.ports}`,
      );
    if (!view.vpc) {
      for (const [name, allowed] of [
        ['cidr_blocks', v4],
        ['ipv6_cidr_blocks', v6],
      ] as const) {
        const attribute = find(view.attrs, name);
        const world = worldIn(attribute?.value);
        if (!attribute || world.length === 0) continue;
        edits.push(...listEdits(text, attribute, allowed));
        note(`${name} ${quoted(world)} -> ${allowed.length ? quoted(allowed) : 'removed'}`);
        touched.set(owner, view.owner);
      }
      continue;
    }
    for (const [name, allowed] of [
      ['cidr_ipv4', v4],
      ['cidr_ipv6', v6],
    ] as const) {
      const attribute = find(view.attrs, name);
      if (attribute?.value.kind !== 'string' || !isWorldCidr(attribute.value.value)) continue;
      if (allowed.length === 0) {
        throw new TerraformEditError(
          'unsupported',
          `${owner} allows ${attribute.value.value} through ${name} and no IPv${name === 'cidr_ipv4' ? 4 : 6} CIDR is allowed: ` +
            'pass one, or remove the rule by hand',
        );
      }
      edits.push({ start: attribute.value.start, end: attribute.value.end, text: hclString(allowed[0]!) });
      note(`${name} "${attribute.value.value}" -> "${allowed[0]}"`);
      touched.set(owner, view.owner);
      // One CIDR per rule resource: every further CIDR gets its own copy of the rule.
      const copies: string[] = [];
      allowed.slice(1).forEach((cidr, index) => {
        const name2 = `${view.owner.name}_${index + 2}`;
        const copyAddress: ResourceAddress = { ...view.owner, name: name2 };
        if (taken.has(formatAddress(copyAddress))) {
          throw new TerraformEditError(
            'unsupported',
            `cannot add ${formatAddress(copyAddress)} for ${cidr}: the name is taken`,
          );
        }
        const header = text.slice(view.block.start, view.block.bodyStart);
        const labelAt = header.lastIndexOf(`"${view.owner.name}"`);
        const renamed = `${header.slice(0, labelAt)}"${name2}"${header.slice(labelAt + view.owner.name.length + 2)}`;
        const value = attribute.value;
        const bodyText =
          text.slice(view.block.bodyStart, value.start) + hclString(cidr) + text.slice(value.end, view.block.end);
        copies.push(renamed + bodyText);
        touched.set(formatAddress(copyAddress), copyAddress);
        changes.push(`${formatAddress(copyAddress)}: new copy of ${owner} allowing ${name} "${cidr}"`);
      });
      if (copies.length) {
        const newline = newlineOf(text);
        edits.push({
          start: view.block.end,
          end: view.block.end,
          text: copies.map((copy) => `${newline}${newline}${copy}`).join(''),
        });
      }
    }
  }
  if (edits.length === 0) {
    throw new TerraformEditError(
      'no_change',
      `${input.resource} has no ingress rule open to 0.0.0.0/0 or ::/0 on a sensitive port in ${path}` +
        (views.length ? ` (${views.length} rule${views.length === 1 ? '' : 's'} read)` : ' (it has no ingress rules)'),
    );
  }
  const after = applyEdits(text, edits);
  const check = await verifyTerraformEdit({
    path,
    before: text,
    after,
    check: 'open_ingress',
    target: input.resource,
    touched: [...touched.values()],
    expect: 'resolved',
  });
  return { before: text, after, changes, check };
}
