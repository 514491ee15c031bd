import { once } from 'node:events';
import fs from 'node:fs';

/**
 * Writes a synthetic Trivy JSON report in Trivy's kubernetes (cluster) form, which covers many
 * workloads and images in one file: `findings` vulnerabilities spread over `images` workloads
 * and a pool of packages and CVEs. Streams to disk, so 1,000,000 findings need no large heap.
 */
export async function writeSyntheticTrivy(file: string, findings: number, images: number): Promise<number> {
  const out = fs.createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('{"ClusterName":"bench-cluster","Vulnerabilities":[');
  const perImage = Math.ceil(findings / images);
  let written = 0;
  for (let image = 0; image < images && written < findings; image++) {
    const vulns: string[] = [];
    for (let i = 0; i < perImage && written < findings; i++, written++) {
      const pkg = `pkg-${(image * 7 + i) % 2000}`;
      const cve = `CVE-2024-${10000 + ((image * 31 + i) % 40000)}`;
      vulns.push(
        JSON.stringify({
          VulnerabilityID: cve,
          PkgID: `${pkg}@1.${i % 10}.0`,
          PkgName: pkg,
          PkgIdentifier: { PURL: `pkg:npm/${pkg}@1.${i % 10}.0` },
          InstalledVersion: `1.${i % 10}.0`,
          FixedVersion: `1.${i % 10}.1`,
          Status: 'fixed',
          Severity: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'][i % 4],
          Title: `${pkg}: synthetic vulnerability ${cve}`,
          Description: `A synthetic description of ${cve} in ${pkg}. `.repeat(6),
          CweIDs: ['CWE-79'],
          CVSS: { nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', V3Score: 6.1 } },
          References: [`https://nvd.nist.gov/vuln/detail/${cve}`],
        }),
      );
    }
    await write(
      `${image ? ',' : ''}{"Namespace":"team-${image % 50}","Kind":"Deployment","Name":"service-${image}","Results":[{"Target":"registry.example.com/team-${image % 50}/service-${image}:1.0 (node_modules)","Class":"lang-pkgs","Type":"node-pkg","Vulnerabilities":[${vulns.join(',')}]}]}`,
    );
  }
  await write(']}');
  out.end();
  await once(out, 'finish');
  return written;
}
