import { applyEdits, type JsonNode, memberOf, readJsonSpans, type TextEdit } from '../json-text.ts';
import {
  isWildcardAction,
  POLICY_DOCUMENT_TYPE,
  POLICY_RESOURCE_TYPES,
  parseTerraform,
  statementLabel,
  type TerraformEdit,
  verifyTerraformEdit,
} from './check-terraform.ts';
import { TerraformEditError } from './errors.ts';
import {
  attributeOf,
  findResource,
  formatAddress,
  type HclAttribute,
  type HclBlock,
  type HclValue,
  hclString,
  lineColumn,
  literalOf,
  parseAddress,
  type ResourceAddress,
  replaceListItems,
  scanHcl,
} from './hcl-spans.ts';

/** An IAM action without wildcards: `service:Action`. */
export const IAM_ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9]+$/;

/** The policy, the statement and the actions it really needs. */
export type NarrowIamInput = {
  text: string;
  path?: string;
  /** aws_iam_policy.x, aws_iam_role_policy.x, aws_iam_user_policy.x, aws_iam_group_policy.x or data.aws_iam_policy_document.x */
  resource: string;
  /** What the statement really needs, e.g. ["s3:GetObject", "s3:PutObject"]; no wildcards. */
  actions: readonly string[];
  /** Which statement, by Sid or 0-based position, when more than one allows a wildcard. */
  statement?: string | number;
};

/** Where a statement's actions are written and how to rewrite them. */
type ActionSpot =
  | { syntax: 'hcl'; value: HclValue }
  | { syntax: 'json'; node: JsonNode; offset: number; source: string };

type Statement = {
  index: number;
  sid: string | null;
  allow: boolean;
  line: number;
  owner: ResourceAddress;
  spot: ActionSpot | null;
};

const str = (value: string | number | boolean | null) => (typeof value === 'string' ? value : null);

function documentStatements(text: string, block: HclBlock, owner: ResourceAddress): Statement[] {
  return block.blocks
    .filter((nested) => nested.type === 'statement')
    .map((nested, index) => {
      const effect = attributeOf(nested, 'effect');
      const actions = attributeOf(nested, 'actions');
      return {
        index,
        sid: str(literalOf(attributeOf(nested, 'sid')?.value)),
        allow: !effect || literalOf(effect.value) !== 'Deny',
        line: lineColumn(text, nested.start).line,
        owner,
        spot: actions ? { syntax: 'hcl', value: actions.value } : null,
      };
    });
}

function jsonencodeStatements(text: string, policy: HclValue, owner: ResourceAddress): Statement[] {
  if (policy.kind !== 'call' || policy.args[0]?.kind !== 'object') return [];
  const list = policy.args[0].items.findLast((item) => item.name === 'Statement')?.value;
  const objects = list?.kind === 'list' ? list.items : list ? [list] : [];
  return objects.flatMap((object, index) => {
    if (object.kind !== 'object') return [];
    const get = (name: string): HclAttribute | undefined => object.items.findLast((item) => item.name === name);
    const action = get('Action');
    return [
      {
        index,
        sid: str(literalOf(get('Sid')?.value)),
        allow: literalOf(get('Effect')?.value) !== 'Deny',
        line: lineColumn(text, object.start).line,
        owner,
        spot: action ? { syntax: 'hcl', value: action.value } : null,
      },
    ];
  });
}

function heredocStatements(
  text: string,
  policy: Extract<HclValue, { kind: 'heredoc' }>,
  owner: ResourceAddress,
): Statement[] {
  const source = text.slice(policy.contentStart, policy.contentEnd);
  let root: JsonNode;
  try {
    JSON.parse(source);
    root = readJsonSpans(source);
  } catch (error) {
    throw new TerraformEditError(
      'unsupported',
      `the policy of ${formatAddress(owner)} is a heredoc that is not plain JSON`,
      error,
    );
  }
  const list = memberOf(root, 'Statement')?.value;
  const objects = list?.type === 'array' ? list.items : list ? [list] : [];
  const scalar = (node: JsonNode | undefined): string | null => {
    if (node?.type !== 'scalar') return null;
    const value: unknown = JSON.parse(source.slice(node.start, node.end));
    return typeof value === 'string' ? value : null;
  };
  return objects.map((object, index) => {
    const action = memberOf(object, 'Action')?.value;
    return {
      index,
      sid: scalar(memberOf(object, 'Sid')?.value),
      allow: scalar(memberOf(object, 'Effect')?.value) !== 'Deny',
      line: lineColumn(text, policy.contentStart + object.start).line,
      owner,
      spot: action ? { syntax: 'json', node: action, offset: policy.contentStart, source } : null,
    };
  });
}

/** The action strings of a spot (literal ones; computed ones are null). */
function actionsAt(spot: ActionSpot): (string | null)[] {
  if (spot.syntax === 'hcl') {
    const value = spot.value;
    if (value.kind === 'string') return [value.value];
    return value.kind === 'list' ? value.items.map((item) => (item.kind === 'string' ? item.value : null)) : [null];
  }
  const decode = (node: JsonNode): string | null => {
    const value: unknown = node.type === 'scalar' ? JSON.parse(spot.source.slice(node.start, node.end)) : null;
    return typeof value === 'string' ? value : null;
  };
  return spot.node.type === 'array' ? spot.node.items.map(decode) : [decode(spot.node)];
}

/** Edits replacing the wildcard actions of one spot by `actions`. */
function spotEdits(text: string, spot: ActionSpot, actions: readonly string[]): TextEdit[] {
  const existing = new Set(actionsAt(spot));
  const insert = actions.filter((action) => !existing.has(action));
  if (spot.syntax === 'hcl') {
    const value = spot.value;
    if (value.kind === 'string') {
      const rendered = actions.length === 1 ? hclString(actions[0]!) : `[${actions.map(hclString).join(', ')}]`;
      return [{ start: value.start, end: value.end, text: rendered }];
    }
    if (value.kind !== 'list') return [];
    const items = value.items.map((item) => ({
      start: item.start,
      end: item.end,
      value: item.kind === 'string' ? item.value : null,
    }));
    return (
      replaceListItems(text, { start: value.start, end: value.end, items }, isWildcardAction, insert.map(hclString)) ??
      []
    );
  }
  const { node, offset } = spot;
  if (node.type !== 'array') {
    const rendered =
      actions.length === 1 ? JSON.stringify(actions[0]) : `[${actions.map((a) => JSON.stringify(a)).join(', ')}]`;
    return [{ start: offset + node.start, end: offset + node.end, text: rendered }];
  }
  const items = node.items.map((item) => ({
    start: offset + item.start,
    end: offset + item.end,
    value: actionsAt({ ...spot, node: item })[0] ?? null,
  }));
  const list = { start: offset + node.start, end: offset + node.end, items };
  return (
    replaceListItems(
      text,
      list,
      isWildcardAction,
      insert.map((a) => JSON.stringify(a)),
    ) ?? []
  );
}

/**
 * Replaces the wildcard actions (`*`, `service:*`) of one Allow statement by an explicit list, in a
 * jsonencode({...}) or heredoc JSON `policy`, or in a data "aws_iam_policy_document" (followed from the
 * policy when it uses one from the same file). When several statements allow a wildcard, `statement` must
 * say which one: a single list of actions is never spread over statements with different purposes. This is
 * identity: the tool that commits it always waits for a human.
 */
export async function narrowIamActions(input: NarrowIamInput): Promise<TerraformEdit> {
  const path = input.path ?? 'main.tf';
  const actions = [...new Set(input.actions)];
  const bad = actions.filter((action) => !IAM_ACTION.test(action));
  if (actions.length === 0 || bad.length) {
    throw new TerraformEditError(
      'invalid',
      `actions must be explicit service:Action names without wildcards (got ${bad.join(', ') || 'none'})`,
    );
  }
  const address = parseAddress(input.resource);
  const isDocument = address.mode === 'data' && address.type === POLICY_DOCUMENT_TYPE;
  if (!isDocument && (address.mode !== 'resource' || !POLICY_RESOURCE_TYPES.includes(address.type))) {
    throw new TerraformEditError(
      'unsupported',
      `narrowing actions applies to ${POLICY_RESOURCE_TYPES.join(', ')} and data.${POLICY_DOCUMENT_TYPE}, not ${input.resource}`,
    );
  }
  await parseTerraform(path, input.text);
  const text = input.text;
  const body = scanHcl(text);
  const block = findResource(body, address, path);
  const touched: ResourceAddress[] = [address];
  let statements: Statement[];
  if (isDocument) {
    statements = documentStatements(text, block, address);
  } else {
    const policy = attributeOf(block, 'policy')?.value;
    const reference =
      policy?.kind === 'expression'
        ? /^data\.aws_iam_policy_document\.([\w-]+)\.json$/.exec(policy.text.replace(/\s+/g, ''))
        : null;
    if (reference) {
      const documentAddress: ResourceAddress = { mode: 'data', type: POLICY_DOCUMENT_TYPE, name: reference[1]! };
      statements = documentStatements(text, findResource(body, documentAddress, path), documentAddress);
      touched.push(documentAddress);
    } else if (policy?.kind === 'call' && policy.name === 'jsonencode' && policy.args[0]?.kind === 'object') {
      statements = jsonencodeStatements(text, policy, address);
    } else if (policy?.kind === 'heredoc') {
      statements = heredocStatements(text, policy, address);
    } else {
      throw new TerraformEditError(
        'unsupported',
        `the policy of ${input.resource} is ${policy ? text.slice(policy.start, policy.end).slice(0, 80) : 'missing'}: ` +
          'only jsonencode({...}), a heredoc of JSON or a data.aws_iam_policy_document from the same file can be narrowed',
      );
    }
  }
  const wildcard = (statement: Statement) =>
    statement.allow && statement.spot !== null && actionsAt(statement.spot).some(isWildcardAction);
  const label = (statement: Statement) =>
    `${formatAddress(statement.owner)} ${statementLabel(statement.index, statement.sid)}`;
  let chosen: Statement;
  if (input.statement !== undefined) {
    const wanted = input.statement;
    const found = statements.find((s) => (typeof wanted === 'number' ? s.index === wanted : s.sid === wanted));
    if (!found) {
      throw new TerraformEditError(
        'not_found',
        `${input.resource} has no statement ${typeof wanted === 'number' ? `#${wanted}` : `with Sid "${wanted}"`} ` +
          `(it has ${statements.map(label).join(', ') || 'no statements'})`,
      );
    }
    if (!wildcard(found)) throw new TerraformEditError('no_change', `${label(found)} allows no wildcard action`);
    chosen = found;
  } else {
    const candidates = statements.filter(wildcard);
    if (candidates.length === 0) {
      throw new TerraformEditError(
        'no_change',
        `no Allow statement of ${input.resource} grants "*" or "service:*" actions`,
      );
    }
    if (candidates.length > 1) {
      throw new TerraformEditError(
        'ambiguous',
        `${candidates.length} statements allow wildcard actions (${candidates.map(label).join(', ')}): ` +
          'say which one (by Sid or 0-based position); each needs its own list of actions',
      );
    }
    chosen = candidates[0]!;
  }
  const spot = chosen.spot!;
  const edits = spotEdits(text, spot, actions);
  const before = actionsAt(spot).filter(isWildcardAction);
  const changes = [
    `${label(chosen)} (line ${chosen.line}): ${before.map((a) => `"${a}"`).join(', ')} -> ${actions.map((a) => `"${a}"`).join(', ')}`,
  ];
  const after = applyEdits(text, edits);
  const check = await verifyTerraformEdit({
    path,
    before: text,
    after,
    check: 'wildcard_iam',
    target: input.resource,
    touched,
    expect: 'fewer',
  });
  return { before: text, after, changes, check };
}
