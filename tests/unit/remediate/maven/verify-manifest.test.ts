import { describe, expect, it } from 'vitest';
import { editPom } from '../../../../src/remediate/maven/pom-edit.ts';
import { checkMavenDependency, pomMentions } from '../../../../src/remediate/maven/verify-manifest.ts';
import { hasSharedFixtures } from '../../../helpers/fixtures.ts';
import { osvAdvisories, sharedManifest } from '../support.ts';

const LOG4SHELL = 'GHSA-jfh8-c2jp-5v3q';
const LOG4J_INCOMPLETE = 'GHSA-7rjr-3q55-vv33';
const LOG4J_CORE = 'org.apache.logging.log4j:log4j-core';
const SPRING4SHELL = 'GHSA-36p3-wjmg-h94x';

describe.skipIf(!hasSharedFixtures)('checkMavenDependency on java-goof', () => {
  const goof = sharedManifest('java-goof-log4shell-server', 'pom.xml');
  // The same POM as it stood before its 2.15.0 upgrade (built in memory from the fixture).
  const goof2141 = goof.replace('<version>2.15.0</version>', '<version>2.14.1</version>');
  const check = async (pom: string) =>
    checkMavenDependency({
      pom,
      packageName: LOG4J_CORE,
      advisories: await osvAdvisories([LOG4SHELL, LOG4J_INCOMPLETE], 'maven'),
    });

  it('finds 2.14.1 affected by both log4j advisories and 2.15.0 by the incomplete fix', async () => {
    expect(await check(goof2141)).toMatchObject({
      status: 'affected',
      versions: [{ source: 'pom.xml dependencies', version: '2.14.1', affectedBy: [LOG4SHELL, LOG4J_INCOMPLETE] }],
    });
    expect(await check(goof)).toMatchObject({
      status: 'affected',
      versions: [{ source: 'pom.xml dependencies', version: '2.15.0', affectedBy: [LOG4J_INCOMPLETE] }],
    });
  });

  it('is resolved after the bump to 2.16.0 and still affected after a deliberately wrong 2.15.0', async () => {
    const fixed = editPom({ pom: goof2141, packageName: LOG4J_CORE, target: '2.16.0' }).files[0]!.after;
    expect(await check(fixed)).toEqual({
      status: 'resolved',
      versions: [{ source: 'pom.xml dependencies', version: '2.16.0', affectedBy: [] }],
      evidence:
        `${LOG4J_CORE}: no version affected by ${LOG4SHELL}, ${LOG4J_INCOMPLETE} remains; ` +
        'found pom.xml dependencies 2.16.0.',
    });
    const wrong = editPom({ pom: goof2141, packageName: LOG4J_CORE, target: '2.15.0' }).files[0]!.after;
    const result = await check(wrong);
    expect(result.status).toBe('affected');
    expect(result.evidence).toContain(`2.15.0 (affected by ${LOG4J_INCOMPLETE})`);
  });

  it('is affected when a profile keeps an old version even though the main declaration is fixed', async () => {
    const fixed = editPom({ pom: goof2141, packageName: LOG4J_CORE, target: '2.16.0' }).files[0]!.after;
    const profile =
      '  <profiles>\n    <profile>\n      <id>legacy</id>\n      <dependencies>\n        <dependency>\n' +
      '          <groupId>org.apache.logging.log4j</groupId>\n          <artifactId>log4j-core</artifactId>\n' +
      '          <version>2.14.1</version>\n        </dependency>\n      </dependencies>\n    </profile>\n' +
      '  </profiles>\n</project>';
    const result = await check(fixed.replace('</project>', profile));
    expect(result.status).toBe('affected');
    expect(result.versions.map((v) => v.source)).toEqual([
      'pom.xml dependencies',
      'pom.xml profile legacy dependencies',
    ]);
  });
});

describe.skipIf(!hasSharedFixtures)('checkMavenDependency on spring-petclinic', () => {
  const petclinic = sharedManifest('spring-petclinic-2022-02', 'pom.xml');
  const check = async (pom: string, packageName: string) =>
    checkMavenDependency({ pom, packageName, advisories: await osvAdvisories([SPRING4SHELL], 'maven') });

  it('is pending for a starter whose version the parent manages, resolved once this POM pins it', async () => {
    const starter = 'org.springframework.boot:spring-boot-starter-web';
    const head = await check(petclinic, starter);
    expect(head).toMatchObject({ status: 'pending', versions: [] });
    expect(head.evidence).toContain('no version: a parent or BOM manages it');
    const fixed = editPom({ pom: petclinic, packageName: starter, target: '2.6.6' }).files[0]!.after;
    expect(await check(fixed, starter)).toMatchObject({
      status: 'resolved',
      versions: [{ source: 'pom.xml dependencyManagement', version: '2.6.6', affectedBy: [] }],
    });
    const wrong = editPom({ pom: petclinic, packageName: starter, target: '2.6.5' }).files[0]!.after;
    expect((await check(wrong, starter)).status).toBe('affected');
  });

  it('knows a transitive artifact is not in the POM until it is pinned', async () => {
    const beans = 'org.springframework:spring-beans';
    expect(pomMentions(petclinic, beans)).toBe(false);
    const fixed = editPom({ pom: petclinic, packageName: beans, target: '5.3.18' }).files[0]!.after;
    expect(pomMentions(fixed, beans)).toBe(true);
    expect(await check(fixed, beans)).toMatchObject({ status: 'resolved' });
  });
});
