import { describe, expect, it } from 'vitest';
import { blockPublicAccess } from '../../../../src/remediate/terraform/block-public-access.ts';
import { TerraformEditError } from '../../../../src/remediate/terraform/errors.ts';
import { STORAGE_TF } from './samples.ts';

const NEW_BLOCK = `
resource "aws_s3_bucket_public_access_block" "logs" {
  bucket = aws_s3_bucket.logs.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
`;

describe('blockPublicAccess', () => {
  it('appends a public access block for a bucket that has none, leaving the rest as it was', async () => {
    const result = await blockPublicAccess({ text: STORAGE_TF, path: 'storage.tf', resource: 'aws_s3_bucket.logs' });
    expect(result.after).toBe(STORAGE_TF + NEW_BLOCK);
    expect(result.changes).toEqual([
      'aws_s3_bucket_public_access_block.logs: new public access block for aws_s3_bucket.logs with all four flags true',
    ]);
    expect(result.check).toMatchObject({ status: 'resolved', findings: [] });
  });

  it('flips false flags and adds missing ones, aligned like the block', async () => {
    const result = await blockPublicAccess({ text: STORAGE_TF, resource: 'aws_s3_bucket.assets' });
    expect(result.after).toBe(
      STORAGE_TF.replace(
        '  block_public_acls   = false\n  block_public_policy = true\n}',
        '  block_public_acls   = true\n  block_public_policy = true\n  ignore_public_acls  = true\n' +
          '  restrict_public_buckets = true\n}',
      ),
    );
    expect(result.changes).toEqual([
      'aws_s3_bucket_public_access_block.assets (line 19): block_public_acls = false -> true',
      'aws_s3_bucket_public_access_block.assets: added ignore_public_acls = true, restrict_public_buckets = true',
    ]);
  });

  it('follows the file: tabs, CRLF, no final newline, and a block name already taken', async () => {
    const text =
      'resource "aws_s3_bucket" "data" {\r\n\tbucket = "acme-data"\r\n}\r\n\r\n' +
      'resource "aws_s3_bucket_public_access_block" "data" {\r\n\tbucket = aws_s3_bucket.other.id\r\n}';
    const result = await blockPublicAccess({ text, resource: 'aws_s3_bucket.data' });
    expect(result.after).toBe(
      `${text}\r\n\r\nresource "aws_s3_bucket_public_access_block" "data_public_access" {\r\n` +
        '\tbucket = aws_s3_bucket.data.id\r\n\r\n\tblock_public_acls       = true\r\n\tblock_public_policy     = true\r\n' +
        '\tignore_public_acls      = true\r\n\trestrict_public_buckets = true\r\n}\r\n',
    );
  });

  it('recognises a block that names the bucket literally', async () => {
    const text =
      'resource "aws_s3_bucket" "web" {\n  bucket = "acme-web"\n}\n\n' +
      'resource "aws_s3_bucket_public_access_block" "web" {\n  bucket                  = "acme-web"\n' +
      '  block_public_acls       = true\n  block_public_policy     = var.allow_policy\n' +
      '  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n';
    const result = await blockPublicAccess({ text, resource: 'aws_s3_bucket.web' });
    expect(result.after).toBe(text.replace('= var.allow_policy', '= true'));
  });

  it('refuses a bucket already blocked, a missing bucket and other resource types', async () => {
    const blocked = STORAGE_TF + NEW_BLOCK;
    const reason = (resource: string, text = blocked) =>
      blockPublicAccess({ text, resource }).then(
        () => 'no error',
        (error: unknown) => (error instanceof TerraformEditError ? error.reason : String(error)),
      );
    expect(await reason('aws_s3_bucket.logs')).toBe('no_change');
    expect(await reason('aws_s3_bucket.missing')).toBe('not_found');
    expect(await reason('aws_s3_bucket_versioning.logs')).toBe('unsupported');
  });
});
