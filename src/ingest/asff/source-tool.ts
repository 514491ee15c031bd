import { productField } from './product-fields.ts';
import type { AsffFinding } from './schema.ts';

function slug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * The product that produced the finding, not the hub that relayed it: an export from Security
 * Hub mixes its own control checks, Inspector, GuardDuty and partners. `ProductArn` ends in
 * `product/<company>/<product>`: AWS services become `aws-<product>` (aws-securityhub,
 * aws-inspector, aws-guardduty), a partner whose company and product agree keeps one name
 * (`product/prowler/prowler` -> prowler).
 */
export function sourceToolOf(finding: AsffFinding): string {
  const match = /product\/([^/]+)\/([^/]+)$/.exec(finding.ProductArn ?? '');
  if (match) {
    const [company, product] = [slug(match[1]!), slug(match[2]!)];
    if (company === product) return product;
    return `${company}-${product}`;
  }
  const name = finding.ProductName ?? productField(finding, 'aws/securityhub/ProductName');
  return name ? slug(name) : 'aws-securityhub';
}

/** Prowler states its version in ProductFields; Inspector states its generation ("2"). */
export function sourceVersionOf(finding: AsffFinding): string | null {
  return productField(finding, 'ProviderVersion') ?? productField(finding, 'aws/inspector/ProductVersion');
}
