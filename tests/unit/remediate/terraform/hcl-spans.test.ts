import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../../../src/remediate/json-text.ts';
import { TerraformEditError } from '../../../../src/remediate/terraform/errors.ts';
import {
  attributeOf,
  findResource,
  formatAddress,
  type HclValue,
  hclString,
  lineColumn,
  parseAddress,
  replaceListItems,
  resourcesOf,
  scanHcl,
} from '../../../../src/remediate/terraform/hcl-spans.ts';
import { IAM_TF, NETWORK_TF } from './samples.ts';

const slice = (text: string, span: { start: number; end: number }) => text.slice(span.start, span.end);

describe('scanHcl', () => {
  it('finds the top-level blocks with labels and 1-based positions, despite braces in strings, comments and heredocs', () => {
    const body = scanHcl(NETWORK_TF);
    expect(body.blocks.map((b) => [b.type, b.labels.join('.'), b.line, b.column])).toEqual([
      ['terraform', '', 1, 1],
      ['resource', 'aws_security_group.web', 11, 1],
      ['resource', 'aws_security_group_rule.web_postgres', 45, 1],
      ['resource', 'aws_vpc_security_group_ingress_rule.web_rdp', 57, 1],
      ['resource', 'aws_vpc_security_group_ingress_rule.web_http', 65, 1],
      ['locals', '', 73, 1],
    ]);
    const web = body.blocks[1]!;
    expect(web.blocks.map((b) => [b.type, b.line])).toEqual([
      ['ingress', 16],
      ['ingress', 25],
      ['egress', 33],
    ]);
    expect(slice(NETWORK_TF, web).startsWith('resource "aws_security_group" "web" {')).toBe(true);
    expect(slice(NETWORK_TF, web).endsWith('  }\n}')).toBe(true);
    expect(web.attributes.map((a) => a.name)).toEqual(['name', 'description', 'vpc_id', 'tags']);
  });

  it('decodes literals and keeps everything else opaque', () => {
    const web = scanHcl(NETWORK_TF).blocks[1]!;
    const ssh = web.blocks[0]!;
    expect(attributeOf(ssh, 'from_port')?.value).toMatchObject({ kind: 'number', value: 22 });
    expect(attributeOf(ssh, 'description')?.value).toMatchObject({ kind: 'string', value: 'SSH for the on-call' });
    const cidrs = attributeOf(ssh, 'cidr_blocks')!.value as Extract<HclValue, { kind: 'list' }>;
    expect(cidrs.items).toMatchObject([{ kind: 'string', value: '0.0.0.0/0' }]);
    expect(slice(NETWORK_TF, cidrs.items[0]!)).toBe('"0.0.0.0/0"');
    expect(attributeOf(web, 'name')?.value.kind).toBe('template');
    expect(attributeOf(web, 'vpc_id')?.value).toMatchObject({ kind: 'expression', text: 'var.vpc_id' });
    expect(attributeOf(web, 'tags')?.value).toMatchObject({ kind: 'object', items: [{ name: 'Name' }] });
    const locals = scanHcl(NETWORK_TF).blocks[5]!;
    const banner = attributeOf(locals, 'banner')!.value;
    expect(banner).toMatchObject({ kind: 'heredoc', template: false });
    expect(slice(NETWORK_TF, banner).endsWith('  EOT')).toBe(true);
  });

  it('reads jsonencode calls, nested objects, heredoc policies and traversals', () => {
    const body = scanHcl(IAM_TF);
    const [ci, app, ops, opsPolicy] = resourcesOf(body).map((r) => r.block);
    const policy = attributeOf(ci!, 'policy')!.value;
    expect(policy).toMatchObject({ kind: 'call', name: 'jsonencode', args: [{ kind: 'object' }] });
    const statements = attributeOf(
      (policy as Extract<HclValue, { kind: 'call' }>).args[0] as Extract<HclValue, { kind: 'object' }>,
      'Statement',
    )!.value as Extract<HclValue, { kind: 'list' }>;
    expect(statements.items).toHaveLength(2);
    const first = statements.items[0] as Extract<HclValue, { kind: 'object' }>;
    expect(first.items.map((i) => i.name)).toEqual(['Sid', 'Effect', 'Action', 'Resource']);
    expect(attributeOf(first, 'Resource')!.value).toMatchObject({ kind: 'list' });
    const second = statements.items[1] as Extract<HclValue, { kind: 'object' }>;
    // Quoted keys ("aws:SecureTransport") are decoded like HCL does.
    const condition = attributeOf(second, 'Condition')!.value as Extract<HclValue, { kind: 'object' }>;
    const bool = attributeOf(condition, 'Bool')!.value as Extract<HclValue, { kind: 'object' }>;
    expect(bool.items[0]).toMatchObject({ name: 'aws:SecureTransport', value: { kind: 'string', value: 'false' } });
    expect(attributeOf(app!, 'policy')?.value).toMatchObject({ kind: 'heredoc', template: true });
    expect(ops!.blocks.map((b) => b.type)).toEqual(['statement', 'statement']);
    expect(attributeOf(opsPolicy!, 'policy')?.value).toMatchObject({
      kind: 'expression',
      text: 'data.aws_iam_policy_document.ops.json',
    });
  });

  it('handles templates with nested quotes, escapes, conditionals and for expressions', () => {
    const text = [
      'locals {',
      `  joined = "\${join(",", [for s in var.subnets : "\${s}/24"])}"`,
      '  quoted = "say \\"hi\\" \\u00e9 $${literal}"',
      '  choice = var.public ? "0.0.0.0/0" : "10.0.0.0/8"',
      '  listed = [for cidr in var.cidrs : cidr if cidr != "0.0.0.0/0"]',
      '  multi = [',
      '    "a", // one',
      '    "b" /* two */',
      '  ]',
      '  # a comment { with a brace',
      '  after = -1',
      '}',
      '',
    ].join('\n');
    const locals = scanHcl(text).blocks[0]!;
    expect(locals.attributes.map((a) => [a.name, a.value.kind])).toEqual([
      ['joined', 'template'],
      ['quoted', 'string'],
      ['choice', 'expression'],
      ['listed', 'expression'],
      ['multi', 'list'],
      ['after', 'number'],
    ]);
    expect(attributeOf(locals, 'quoted')?.value).toMatchObject({ value: `say "hi" é \${literal}` });
    expect(attributeOf(locals, 'after')).toMatchObject({ line: 11, value: { kind: 'number', value: -1 } });
  });

  it('rejects text it cannot read with a TerraformEditError', () => {
    expect(() => scanHcl('resource "x" "y" {\n  a = "unterminated\n}\n')).toThrow(TerraformEditError);
    expect(() => scanHcl('resource "x" "y" {\n  a = 1\n')).toThrow(/expected "}"/);
  });
});

describe('addresses', () => {
  it('parses and formats resource and data addresses', () => {
    expect(parseAddress('aws_security_group.web')).toEqual({
      mode: 'resource',
      type: 'aws_security_group',
      name: 'web',
    });
    expect(formatAddress(parseAddress('data.aws_iam_policy_document.ops'))).toBe('data.aws_iam_policy_document.ops');
    expect(() => parseAddress('module.net.aws_security_group.web')).toThrow(TerraformEditError);
    expect(() => parseAddress('aws_security_group.web[0]')).toThrow(/not a resource address/);
  });

  it('finds a resource, or says which ones of that type the file has', () => {
    const body = scanHcl(NETWORK_TF);
    expect(findResource(body, parseAddress('aws_security_group.web'), 'net.tf').line).toBe(11);
    expect(() => findResource(body, parseAddress('aws_security_group.db'), 'net.tf')).toThrow(
      'net.tf has no aws_security_group.db (it has aws_security_group.web)',
    );
    expect(() => findResource(body, parseAddress('aws_s3_bucket.logs'), 'net.tf')).toThrow(
      /it has no aws_s3_bucket at all/,
    );
  });
});

describe('replaceListItems', () => {
  const listIn = (text: string) => {
    const value = scanHcl(text).attributes[0]!.value as Extract<HclValue, { kind: 'list' }>;
    const items = value.items.map((i) => ({ start: i.start, end: i.end, value: i.kind === 'string' ? i.value : null }));
    return { start: value.start, end: value.end, items };
  };
  const world = (value: string | null) => value === '0.0.0.0/0';

  it('keeps a one-line list on one line', () => {
    const text = 'cidrs = ["10.1.0.0/16", "0.0.0.0/0", var.extra]\n';
    const edits = replaceListItems(text, listIn(text), world, ['"10.0.0.0/8"', '"172.16.0.0/12"'])!;
    expect(applyEdits(text, edits)).toBe('cidrs = ["10.1.0.0/16", "10.0.0.0/8", "172.16.0.0/12", var.extra]\n');
  });

  it('gives each new item its own line in a list of lines, dropping the replaced line with its comment', () => {
    const text = 'cidrs = [\n  "0.0.0.0/0", # everyone\n  "10.1.0.0/16",\n  "0.0.0.0/0"\n]\n';
    const edits = replaceListItems(text, listIn(text), world, [hclString('10.0.0.0/8'), hclString('fd00::/8')])!;
    expect(applyEdits(text, edits)).toBe('cidrs = [\n  "10.0.0.0/8",\n  "fd00::/8",\n  "10.1.0.0/16",\n]\n');
  });

  it('returns null when the list would be left empty, and nothing when nothing matches', () => {
    const text = 'cidrs = ["0.0.0.0/0"]\n';
    expect(replaceListItems(text, listIn(text), world, [])).toBeNull();
    expect(replaceListItems(text, listIn(text), () => false, ['"x"'])).toEqual([]);
  });

  it('quotes HCL strings, escaping template markers', () => {
    expect(hclString(`a"b\\\${c}`)).toBe(`"a\\"b\\\\$\${c}"`);
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
