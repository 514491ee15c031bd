import { describe, expect, it } from 'vitest';
import { advisoriesAffecting, affectedPackagesFor } from '../../../../src/remediate/affected.ts';
import { chooseTargetVersion } from '../../../../src/remediate/target-version.ts';
import { hasSharedFixtures } from '../../../helpers/fixtures.ts';
import { osvAdvisories } from '../support.ts';

const LOG4SHELL = 'GHSA-jfh8-c2jp-5v3q';
const LOG4J_INCOMPLETE = 'GHSA-7rjr-3q55-vv33';
const LOG4J_CORE = 'org.apache.logging.log4j:log4j-core';

const choose = async (pkg: string, current: string, ids: string[]) =>
  chooseTargetVersion({ ecosystem: 'Maven', package: pkg, current, advisories: await osvAdvisories(ids, 'maven') });

describe.skipIf(!hasSharedFixtures)('Maven ranges of real OSV advisories (ComparableVersion order)', () => {
  it('reads the three Log4Shell ranges and the incomplete-fix ranges', async () => {
    const entries = affectedPackagesFor(
      await osvAdvisories([LOG4SHELL, LOG4J_INCOMPLETE], 'maven'),
      'Maven',
      LOG4J_CORE,
    );
    const affecting = (version: string) => advisoriesAffecting(entries, 'Maven', version);
    expect(affecting('2.0-beta9')).toEqual([LOG4SHELL, LOG4J_INCOMPLETE]);
    expect(affecting('2.3')).toEqual([LOG4SHELL, LOG4J_INCOMPLETE]);
    expect(affecting('2.3.1')).toEqual([LOG4J_INCOMPLETE]);
    expect(affecting('2.4')).toEqual([LOG4SHELL, LOG4J_INCOMPLETE]);
    expect(affecting('2.12.1')).toEqual([LOG4SHELL, LOG4J_INCOMPLETE]);
    expect(affecting('2.12.2')).toEqual([]);
    expect(affecting('2.14.1')).toEqual([LOG4SHELL, LOG4J_INCOMPLETE]);
    expect(affecting('2.15.0')).toEqual([LOG4J_INCOMPLETE]);
    expect(affecting('2.16.0-rc1')).toEqual([LOG4J_INCOMPLETE]);
    expect(affecting('2.16.0')).toEqual([]);
  });

  it('moves log4j-core 2.14.1 to 2.16.0: 2.15.0 fixes Log4Shell but not its incomplete fix', async () => {
    const choice = await choose(LOG4J_CORE, '2.14.1', [LOG4SHELL, LOG4J_INCOMPLETE]);
    expect(choice.candidates).toEqual(['2.15.0', '2.16.0']);
    expect(choice).toMatchObject({
      target: '2.16.0',
      bump: 'minor',
      crossesMajor: false,
      resolves: [LOG4SHELL, LOG4J_INCOMPLETE],
      unresolved: [],
    });
  });

  it('moves java-goof log4j-core 2.15.0 to 2.16.0, and the 2.12 line to 2.12.2', async () => {
    expect(await choose(LOG4J_CORE, '2.15.0', [LOG4SHELL, LOG4J_INCOMPLETE])).toMatchObject({
      target: '2.16.0',
      resolves: [LOG4J_INCOMPLETE],
    });
    const old = await choose(LOG4J_CORE, '2.3', [LOG4SHELL, LOG4J_INCOMPLETE]);
    expect(old.candidates).toEqual(['2.3.1', '2.12.2', '2.15.0', '2.16.0']);
    expect(old).toMatchObject({ target: '2.12.2', bump: 'minor' });
  });

  it('keeps the .RELEASE spelling of Spring fixes and their order (spring-beans)', async () => {
    const advisory = ['GHSA-36p3-wjmg-h94x'];
    expect(await choose('org.springframework:spring-beans', '5.3.15', advisory)).toMatchObject({
      target: '5.3.18',
      bump: 'patch',
    });
    const older = await choose('org.springframework:spring-beans', '5.2.19.RELEASE', advisory);
    expect(older.candidates).toEqual(['5.2.20.RELEASE', '5.3.18']);
    expect(older).toMatchObject({ target: '5.2.20.RELEASE', bump: 'patch' });
    expect(await choose('org.springframework.boot:spring-boot-starter-web', '2.6.3', advisory)).toMatchObject({
      target: '2.6.6',
    });
  });

  it('orders four-part jackson-databind fixes (2.13.2.1) and commons-text 1.10.0 above 1.9', async () => {
    const jackson = await choose('com.fasterxml.jackson.core:jackson-databind', '2.13.1', ['GHSA-57j2-w4cx-62h2']);
    expect(jackson).toMatchObject({ target: '2.13.2.1', bump: 'patch' });
    const text = await choose('org.apache.commons:commons-text', '1.9', ['GHSA-599f-7c49-w659']);
    expect(text).toMatchObject({ target: '1.10.0', bump: 'minor' });
    expect(await choose('org.apache.commons:commons-text', '1.4', ['GHSA-599f-7c49-w659'])).toMatchObject({
      target: null,
      reason: 'org.apache.commons:commons-text 1.4 is not affected by the given advisories.',
    });
  });
});
