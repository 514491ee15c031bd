import type { Coverage } from '../../domain/exposure.ts';
import type { ExposureContext } from '../../domain/priority.ts';

/** A counted control as the effect sentence cites it. */
export type CitedControl = {
  controlId: string;
  controlKind: string;
  ruleId: string | null;
  /** The mapping's short label, e.g. "virtual patch for CVE-2021-44228". */
  label: string;
  coverage: 'full' | 'partial' | 'none';
  controlled: boolean;
};

const REMEDY: Readonly<Record<ExposureContext['kind'], string>> = {
  package: 'the package is upgraded',
  code: 'the code is fixed',
  misconfiguration: 'the configuration is corrected',
  cloud: 'the configuration is corrected',
  secret: 'the secret is rotated',
};

/**
 * One plain-English sentence on what the counted controls do to exploitability and exposure.
 * It always ends by saying the flaw itself remains: compensating controls buy time, they do
 * not close the finding.
 */
export function describeEffect(
  coverage: Coverage,
  reachable: 'open' | 'controlled',
  cited: readonly CitedControl[],
  context: ExposureContext,
): string {
  const until = `until ${REMEDY[context.kind]}`;
  const where = context.component ? ` in ${context.component}` : '';
  const fencing = cited.filter((c) => c.controlled);
  const fence =
    reachable === 'controlled'
      ? `${list(fencing)} ${fencing.length > 1 ? 'keep' : 'keeps'} inbound internet traffic away, so only an attacker already inside the network can reach it`
      : null;

  if (coverage === 'full') {
    const blockers = cited.filter((c) => c.coverage === 'full');
    const edge = blockers.every((c) => c.controlKind === 'waf') ? ' at the edge' : '';
    return joinClauses([`Blocked${edge} by ${list(blockers)}`, fence, `the flaw remains${where} ${until}`]);
  }
  if (coverage === 'partial') {
    const hinderers = cited.filter((c) => c.coverage === 'partial');
    return joinClauses([
      `Partly mitigated by ${list(hinderers)}, which ${hinderers.length > 1 ? 'stop' : 'stops'} common attacks but not all`,
      fence,
      `the flaw remains exploitable${where} by attacks that evade ${hinderers.length > 1 ? 'them' : 'it'} ${until}`,
    ]);
  }
  if (reachable === 'controlled') {
    return joinClauses([
      `Not reachable from the internet: ${fence}`,
      `nothing counters the flaw itself, which remains exploitable${where} from inside the network ${until}`,
    ]);
  }
  return joinClauses([
    'No enabled, in-scope and recently verified control covers this exposure',
    `it is as exploitable as the flaw${where} itself ${until}`,
  ]);
}

function cite(control: CitedControl): string {
  const rule = control.ruleId ? ` rule ${control.ruleId}` : '';
  return `${control.controlId}${rule} (${control.label})`;
}

function list(controls: readonly CitedControl[]): string {
  const parts = controls.map(cite);
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function joinClauses(clauses: (string | null)[]): string {
  return `${clauses.filter((clause) => clause !== null).join('; ')}.`;
}
