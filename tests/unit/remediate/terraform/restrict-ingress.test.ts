import { describe, expect, it } from 'vitest';
import { checkTerraform } from '../../../../src/remediate/terraform/check-terraform.ts';
import { TerraformEditError } from '../../../../src/remediate/terraform/errors.ts';
import { cidrFamily, isNarrowCidr, restrictIngress } from '../../../../src/remediate/terraform/restrict-ingress.ts';
import { NETWORK_TF } from './samples.ts';

/** Replaces one exact, unique piece of the sample: the expected text is the sample with only these lines changed. */
function edit(text: string, ...pairs: [string, string][]): string {
  let result = text;
  for (const [from, to] of pairs) {
    expect(result.split(from)).toHaveLength(2);
    result = result.replace(from, to);
  }
  return result;
}

async function reasonOf(attempt: Promise<unknown>): Promise<string> {
  const error = await attempt.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TerraformEditError);
  return (error as TerraformEditError).reason;
}

describe('restrictIngress', () => {
  it('narrows the group and its attached rules on sensitive ports, and nothing else', async () => {
    const result = await restrictIngress({
      text: NETWORK_TF,
      path: 'network.tf',
      resource: 'aws_security_group.web',
      allowedCidrs: ['10.0.0.0/8'],
    });
    expect(result.before).toBe(NETWORK_TF);
    expect(result.after).toBe(
      edit(
        NETWORK_TF,
        [
          '    cidr_blocks      = ["0.0.0.0/0"]\n    ipv6_cidr_blocks = ["::/0"]\n',
          '    cidr_blocks      = ["10.0.0.0/8"]\n',
        ],
        ['    "0.0.0.0/0", # TODO: remove after the migration\n', '    "10.0.0.0/8",\n'],
        [
          '  cidr_ipv4         = "0.0.0.0/0"\n  from_port         = 3389',
          '  cidr_ipv4         = "10.0.0.0/8"\n  from_port         = 3389',
        ],
      ),
    );
    expect(result.changes).toEqual([
      'aws_security_group.web ingress #1 (line 16): cidr_blocks "0.0.0.0/0" -> "10.0.0.0/8"; it opened port 22/tcp, including 22 (SSH)',
      'aws_security_group.web ingress #1 (line 16): ipv6_cidr_blocks "::/0" -> removed; it opened port 22/tcp, including 22 (SSH)',
      'aws_security_group_rule.web_postgres the ingress rule (line 45): cidr_blocks "0.0.0.0/0" -> "10.0.0.0/8"; it opened port 5432/tcp, including 5432 (PostgreSQL)',
      'aws_vpc_security_group_ingress_rule.web_rdp the ingress rule (line 57): cidr_ipv4 "0.0.0.0/0" -> "10.0.0.0/8"; it opened port 3389/tcp, including 3389 (RDP)',
    ]);
    expect(result.check.status).toBe('resolved');
    // HTTPS and HTTP stay open to the world: they are meant to be.
    expect(result.after).toContain(
      '    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]',
    );
    expect(result.after).toContain('  cidr_ipv4         = "0.0.0.0/0"\n  from_port         = 80\n');
    // The heredoc that merely looks like an ingress block is text, not Terraform.
    expect(result.after).toContain('      cidr_blocks = ["0.0.0.0/0"]\n    }\n  EOT');
  });

  it('maps each family to its CIDRs and copies a one-CIDR rule for every further CIDR', async () => {
    const result = await restrictIngress({
      text: NETWORK_TF,
      resource: 'aws_security_group.web',
      allowedCidrs: ['10.0.0.0/8', '192.168.0.0/16', 'fd00::/8'],
    });
    expect(result.after).toBe(
      edit(
        NETWORK_TF,
        [
          '    cidr_blocks      = ["0.0.0.0/0"]\n    ipv6_cidr_blocks = ["::/0"]\n',
          '    cidr_blocks      = ["10.0.0.0/8", "192.168.0.0/16"]\n    ipv6_cidr_blocks = ["fd00::/8"]\n',
        ],
        ['    "0.0.0.0/0", # TODO: remove after the migration\n', '    "10.0.0.0/8",\n    "192.168.0.0/16",\n'],
        [
          '  cidr_ipv4         = "0.0.0.0/0"\n  from_port         = 3389\n  ip_protocol       = "tcp"\n  to_port           = 3389\n}\n',
          '  cidr_ipv4         = "10.0.0.0/8"\n  from_port         = 3389\n  ip_protocol       = "tcp"\n  to_port           = 3389\n}\n' +
            '\nresource "aws_vpc_security_group_ingress_rule" "web_rdp_2" {\n' +
            '  security_group_id = aws_security_group.web.id\n  cidr_ipv4         = "192.168.0.0/16"\n' +
            '  from_port         = 3389\n  ip_protocol       = "tcp"\n  to_port           = 3389\n}\n',
        ],
      ),
    );
    expect(result.changes.at(-1)).toBe(
      'aws_vpc_security_group_ingress_rule.web_rdp_2: new copy of aws_vpc_security_group_ingress_rule.web_rdp allowing cidr_ipv4 "192.168.0.0/16"',
    );
  });

  it('changes only the named rule resource', async () => {
    const result = await restrictIngress({
      text: NETWORK_TF,
      resource: 'aws_security_group_rule.web_postgres',
      allowedCidrs: ['10.0.0.0/8'],
    });
    expect(result.after).toBe(
      edit(NETWORK_TF, ['    "0.0.0.0/0", # TODO: remove after the migration\n', '    "10.0.0.0/8",\n']),
    );
    // The group itself is still open on SSH: a check of the group says so.
    const group = await checkTerraform(
      [{ path: 'main.tf', text: result.after }],
      'open_ingress',
      'aws_security_group.web',
    );
    expect(group.status).toBe('affected');
  });

  it('treats protocol -1 as every port and ICMP as none', async () => {
    const text = [
      'resource "aws_security_group" "legacy" {',
      '  ingress {',
      '    from_port   = 0',
      '    to_port     = 0',
      '    protocol    = "-1"',
      '    cidr_blocks = ["0.0.0.0/0"]',
      '  }',
      '  ingress {',
      '    from_port   = -1',
      '    to_port     = -1',
      '    protocol    = "icmp"',
      '    cidr_blocks = ["0.0.0.0/0"]',
      '  }',
      '}',
      '',
    ].join('\n');
    const result = await restrictIngress({ text, resource: 'aws_security_group.legacy', allowedCidrs: ['10.0.0.0/8'] });
    expect(result.after).toBe(text.replace('["0.0.0.0/0"]', '["10.0.0.0/8"]'));
    expect(result.changes[0]).toMatch(
      /it opened all ports, including 22 \(SSH\), 3389 \(RDP\), 3306 \(MySQL\) and 10 more$/,
    );
  });

  it('takes ports given as variables as every port', async () => {
    const text =
      'resource "aws_security_group_rule" "app" {\n  type        = "ingress"\n  from_port   = var.port\n' +
      '  to_port     = var.port\n  protocol    = "tcp"\n  cidr_blocks = ["0.0.0.0/0"]\n  security_group_id = "sg-1"\n}\n';
    const result = await restrictIngress({
      text,
      resource: 'aws_security_group_rule.app',
      allowedCidrs: ['10.0.0.0/8'],
    });
    expect(result.after).toBe(text.replace('["0.0.0.0/0"]', '["10.0.0.0/8"]'));
  });

  it('refuses what it cannot do, with a reason', async () => {
    const run = (resource: string, allowedCidrs = ['10.0.0.0/8'], text = NETWORK_TF) =>
      reasonOf(restrictIngress({ text, resource, allowedCidrs }));
    expect(await run('aws_security_group.db')).toBe('not_found');
    expect(await run('aws_vpc_security_group_ingress_rule.web_http')).toBe('no_change');
    const egress = NETWORK_TF.replace('type      = "ingress"', 'type      = "egress"');
    expect(await run('aws_security_group_rule.web_postgres', ['10.0.0.0/8'], egress)).toBe('no_change');
    expect(await run('aws_s3_bucket.logs')).toBe('unsupported');
    expect(await run('aws_security_group.web', ['0.0.0.0/0'])).toBe('invalid');
    expect(await run('aws_security_group.web', ['10.0.0.0/33'])).toBe('invalid');
    expect(await run('aws_security_group.web', [])).toBe('invalid');
    expect(await run('aws_security_group.web', ['10.0.0.0/8'], 'resource "aws_security_group" "web" {\n')).toBe(
      'invalid',
    );
    // An IPv6-only rule with no IPv6 CIDR allowed: removing it is a person's call.
    const v6 = NETWORK_TF.replace(
      'cidr_ipv4         = "0.0.0.0/0"\n  from_port         = 3389',
      'cidr_ipv6         = "::/0"\n  from_port         = 3389',
    );
    expect(await run('aws_vpc_security_group_ingress_rule.web_rdp', ['10.0.0.0/8'], v6)).toBe('unsupported');
  });

  it('tells CIDR families apart', () => {
    expect([cidrFamily('10.0.0.0/8'), cidrFamily('fd00::/8'), cidrFamily('10.0.0.0'), cidrFamily('::/129')]).toEqual([
      4, 6, 0, 0,
    ]);
    expect([isNarrowCidr('0.0.0.0/0'), isNarrowCidr('::/0'), isNarrowCidr('192.168.1.1/32')]).toEqual([
      false,
      false,
      true,
    ]);
  });
});
