import type { z } from 'zod';
import type { ControlSchema } from '../../domain/control.ts';

/** A control as written in the inventory file (defaults not yet applied). */
export type DemoControl = z.input<typeof ControlSchema>;

const HOUR = 3_600_000;

/**
 * The demo's compensating controls. Verification dates are relative to `now`, because a control
 * verified longer ago than the policy's freshness window gives no coverage: a demo written today
 * must show fresh controls.
 *
 * What they do in the demo:
 * - the edge WAF's virtual patch for CVE-2021-23337 fully covers lodash on the production
 *   storefront image (deprioritized), while its managed rule sets give partial coverage;
 * - the Log4j lookup switch covers Log4Shell on the staging inventory image only, so production
 *   stays exposed (and `Act`);
 * - EDR and runtime detection protect hosts, segmentation isolates the data tier, the permissions
 *   boundary caps the IAM identities, and a firewall keeps the admin portal off the internet.
 */
export function demoControls(now: Date): DemoControl[] {
  const verified = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR).toISOString();
  return [
    {
      id: 'waf-edge',
      name: 'Edge WAF (storefront)',
      kind: 'waf',
      product: 'AWS WAF (managed rule groups + custom rules)',
      mode: 'block',
      scope: { tags: ['waf-edge'] },
      capabilities: ['injection', 'xss', 'virtual_patch'],
      rules: [
        {
          id: 'AWSManagedRulesCommonRuleSet',
          name: 'Core rule set (OWASP Top 10 patterns)',
          cwes: ['CWE-79', 'CWE-22'],
          capabilities: ['xss', 'path_traversal'],
        },
        {
          id: 'AWSManagedRulesSQLiRuleSet',
          name: 'SQL injection rule set',
          cwes: ['CWE-89'],
          capabilities: ['injection'],
        },
        {
          // One virtual patch for the storefront's lodash: the template option injection and the
          // whitespace ReDoS in trim/toNumber are both blocked by inspecting the request bodies.
          id: 'vp-lodash-template-cve-2021-23337',
          name: 'Virtual patch: lodash _.template option injection and trim/toNumber whitespace ReDoS',
          cves: ['CVE-2021-23337', 'CVE-2020-28500'],
          cwes: ['CWE-94', 'CWE-1333'],
          capabilities: ['virtual_patch'],
        },
      ],
      enabled: true,
      lastVerifiedAt: verified(20),
      attributes: { webAcl: 'storefront-prod', associatedWith: ['alb-storefront-prod'] },
    },
    {
      id: 'edr-servers',
      name: 'Server EDR',
      kind: 'edr',
      product: 'CrowdStrike Falcon',
      mode: 'block',
      scope: { tags: ['server'] },
      capabilities: ['code_execution_prevention', 'exploit_prevention'],
      enabled: true,
      lastVerifiedAt: verified(6),
      attributes: { policy: 'servers-prevent' },
    },
    {
      id: 'runtime-k8s-nodes',
      name: 'Kubernetes runtime detection',
      kind: 'runtime_protection',
      product: 'Falco',
      mode: 'detect',
      scope: { tags: ['k8s-node'] },
      capabilities: ['code_execution_prevention'],
      enabled: true,
      lastVerifiedAt: verified(30),
      attributes: { ruleset: 'falco_rules.yaml (default)' },
    },
    {
      id: 'seg-data-tier',
      name: 'Data tier segmentation',
      kind: 'segmentation',
      product: 'AWS security groups and network ACLs',
      mode: 'block',
      scope: { networks: ['data'] },
      capabilities: ['network_isolation', 'internet_block'],
      enabled: true,
      lastVerifiedAt: verified(48),
      attributes: { allowedSources: ['app', 'staging'] },
    },
    {
      id: 'fw-admin-vpn-only',
      name: 'Admin tools reachable through the VPN only',
      kind: 'firewall',
      product: 'AWS security groups',
      mode: 'block',
      scope: { tags: ['vpn-only'] },
      capabilities: ['internet_block'],
      enabled: true,
      lastVerifiedAt: verified(72),
      attributes: { allowedSources: ['10.8.0.0/16 (VPN clients)'] },
    },
    {
      id: 'iam-workload-boundary',
      name: 'Workload permissions boundary',
      kind: 'iam_boundary',
      product: 'AWS IAM permissions boundary (workload-boundary)',
      mode: 'block',
      scope: { tags: ['iam'] },
      capabilities: ['privilege_escalation'],
      enabled: true,
      lastVerifiedAt: verified(96),
      attributes: { policyArn: 'arn:aws:iam::123456789012:policy/workload-boundary' },
    },
    {
      id: 'cfg-log4j-nolookups-staging',
      name: 'Log4j message lookups disabled (staging inventory service)',
      kind: 'config_mitigation',
      product: 'Log4j configuration (LOG4J_FORMAT_MSG_NO_LOOKUPS=true)',
      mode: 'block',
      scope: { assetIds: ['img-inventory-service-staging'] },
      rules: [
        {
          id: 'log4j2.formatMsgNoLookups',
          name: 'Disable message lookups (Apache mitigation for Log4j 2.10+)',
          cves: ['CVE-2021-44228'],
        },
      ],
      enabled: true,
      lastVerifiedAt: verified(12),
      attributes: {
        setting: 'LOG4J_FORMAT_MSG_NO_LOOKUPS=true',
        note: 'Does not mitigate CVE-2021-45046; upgrading log4j-core is the fix.',
      },
    },
  ];
}
