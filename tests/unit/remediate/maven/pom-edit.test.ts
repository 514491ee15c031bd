import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { ManifestEditError } from '../../../../src/remediate/dependency-edit.ts';
import { editPom } from '../../../../src/remediate/maven/pom-edit.ts';
import { mavenFloor } from '../../../../src/remediate/maven/pom-model.ts';
import { hasSharedFixtures } from '../../../helpers/fixtures.ts';
import { sharedManifest } from '../support.ts';

const LOG4J_CORE = 'org.apache.logging.log4j:log4j-core';

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<project>
\t<modelVersion>4.0.0</modelVersion>
\t<groupId>com.example</groupId>
\t<artifactId>shop</artifactId>
\t<version>1.0.0</version>
\t<properties>
\t\t<jackson.version>2.13.1</jackson.version>
\t</properties>
\t<dependencyManagement>
\t\t<dependencies>
\t\t\t<dependency>
\t\t\t\t<groupId>org.springframework</groupId>
\t\t\t\t<artifactId>spring-beans</artifactId>
\t\t\t\t<version>5.3.15</version>
\t\t\t</dependency>
\t\t</dependencies>
\t</dependencyManagement>
\t<dependencies>
\t\t<dependency>
\t\t\t<groupId>com.fasterxml.jackson.core</groupId>
\t\t\t<artifactId>jackson-databind</artifactId>
\t\t\t<version>\${jackson.version}</version>
\t\t</dependency>
\t\t<dependency>
\t\t\t<groupId>com.fasterxml.jackson.core</groupId>
\t\t\t<artifactId>jackson-annotations</artifactId>
\t\t\t<version>\${jackson.version}</version>
\t\t</dependency>
\t\t<dependency>
\t\t\t<groupId>\${project.groupId}</groupId>
\t\t\t<artifactId>shop-core</artifactId>
\t\t\t<version>\${project.version}</version>
\t\t</dependency>
\t\t<!-- <dependency><artifactId>commented-out</artifactId></dependency> -->
\t</dependencies>
</project>
`;

const edit = (pom: string, packageName: string, target: string) => editPom({ pom, packageName, target });
const parsed = (xml: string) => new XMLParser().parse(xml) as { project: Record<string, unknown> };

describe('mavenFloor', () => {
  it.each([
    ['2.14.1', '2.14.1'],
    ['[2.17.1,3.0)', '2.17.1'],
    ['[2.17.1]', '2.17.1'],
    ['(,2.0]', '0'],
    [`\${x}`, null],
  ])('%s → %s', (version, floor) => {
    expect(mavenFloor(version)).toBe(floor);
  });
});

describe('editPom', () => {
  it('raises a managed literal version in dependencyManagement, tabs and all', () => {
    const result = edit(POM, 'org.springframework:spring-beans', '5.3.18');
    expect(result).toMatchObject({
      direct: false,
      section: 'dependencyManagement',
      previousSpec: '5.3.15',
      previousVersion: '5.3.15',
      newSpec: '5.3.18',
      lockfile: 'absent',
      notes: [],
    });
    expect(result.files[0]!.after).toBe(POM.replace('<version>5.3.15</version>', '<version>5.3.18</version>'));
  });

  it('raises the property a version uses and says which other artifacts move with it', () => {
    const result = edit(POM, 'com.fasterxml.jackson.core:jackson-databind', '2.13.2.1');
    expect(result).toMatchObject({
      direct: true,
      section: 'properties',
      previousSpec: `\${jackson.version}`,
      previousVersion: '2.13.1',
    });
    expect(result.files[0]!.after).toBe(
      POM.replace('<jackson.version>2.13.1</jackson.version>', '<jackson.version>2.13.2.1</jackson.version>'),
    );
    expect(result.notes).toEqual([
      'property jackson.version also sets the version of com.fasterxml.jackson.core:jackson-annotations.',
    ]);
  });

  it('adds a transitive artifact to the existing dependencyManagement, indented like its siblings', () => {
    const result = edit(POM, LOG4J_CORE, '2.16.0');
    expect(result).toMatchObject({ direct: false, section: 'dependencyManagement', previousSpec: null });
    expect(result.files[0]!.after).toBe(
      POM.replace(
        '\t\t\t</dependency>\n\t\t</dependencies>\n\t</dependencyManagement>',
        '\t\t\t</dependency>\n\t\t\t<dependency>\n\t\t\t\t<groupId>org.apache.logging.log4j</groupId>\n' +
          '\t\t\t\t<artifactId>log4j-core</artifactId>\n\t\t\t\t<version>2.16.0</version>\n\t\t\t</dependency>\n' +
          '\t\t</dependencies>\n\t</dependencyManagement>',
      ),
    );
  });

  it('defines a property inherited from the parent in this POM', () => {
    const pom = [
      '<project>',
      '  <parent><groupId>p</groupId><artifactId>p</artifactId><version>1</version></parent>',
      '  <dependencies>',
      '    <dependency>',
      '      <groupId>org.apache.logging.log4j</groupId>',
      '      <artifactId>log4j-core</artifactId>',
      `      <version>\${log4j2.version}</version>`,
      '    </dependency>',
      '  </dependencies>',
      '</project>',
      '',
    ].join('\n');
    const result = edit(pom, LOG4J_CORE, '2.17.1');
    expect(result.section).toBe('properties');
    expect(result.files[0]!.after).toBe(
      pom.replace(
        '  <dependencies>',
        '  <properties>\n    <log4j2.version>2.17.1</log4j2.version>\n  </properties>\n  <dependencies>',
      ),
    );
    expect(result.notes[0]).toMatch(/came from the parent POM/);
  });

  it('leaves a version at or above the target, and reports a downgrade through previousVersion', () => {
    const same = edit(POM, 'org.springframework:spring-beans', '5.3.15');
    expect(same.files[0]!.after).toBe(POM);
    expect(same.previousVersion).toBe('5.3.15');
    expect(edit(POM, 'org.springframework:spring-beans', '5.2.20.RELEASE').previousVersion).toBe('5.3.15');
  });

  it('refuses the project version, ranges, bad coordinates and malformed XML', () => {
    expect(() => edit(POM, 'com.example:shop-core', '2.0.0')).toThrow(/project's own version/);
    const ranged = POM.replace('<version>5.3.15</version>', '<version>[5.3,6)</version>');
    expect(() => edit(ranged, 'org.springframework:spring-beans', '5.3.18')).toThrow(/range/);
    expect(() => edit(POM, 'log4j-core', '2.17.1')).toThrow(ManifestEditError);
    expect(() => edit('<project><dependencies></project>', LOG4J_CORE, '2.17.1')).toThrow(/not well-formed/);
    expect(() => edit('<settings/>', LOG4J_CORE, '2.17.1')).toThrow(/not a POM/);
  });
});

describe.skipIf(!hasSharedFixtures)('editPom on real POMs', () => {
  it('moves java-goof log4j-core 2.15.0 to 2.16.0 on that one line', () => {
    const pom = sharedManifest('java-goof-log4shell-server', 'pom.xml');
    const result = edit(pom, LOG4J_CORE, '2.16.0');
    expect(result).toMatchObject({ direct: true, section: 'dependencies', previousSpec: '2.15.0', newSpec: '2.16.0' });
    expect(result.files[0]!.after).toBe(pom.replace('<version>2.15.0</version>', '<version>2.16.0</version>'));
  });

  it('pins transitive spring-beans in a new dependencyManagement before petclinic dependencies', () => {
    const pom = sharedManifest('spring-petclinic-2022-02', 'pom.xml');
    const result = edit(pom, 'org.springframework:spring-beans', '5.3.18');
    expect(result).toMatchObject({ direct: false, section: 'dependencyManagement', previousSpec: null });
    const block = [
      '  <dependencyManagement>',
      '    <dependencies>',
      '      <dependency>',
      '        <groupId>org.springframework</groupId>',
      '        <artifactId>spring-beans</artifactId>',
      '        <version>5.3.18</version>',
      '      </dependency>',
      '    </dependencies>',
      '  </dependencyManagement>',
      '  <dependencies>',
    ].join('\n');
    expect(result.files[0]!.after).toBe(pom.replace('  <dependencies>', block));
    expect(parsed(result.files[0]!.after).project.dependencyManagement).toEqual({
      dependencies: { dependency: { groupId: 'org.springframework', artifactId: 'spring-beans', version: '5.3.18' } },
    });
  });

  it('pins a parent-managed starter (declared without a version) the same way, as a direct dependency', () => {
    const pom = sharedManifest('spring-petclinic-2022-02', 'pom.xml');
    const result = edit(pom, 'org.springframework.boot:spring-boot-starter-web', '2.6.6');
    expect(result).toMatchObject({ direct: true, section: 'dependencyManagement' });
    expect(result.notes[0]).toMatch(/had no version here/);
  });

  it('raises a petclinic property that a profile also uses, and says so', () => {
    const pom = sharedManifest('spring-petclinic-2022-02', 'pom.xml');
    const result = edit(pom, 'org.webjars.npm:bootstrap', '5.1.4');
    expect(result.files[0]!.after).toBe(
      pom.replace('<webjars-bootstrap.version>5.1.3<', '<webjars-bootstrap.version>5.1.4<'),
    );
    expect(result.notes).toEqual([
      'property webjars-bootstrap.version is used 2 more time(s) in pom.xml (plugins, profiles).',
    ]);
  });
});
