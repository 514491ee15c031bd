/**
 * ASFF records carry `"SchemaVersion": "2018-10-08"` and a Security Hub `ProductArn`; those are
 * specific. A `Findings` array of objects with `GeneratorId` and `AwsAccountId` is the weaker,
 * generic shape (partners sometimes omit the schema version).
 */
export function detectAsff(head: string, _fileName: string): number {
  const body = head.replace(/^\uFEFF/, '').trimStart();
  if (!body.startsWith('{') && !body.startsWith('[')) return 0;
  const schemaVersion = /"SchemaVersion"\s*:\s*"2018-10-08"/.test(head);
  const productArn = /"ProductArn"\s*:\s*"arn:aws[\w-]*:securityhub:/.test(head);
  if (schemaVersion && productArn) return 0.95;
  const shape = /"GeneratorId"\s*:/.test(head) && /"AwsAccountId"\s*:/.test(head) && /"Resources"\s*:\s*\[/.test(head);
  if ((schemaVersion || productArn) && shape) return 0.9;
  if (shape && /"[Ff]indings"\s*:\s*\[/.test(head)) return 0.6;
  return 0;
}
