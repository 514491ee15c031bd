/**
 * Names shared by the demo estate's inventory, scanner reports and repositories. Scanner output
 * is matched to assets by exact identifiers, so each name is written once here and every file
 * that must agree on it imports it.
 */

/** The demo's AWS account and region (the documentation account id). */
export const AWS_ACCOUNT = '123456789012';
export const AWS_REGION = 'eu-west-1';

/** Where the demo's container images live. */
export const REGISTRY = 'registry.example.com/acme';

/** The base image every Node.js image of the demo is built from, and the patched one to move to. */
export const NODE_BASE_IMAGE = 'node:18.12.0-alpine3.16';
export const NODE_PATCHED_BASE_IMAGE = 'node:18.20.4-alpine3.20';

/** The five repositories: folder name under `repos/`, inventory asset id and URL (the scanners' name for them). */
export const REPOS = {
  payments: {
    name: 'payments-api',
    assetId: 'repo-payments-api',
    url: 'https://git.example.com/acme/payments-api',
  },
  recommendations: {
    name: 'recommendations',
    assetId: 'repo-recommendations',
    url: 'https://git.example.com/acme/recommendations',
  },
  inventory: {
    name: 'inventory-service',
    assetId: 'repo-inventory-service',
    url: 'https://git.example.com/acme/inventory-service',
  },
  infra: {
    name: 'platform-infra',
    assetId: 'repo-platform-infra',
    url: 'https://git.example.com/acme/platform-infra',
  },
  storefront: {
    name: 'storefront-web',
    assetId: 'repo-storefront-web',
    url: 'https://git.example.com/acme/storefront-web',
  },
} as const;

export type RepoKey = keyof typeof REPOS;

/** Container images that scanners report on, as `ArtifactName` spells them. */
export const IMAGES = {
  storefrontProd: `${REGISTRY}/storefront-web:3.4.1`,
  storefrontStaging: `${REGISTRY}/storefront-web:3.5.0-rc.1`,
  inventoryProd: `${REGISTRY}/inventory-service:2.8.0`,
  inventoryStaging: `${REGISTRY}/inventory-service:2.9.0-rc.2`,
  paymentsProd: `${REGISTRY}/payments-api:5.2.0`,
} as const;

/**
 * npm audit reports name no project, so the pipeline attributes them by the report's file name;
 * the payments repository carries this name as an identifier.
 */
export const NPM_AUDIT_FILE = 'npm-audit-payments-api.json';

/** Cloud resources that Prowler reports on, by ARN. */
export const ARNS = {
  bastionSecurityGroup: `arn:aws:ec2:${AWS_REGION}:${AWS_ACCOUNT}:security-group/sg-0b7e3c1f2a9d84e65`,
  marketingBucket: 'arn:aws:s3:::acme-marketing-assets',
  paymentsExportsBucket: 'arn:aws:s3:::acme-payments-exports',
  mlTrainingBucket: 'arn:aws:s3:::acme-ml-training-data',
  ciDeployPolicy: `arn:aws:iam::${AWS_ACCOUNT}:policy/ci-deploy-policy`,
  ciDeployerRole: `arn:aws:iam::${AWS_ACCOUNT}:role/ci-deployer`,
  inventoryServiceRole: `arn:aws:iam::${AWS_ACCOUNT}:role/inventory-service`,
  paymentsApiRole: `arn:aws:iam::${AWS_ACCOUNT}:role/payments-api`,
  breakGlassRole: `arn:aws:iam::${AWS_ACCOUNT}:role/break-glass-admin`,
  ordersDb: `arn:aws:rds:${AWS_REGION}:${AWS_ACCOUNT}:db:orders-prod`,
  paymentsDb: `arn:aws:rds:${AWS_REGION}:${AWS_ACCOUNT}:db:payments-prod`,
  inventoryDb: `arn:aws:rds:${AWS_REGION}:${AWS_ACCOUNT}:cluster:inventory-prod`,
  analyticsDb: `arn:aws:rds:${AWS_REGION}:${AWS_ACCOUNT}:db:analytics-staging`,
  sessionCache: `arn:aws:elasticache:${AWS_REGION}:${AWS_ACCOUNT}:replicationgroup:sessions-prod`,
  eksProd: `arn:aws:eks:${AWS_REGION}:${AWS_ACCOUNT}:cluster/prod`,
  storefrontAlb: `arn:aws:elasticloadbalancing:${AWS_REGION}:${AWS_ACCOUNT}:loadbalancer/app/storefront-prod/4f1c2d3e5a6b7c8d`,
} as const;

/** The Terraform addresses of the misconfigured resources in the platform-infra repository. */
export const TERRAFORM = {
  file: 'main.tf',
  bastionSecurityGroup: 'aws_security_group.bastion',
  marketingBucket: 'aws_s3_bucket.marketing_assets',
  ciDeployPolicy: 'aws_iam_policy.ci_deploy',
} as const;
