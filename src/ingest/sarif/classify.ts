import type { FindingKind } from '../../domain/finding.ts';
import { normalizeVulnId } from '../common/normalize.ts';

const VULN_ID = /^(CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3}|(?:PYSEC|RUSTSEC|GO|GSD|OSV)-\d{4}-\d+)(?![0-9a-z])/i;

/** Tools whose every result is a leaked secret. */
const SECRET_TOOLS = /gitleaks|trufflehog|detect-secrets|secretlint|ggshield|talisman|whispers|nosey ?parker/i;
/** IaC, container-configuration and cluster-configuration checkers. */
const CONFIG_TOOLS =
  /checkov|dockle|tfsec|tflint|kics|terrascan|hadolint|kube-?linter|kubesec|kube-?score|cfn[-_ ]?(lint|nag|guard)|snyk iac|regula|conftest|trivy[- ]?config/i;
/** Dependency (SCA) scanners: their rules are vulnerabilities of third-party packages. */
const PACKAGE_TOOLS =
  /dependency-check|grype|osv-scanner|retire|npm audit|pip-audit|govulncheck|snyk open source|owasp dependency/i;

/**
 * The vulnerability id a rule id starts with: `CVE-2019-11358` (dependency-check) or
 * `CVE-2011-5034` out of Grype's `CVE-2011-5034-geronimo-j2ee-management_1.1_spec`.
 */
export function vulnIdIn(ruleId: string): string | null {
  const match = VULN_ID.exec(ruleId.trim());
  return match ? normalizeVulnId(match[1]!) : null;
}

/**
 * What kind of finding a result is. SARIF has no such field, so this reads the signals
 * producers give: Trivy's rule tags (`vulnerability`, `misconfiguration`, `secret`), a rule id
 * that is a vulnerability id, an artifact identified by a purl (dependency-check), and finally
 * the tool itself.
 * Anything else is a code (SAST) finding.
 */
export function kindOf(signals: {
  toolName: string;
  tags: string[];
  vulnId: string | null;
  hasPackage: boolean;
}): FindingKind {
  const tags = new Set(signals.tags.map((tag) => tag.toLowerCase()));
  if (tags.has('secret') || tags.has('secrets') || SECRET_TOOLS.test(signals.toolName)) return 'secret';
  if (tags.has('misconfiguration') || tags.has('iac') || CONFIG_TOOLS.test(signals.toolName)) return 'misconfiguration';
  if (tags.has('vulnerability') || signals.vulnId || signals.hasPackage || PACKAGE_TOOLS.test(signals.toolName)) {
    return 'package';
  }
  return 'code';
}
