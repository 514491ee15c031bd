/** A port that must never be reachable from the whole internet, and why. */
export type SensitivePort = { port: number; service: string; reason: string };

/**
 * Ports whose services are administrative, unauthenticated by default or hold data: an ingress rule open to
 * 0.0.0.0/0 or ::/0 on any of them is an exposure (CIS AWS 5.2/5.3 and the usual scanner rules list the same).
 */
export const SENSITIVE_PORTS: readonly SensitivePort[] = [
  { port: 22, service: 'SSH', reason: 'remote shell: brute force and key theft lead straight to the host' },
  { port: 3389, service: 'RDP', reason: 'remote desktop: a favourite ransomware entry point' },
  { port: 3306, service: 'MySQL', reason: 'database protocol: data theft on any weak password' },
  { port: 5432, service: 'PostgreSQL', reason: 'database protocol: data theft on any weak password' },
  { port: 1433, service: 'SQL Server', reason: 'database protocol: data theft and xp_cmdshell' },
  { port: 1521, service: 'Oracle', reason: 'database listener: data theft and TNS poisoning' },
  { port: 6379, service: 'Redis', reason: 'no authentication by default; writes files, hence code execution' },
  { port: 9200, service: 'Elasticsearch', reason: 'HTTP API without authentication by default: index dumps' },
  { port: 27017, service: 'MongoDB', reason: 'often runs without authentication: database dumps and ransom' },
  { port: 5984, service: 'CouchDB', reason: 'HTTP API: admin party and known remote code execution' },
  { port: 11211, service: 'Memcached', reason: 'no authentication; UDP reflection amplifies DDoS' },
  { port: 2375, service: 'Docker API', reason: 'unencrypted daemon API: root on the host' },
  { port: 2379, service: 'etcd', reason: 'cluster state and Kubernetes secrets' },
];

/** Sources that mean "anyone on the internet". */
export const WORLD_CIDRS: readonly string[] = ['0.0.0.0/0', '::/0'];

export const isWorldCidr = (cidr: unknown): boolean => typeof cidr === 'string' && WORLD_CIDRS.includes(cidr.trim());

/**
 * The ports a rule opens: `all` (protocol -1/all), `none` (ICMP, which has no ports), an inclusive range, or
 * `unknown` when the ports are not literals (variables, references): unknown counts as every port, so a
 * rule is never cleared on a guess.
 */
export type PortRange =
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'unknown' }
  | { kind: 'range'; from: number; to: number };

/** Reads a port or protocol value as Terraform would see a literal; null for references and other expressions. */
function literal(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && !value.includes('${')) return value.trim().toLowerCase();
  return null;
}

/** The ports opened by a rule with these from_port, to_port and protocol (or ip_protocol) values. */
export function portRangeOf(rule: { fromPort: unknown; toPort: unknown; protocol: unknown }): PortRange {
  const protocol = literal(rule.protocol);
  if (protocol === '-1' || protocol === 'all') return { kind: 'all' };
  if (protocol === 'icmp' || protocol === '1' || protocol === 'icmpv6' || protocol === '58') return { kind: 'none' };
  const from = Number(literal(rule.fromPort) ?? Number.NaN);
  const to = Number(literal(rule.toPort) ?? Number.NaN);
  if (!Number.isInteger(from) || !Number.isInteger(to)) return { kind: 'unknown' };
  return { kind: 'range', from: Math.max(0, from), to: Math.min(65535, to) };
}

/** The sensitive ports a range includes, in list order. */
export function sensitivePortsIn(range: PortRange, ports: readonly SensitivePort[] = SENSITIVE_PORTS): SensitivePort[] {
  if (range.kind === 'none') return [];
  if (range.kind === 'all' || range.kind === 'unknown') return [...ports];
  return ports.filter((entry) => entry.port >= range.from && entry.port <= range.to);
}

/** "22 (SSH)", "22 (SSH), 3389 (RDP)" and "+N more" past three: for findings and change notes. */
export function describePorts(ports: readonly SensitivePort[]): string {
  const named = ports.slice(0, 3).map((entry) => `${entry.port} (${entry.service})`);
  return ports.length > 3 ? `${named.join(', ')} and ${ports.length - 3} more` : named.join(', ');
}

/** "22-22/tcp", "all ports" or "icmp": how a rule's ports read in a finding. */
export function describeRange(range: PortRange, protocol: unknown): string {
  if (range.kind === 'all') return 'all ports';
  if (range.kind === 'unknown') return 'ports not given as literals (taken as all)';
  if (range.kind === 'none') return String(protocol);
  const proto = literal(protocol) ?? 'any';
  return range.from === range.to ? `port ${range.from}/${proto}` : `ports ${range.from}-${range.to}/${proto}`;
}
