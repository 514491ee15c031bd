import { isDeepStrictEqual } from 'node:util';
import { parse } from '@cdktf/hcl2json';
import { z } from 'zod';
import { TerraformEditError, TerraformVerificationError } from './errors.ts';
import { formatAddress, parseAddress, type ResourceAddress } from './hcl-spans.ts';
import { describePorts, describeRange, isWorldCidr, portRangeOf, sensitivePortsIn } from './sensitive-ports.ts';

/** What a check looks for: ingress open to the world on a sensitive port, a bucket without a public access block, an Allow of `*` or `service:*`. */
export const TerraformCheckKindSchema = z.enum(['open_ingress', 'public_bucket', 'wildcard_iam']);
export type TerraformCheckKind = z.infer<typeof TerraformCheckKindSchema>;

export const TerraformFindingSchema = z.object({
  path: z.string(),
  /** The resource the finding is about, e.g. aws_security_group.web or data.aws_iam_policy_document.admin. */
  address: z.string(),
  detail: z.string(),
});
export type TerraformFinding = z.infer<typeof TerraformFindingSchema>;

/** The verdict of re-parsing Terraform files: `affected` while any finding remains. */
export const TerraformCheckSchema = z.object({
  status: z.enum(['resolved', 'affected']),
  findings: z.array(TerraformFindingSchema),
  evidence: z.string(),
});
export type TerraformCheck = z.infer<typeof TerraformCheckSchema>;

/** One file to check: its path (for findings) and its text. */
export type TerraformFile = { path: string; text: string };

type Json = Record<string, unknown>;
type Entry = { path: string; address: ResourceAddress; body: Json };

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
const objects = (value: unknown): Json[] => asArray(value).filter(isObject);
const same = (a: ResourceAddress, b: ResourceAddress) => a.mode === b.mode && a.type === b.type && a.name === b.name;

/** Parses one file with hcl2json (HashiCorp's own parser, compiled to WASM); a file it rejects is a TerraformEditError. */
export async function parseTerraform(fileName: string, text: string): Promise<Json> {
  try {
    return (await parse(fileName, text)) as Json;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TerraformEditError('invalid', `${fileName} is not valid HCL: ${reason}`, error);
  }
}

/** Every resource and data source of a parsed file, one entry per body. */
function entriesOf(path: string, json: Json): Entry[] {
  const entries: Entry[] = [];
  for (const mode of ['resource', 'data'] as const) {
    for (const [type, byName] of Object.entries(isObject(json[mode]) ? json[mode] : {})) {
      for (const [name, bodies] of Object.entries(isObject(byName) ? byName : {})) {
        for (const body of objects(bodies)) entries.push({ path, address: { mode, type, name }, body });
      }
    }
  }
  return entries;
}

// ---- open ingress ---------------------------------------------------------------------------------------

const RULE_TYPES = ['aws_security_group_rule', 'aws_vpc_security_group_ingress_rule'];
const INGRESS_TYPES = ['aws_security_group', ...RULE_TYPES];

/** The world-open sources and sensitive ports of one rule, as a finding detail; null when it is fine. */
function openIngressDetail(rule: Json, where: string, vpcRule: boolean): string | null {
  const sources = vpcRule
    ? [rule.cidr_ipv4, rule.cidr_ipv6].filter(isWorldCidr)
    : [...asArray(rule.cidr_blocks), ...asArray(rule.ipv6_cidr_blocks)].filter(isWorldCidr);
  if (sources.length === 0) return null;
  const protocol = vpcRule ? rule.ip_protocol : rule.protocol;
  const range = portRangeOf({ fromPort: rule.from_port, toPort: rule.to_port, protocol });
  const ports = sensitivePortsIn(range);
  if (ports.length === 0) return null;
  return `${where} allows ${sources.join(' and ')} on ${describeRange(range, protocol)}, including ${describePorts(ports)}`;
}

/** The reference a rule uses for its group: `${aws_security_group.web.id}`. */
const groupReference = (name: string) => `\${aws_security_group.${name}.id}`;

function checkIngress(
  entries: Entry[],
  target: ResourceAddress | null,
): { findings: TerraformFinding[]; rules: number } {
  const inScope = (entry: Entry): boolean => {
    if (entry.address.mode !== 'resource' || !INGRESS_TYPES.includes(entry.address.type)) return false;
    if (!target) return true;
    if (same(entry.address, target)) return true;
    // A group's rules may live in their own resources: they count as part of the group.
    return target.type === 'aws_security_group' && entry.body.security_group_id === groupReference(target.name);
  };
  const findings: TerraformFinding[] = [];
  let rules = 0;
  for (const entry of entries.filter(inScope)) {
    const address = formatAddress(entry.address);
    const add = (detail: string | null) => {
      rules++;
      if (detail) findings.push({ path: entry.path, address, detail });
    };
    if (entry.address.type === 'aws_security_group') {
      objects(entry.body.ingress).forEach((rule, index) => {
        add(openIngressDetail(rule, `ingress #${index + 1}`, false));
      });
    } else if (entry.address.type === 'aws_security_group_rule') {
      if (entry.body.type === 'ingress') add(openIngressDetail(entry.body, 'the ingress rule', false));
    } else {
      add(openIngressDetail(entry.body, 'the ingress rule', true));
    }
  }
  return { findings, rules };
}

// ---- public buckets -------------------------------------------------------------------------------------

/** The four settings that together keep a bucket private whatever its ACLs and policy say. */
export const PUBLIC_ACCESS_FLAGS = [
  'block_public_acls',
  'block_public_policy',
  'ignore_public_acls',
  'restrict_public_buckets',
] as const;

/** Whether a public access block's `bucket` value points at the bucket (by reference or by its literal name). */
export function refersToBucket(value: unknown, bucketName: string, literalBucket: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (value === `\${aws_s3_bucket.${bucketName}.id}` || value === `\${aws_s3_bucket.${bucketName}.bucket}`) return true;
  return typeof literalBucket === 'string' && !literalBucket.includes('${') && value === literalBucket;
}

const isTrue = (value: unknown) => value === true || value === 'true';

function checkBuckets(
  entries: Entry[],
  target: ResourceAddress | null,
): { findings: TerraformFinding[]; rules: number } {
  const buckets = entries.filter(
    (entry) =>
      entry.address.mode === 'resource' &&
      entry.address.type === 'aws_s3_bucket' &&
      (!target || same(entry.address, target)),
  );
  const blocks = entries.filter(
    (entry) => entry.address.mode === 'resource' && entry.address.type === 'aws_s3_bucket_public_access_block',
  );
  const findings: TerraformFinding[] = [];
  for (const bucket of buckets) {
    const address = formatAddress(bucket.address);
    const mine = blocks.filter((block) => refersToBucket(block.body.bucket, bucket.address.name, bucket.body.bucket));
    if (mine.length === 0) {
      findings.push({ path: bucket.path, address, detail: 'no aws_s3_bucket_public_access_block refers to it' });
      continue;
    }
    if (mine.some((block) => PUBLIC_ACCESS_FLAGS.every((flag) => isTrue(block.body[flag])))) continue;
    const block = mine[0]!;
    const open = PUBLIC_ACCESS_FLAGS.filter((flag) => !isTrue(block.body[flag]));
    findings.push({
      path: bucket.path,
      address,
      detail: `${formatAddress(block.address)} leaves ${open.join(', ')} unset or not true`,
    });
  }
  return { findings, rules: buckets.length };
}

// ---- wildcard IAM ---------------------------------------------------------------------------------------

/** Resources whose `policy` argument is an IAM policy document. */
export const POLICY_RESOURCE_TYPES = [
  'aws_iam_policy',
  'aws_iam_role_policy',
  'aws_iam_user_policy',
  'aws_iam_group_policy',
];
export const POLICY_DOCUMENT_TYPE = 'aws_iam_policy_document';

/**
 * `*` and `service:*` grant every action (of a service); these are the wildcards we narrow. Partial
 * wildcards such as `s3:Get*` are a deliberate, bounded choice and are left alone.
 */
export const isWildcardAction = (action: unknown): boolean =>
  typeof action === 'string' && (action.trim() === '*' || /^[A-Za-z0-9-]+:\*$/.test(action.trim()));

/** How a statement is named in findings and change notes: its Sid, else its position. */
export const statementLabel = (index: number, sid: unknown): string =>
  typeof sid === 'string' && sid ? `statement "${sid}"` : `statement #${index}`;

/** A policy value as hcl2json gives it, as a JSON policy object; null when it is not a literal policy. */
async function policyObject(value: unknown): Promise<Json | null> {
  if (typeof value !== 'string') return isObject(value) ? value : null;
  const encoded = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(value.trim());
  if (encoded) {
    // hcl2json keeps jsonencode(...) as source text: parse its argument as an HCL value to get the object.
    const json = await parseTerraform('policy.tf', `locals {\n  policy = ${encoded[1]}\n}\n`);
    const policy = objects(json.locals)[0]?.policy;
    return isObject(policy) ? policy : null;
  }
  try {
    const parsed: unknown = JSON.parse(value);
    return isObject(parsed) ? parsed : null;
  } catch {
    return null; // a template or a reference: not a policy we can read
  }
}

function wildcardStatements(statements: Json[], keys: { effect: string; action: string; sid: string }): string[] {
  const details: string[] = [];
  statements.forEach((statement, index) => {
    const effect = statement[keys.effect] ?? 'Allow';
    if (effect !== 'Allow') return;
    const wildcards = asArray(statement[keys.action]).filter(isWildcardAction);
    if (wildcards.length) {
      details.push(`${statementLabel(index, statement[keys.sid])} allows ${wildcards.map((a) => `"${a}"`).join(', ')}`);
    }
  });
  return details;
}

const DOCUMENT_KEYS = { effect: 'effect', action: 'actions', sid: 'sid' };
const JSON_KEYS = { effect: 'Effect', action: 'Action', sid: 'Sid' };

async function checkIam(
  entries: Entry[],
  target: ResourceAddress | null,
): Promise<{ findings: TerraformFinding[]; rules: number; notes: string[] }> {
  const findings: TerraformFinding[] = [];
  const notes: string[] = [];
  let rules = 0;
  const documentFindings = (entry: Entry, via: string) => {
    rules++;
    for (const detail of wildcardStatements(objects(entry.body.statement), DOCUMENT_KEYS)) {
      findings.push({ path: entry.path, address: formatAddress(entry.address), detail: `${detail}${via}` });
    }
  };
  for (const entry of entries) {
    const { address } = entry;
    if (target && !same(address, target)) continue;
    if (address.mode === 'data' && address.type === POLICY_DOCUMENT_TYPE) {
      documentFindings(entry, '');
      continue;
    }
    if (address.mode !== 'resource' || !POLICY_RESOURCE_TYPES.includes(address.type)) continue;
    const policy = entry.body.policy;
    const document =
      typeof policy === 'string' ? /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(policy) : null;
    if (document) {
      // Without a target the document is checked on its own; with one, follow the reference.
      if (!target) continue;
      const referenced = entries.filter((other) =>
        same(other.address, { mode: 'data', type: POLICY_DOCUMENT_TYPE, name: document[1]! }),
      );
      if (referenced.length === 0)
        notes.push(
          `${formatAddress(address)} uses data.${POLICY_DOCUMENT_TYPE}.${document[1]}, which is in none of the files read`,
        );
      for (const other of referenced) documentFindings(other, ` (the policy of ${formatAddress(address)})`);
      continue;
    }
    rules++;
    const object = await policyObject(policy);
    if (!object) {
      notes.push(`the policy of ${formatAddress(address)} is not a literal document and was not checked`);
      continue;
    }
    for (const detail of wildcardStatements(objects(object.Statement), JSON_KEYS)) {
      findings.push({ path: entry.path, address: formatAddress(address), detail });
    }
  }
  return { findings, rules, notes };
}

// ---- entry point ----------------------------------------------------------------------------------------

const TARGET_TYPES: Record<TerraformCheckKind, string[]> = {
  open_ingress: INGRESS_TYPES,
  public_bucket: ['aws_s3_bucket'],
  wildcard_iam: [...POLICY_RESOURCE_TYPES, POLICY_DOCUMENT_TYPE],
};

const WHAT: Record<TerraformCheckKind, string> = {
  open_ingress: 'ingress rule open to 0.0.0.0/0 or ::/0 on a sensitive port',
  public_bucket: 'S3 bucket without a public access block that blocks everything',
  wildcard_iam: 'Allow statement granting "*" or "service:*" actions',
};

/**
 * Re-parses Terraform files with hcl2json and looks for one kind of exposure, optionally in one resource
 * (`target`, an address; a security group includes the rules attached to it). This is the verification of
 * a change: on the fixed branch the finding must be gone. Throws a TerraformEditError when a file does not
 * parse or the target is in none of the files.
 */
export async function checkTerraform(
  files: readonly TerraformFile[],
  check: TerraformCheckKind,
  target?: string,
): Promise<TerraformCheck> {
  const address = target ? parseAddress(target) : null;
  if (address && !TARGET_TYPES[check].includes(address.type)) {
    throw new TerraformEditError(
      'unsupported',
      `${check} applies to ${TARGET_TYPES[check].join(', ')}; ${target} is a ${address.type}`,
    );
  }
  const entries: Entry[] = [];
  for (const file of files) entries.push(...entriesOf(file.path, await parseTerraform(file.path, file.text)));
  if (address && !entries.some((entry) => same(entry.address, address))) {
    throw new TerraformEditError('not_found', `${target} is in none of ${files.map((f) => f.path).join(', ')}`);
  }
  const result =
    check === 'open_ingress'
      ? { ...checkIngress(entries, address), notes: [] }
      : check === 'public_bucket'
        ? { ...checkBuckets(entries, address), notes: [] }
        : await checkIam(entries, address);
  const scope = `${target ?? 'all resources'} in ${files.map((f) => f.path).join(', ')}`;
  const unit = check === 'public_bucket' ? 'bucket' : check === 'open_ingress' ? 'rule' : 'policy';
  const counted = `${result.rules} ${unit}${result.rules === 1 ? '' : 's'} checked`;
  const notes = result.notes.length ? ` Note: ${result.notes.join('; ')}.` : '';
  const count = result.findings.length;
  const evidence = count
    ? `Re-parsed ${scope} with hcl2json (${counted}): ${count} finding${count === 1 ? '' : 's'} of an ${WHAT[check]}: ` +
      `${result.findings.map((f) => `${f.address}: ${f.detail}`).join('; ')}.${notes}`
    : `Re-parsed ${scope} with hcl2json (${counted}): no ${WHAT[check]}.${notes}`;
  return { status: result.findings.length ? 'affected' : 'resolved', findings: result.findings, evidence };
}

/** A parsed file without some resources: what must stay identical when only those were edited. */
function without(json: Json, addresses: readonly ResourceAddress[]): Json {
  const copy = structuredClone(json);
  for (const address of addresses) {
    const byType = copy[address.mode];
    if (!isObject(byType) || !isObject(byType[address.type])) continue;
    const byName = byType[address.type] as Json;
    delete byName[address.name];
    if (Object.keys(byName).length === 0) delete byType[address.type];
    if (Object.keys(byType).length === 0) delete copy[address.mode];
  }
  return copy;
}

/**
 * Proves an edit before anyone commits it: the new text parses, every resource but the touched ones means
 * exactly what it meant, and the check finds less than before (`resolved` for the target when `expect`
 * says so). A failure is our bug, a TerraformVerificationError: the edit is never used.
 */
export async function verifyTerraformEdit(input: {
  path: string;
  before: string;
  after: string;
  check: TerraformCheckKind;
  target: string;
  touched: readonly ResourceAddress[];
  expect: 'resolved' | 'fewer';
}): Promise<TerraformCheck> {
  let parsedAfter: Json;
  try {
    parsedAfter = await parseTerraform(input.path, input.after);
  } catch (error) {
    throw new TerraformVerificationError(`the edited ${input.path} does not parse`, error);
  }
  const parsedBefore = await parseTerraform(input.path, input.before);
  if (!isDeepStrictEqual(without(parsedBefore, input.touched), without(parsedAfter, input.touched))) {
    throw new TerraformVerificationError(`the edit of ${input.path} changed resources other than ${input.target}`);
  }
  const before = await checkTerraform([{ path: input.path, text: input.before }], input.check, input.target);
  const after = await checkTerraform([{ path: input.path, text: input.after }], input.check, input.target);
  const details = new Set(before.findings.map((f) => `${f.address} ${f.detail}`));
  const subset = after.findings.every((f) => details.has(`${f.address} ${f.detail}`));
  const done =
    input.expect === 'resolved'
      ? after.status === 'resolved'
      : subset && after.findings.length < before.findings.length;
  if (!done) {
    throw new TerraformVerificationError(
      `the edit of ${input.path} did not remove the finding of ${input.target}: ${after.evidence}`,
    );
  }
  return after;
}

/** A computed, verified change to one Terraform file: the texts, one note per change, and the re-check of the result. */
export type TerraformEdit = { before: string; after: string; changes: string[]; check: TerraformCheck };
