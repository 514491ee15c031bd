import { applyEdits, type TextEdit } from '../json-text.ts';
import {
  PUBLIC_ACCESS_FLAGS,
  parseTerraform,
  refersToBucket,
  type TerraformEdit,
  verifyTerraformEdit,
} from './check-terraform.ts';
import { TerraformEditError } from './errors.ts';
import {
  attributeOf,
  compactExpression,
  findResource,
  formatAddress,
  type HclAttribute,
  indentAt,
  indentUnit,
  literalOf,
  newlineOf,
  parseAddress,
  type ResourceAddress,
  resourcesOf,
  scanHcl,
} from './hcl-spans.ts';

/** The file and the bucket to protect. */
export type BlockPublicAccessInput = {
  text: string;
  path?: string;
  /** The bucket: aws_s3_bucket.<name>. */
  resource: string;
};

const BLOCK_TYPE = 'aws_s3_bucket_public_access_block';

/** `name = true` aligned like the attribute it follows (terraform fmt aligns the `=` of consecutive lines). */
function flagLine(text: string, name: string, previous: HclAttribute | undefined, indent: string): string {
  if (!previous) return `${indent}${name} = true`;
  const lineStart = text.lastIndexOf('\n', previous.start - 1) + 1;
  const column = text.indexOf('=', previous.nameEnd) - lineStart;
  const head = `${indent}${name}`;
  return `${head.padEnd(Math.max(column, head.length + 1))}= true`;
}

/**
 * Gives a bucket a public access block with all four flags true. An existing block that refers to the bucket
 * has its false (or missing, or computed) flags set to true; otherwise a new
 * `aws_s3_bucket_public_access_block "<name>"` is appended to the file with `bucket = aws_s3_bucket.<name>.id`.
 * The result is re-parsed and re-checked before it is returned.
 */
export async function blockPublicAccess(input: BlockPublicAccessInput): Promise<TerraformEdit> {
  const path = input.path ?? 'main.tf';
  const address = parseAddress(input.resource);
  if (address.mode !== 'resource' || address.type !== 'aws_s3_bucket') {
    throw new TerraformEditError(
      'unsupported',
      `a public access block applies to an aws_s3_bucket, not ${input.resource}`,
    );
  }
  await parseTerraform(path, input.text);
  const text = input.text;
  const body = scanHcl(text);
  const bucket = findResource(body, address, path);
  const bucketName = literalOf(attributeOf(bucket, 'bucket')?.value);
  const blocks = resourcesOf(body).filter((entry) => {
    if (entry.address.mode !== 'resource' || entry.address.type !== BLOCK_TYPE) return false;
    const value = attributeOf(entry.block, 'bucket')?.value;
    const reference = value?.kind === 'string' ? value.value : `\${${compactExpression(value, text)}}`;
    return refersToBucket(reference, address.name, bucketName);
  });
  const edits: TextEdit[] = [];
  const changes: string[] = [];
  let blockAddress: ResourceAddress;
  const existing = blocks[0];
  if (existing) {
    blockAddress = existing.address;
    const where = formatAddress(existing.address);
    let last: HclAttribute | undefined;
    const missing: string[] = [];
    for (const flag of PUBLIC_ACCESS_FLAGS) {
      const attribute = attributeOf(existing.block, flag);
      if (!attribute) {
        missing.push(flag);
        continue;
      }
      last = attribute;
      const value = literalOf(attribute.value);
      if (value === true || value === 'true') continue;
      edits.push({ start: attribute.value.start, end: attribute.value.end, text: 'true' });
      changes.push(
        `${where} (line ${attribute.line}): ${flag} = ${text.slice(attribute.value.start, attribute.value.end)} -> true`,
      );
    }
    if (missing.length) {
      const anchor = last ?? existing.block.attributes.at(-1);
      const newline = newlineOf(text);
      const indent = anchor
        ? indentAt(text, anchor.start)
        : `${indentAt(text, existing.block.start)}${indentUnit(text)}`;
      const lines = missing.map((flag) => flagLine(text, flag, last, indent));
      const at = anchor ? anchor.end : existing.block.bodyStart;
      edits.push({ start: at, end: at, text: lines.map((line) => `${newline}${line}`).join('') });
      changes.push(`${where}: added ${missing.map((flag) => `${flag} = true`).join(', ')}`);
    }
    if (edits.length === 0) {
      throw new TerraformEditError('no_change', `${where} already blocks all public access to ${input.resource}`);
    }
  } else {
    const taken = new Set(resourcesOf(body).map((entry) => formatAddress(entry.address)));
    let name = address.name;
    if (taken.has(`${BLOCK_TYPE}.${name}`)) name = `${address.name}_public_access`;
    if (taken.has(`${BLOCK_TYPE}.${name}`)) {
      throw new TerraformEditError('unsupported', `cannot add ${BLOCK_TYPE}.${name}: the name is taken`);
    }
    blockAddress = { mode: 'resource', type: BLOCK_TYPE, name };
    const newline = newlineOf(text);
    const unit = indentUnit(text);
    const width = Math.max(...PUBLIC_ACCESS_FLAGS.map((flag) => flag.length));
    const block = [
      `resource "${BLOCK_TYPE}" "${name}" {`,
      `${unit}bucket = aws_s3_bucket.${address.name}.id`,
      '',
      ...PUBLIC_ACCESS_FLAGS.map((flag) => `${unit}${flag.padEnd(width)} = true`),
      '}',
    ].join(newline);
    const ending = text.length === 0 || text.endsWith('\n') ? '' : newline;
    const gap = text.trim() === '' ? '' : newline;
    edits.push({ start: text.length, end: text.length, text: `${ending}${gap}${block}${newline}` });
    changes.push(
      `${formatAddress(blockAddress)}: new public access block for ${input.resource} with all four flags true`,
    );
  }
  const after = applyEdits(text, edits);
  const check = await verifyTerraformEdit({
    path,
    before: text,
    after,
    check: 'public_bucket',
    target: input.resource,
    touched: [blockAddress],
    expect: 'resolved',
  });
  return { before: text, after, changes, check };
}
