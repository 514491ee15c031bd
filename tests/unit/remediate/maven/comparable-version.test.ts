import { describe, expect, it } from 'vitest';
import {
  compareMavenVersions,
  isMavenPrerelease,
  isMavenVersion,
  mavenCanonical,
} from '../../../../src/remediate/maven/comparable-version.ts';

// The orderings and equalities below are Maven's own (maven-artifact ComparableVersionTest, 3.9.x).

const VERSIONS_QUALIFIER = [
  '1-alpha2snapshot',
  '1-alpha2',
  '1-alpha-123',
  '1-beta-2',
  '1-beta123',
  '1-m2',
  '1-m11',
  '1-rc',
  '1-cr2',
  '1-rc123',
  '1-SNAPSHOT',
  '1',
  '1-sp',
  '1-sp2',
  '1-sp123',
  '1-abc',
  '1-def',
  '1-pom-1',
  '1-1-snapshot',
  '1-1',
  '1-2',
  '1-123',
];

const VERSIONS_NUMBER = [
  '2.0',
  '2.0.a',
  '2-1',
  '2.0.2',
  '2.0.123',
  '2.1.0',
  '2.1-a',
  '2.1b',
  '2.1-c',
  '2.1-1',
  '2.1.0.1',
  '2.2',
  '2.123',
  '11.a2',
  '11.a11',
  '11.b2',
  '11.b11',
  '11.m2',
  '11.m11',
  '11',
  '11.a',
  '11b',
  '11c',
  '11m',
];

const EQUAL: [string, string][] = [
  ['1', '1'],
  ['1', '1.0'],
  ['1', '1.0.0'],
  ['1.0', '1.0.0'],
  ['1', '1-0'],
  ['1', '1.0-0'],
  ['1.0', '1.0-0'],
  ['1a', '1-a'],
  ['1a', '1.0-a'],
  ['1a', '1.0.0-a'],
  ['1.0a', '1-a'],
  ['1.0.0a', '1-a'],
  ['1x', '1-x'],
  ['1x', '1.0-x'],
  ['1x', '1.0.0-x'],
  ['1.0x', '1-x'],
  ['1.0.0x', '1-x'],
  ['1ga', '1'],
  ['1-ga', '1'],
  ['1release', '1'],
  ['1final', '1'],
  ['1cr', '1rc'],
  ['1a1', '1-alpha-1'],
  ['1b2', '1-beta-2'],
  ['1m3', '1-milestone-3'],
  ['1X', '1x'],
  ['1A', '1a'],
  ['1B', '1b'],
  ['1M', '1m'],
  ['1Ga', '1'],
  ['1GA', '1'],
  ['1RELEASE', '1'],
  ['1RELeaSE', '1'],
  ['1Final', '1'],
  ['1FinaL', '1'],
  ['1FINAL', '1'],
  ['1Cr', '1Rc'],
  ['1cR', '1rC'],
  ['1m3', '1Milestone3'],
  ['1m3', '1MileStone3'],
  ['1m3', '1MILESTONE3'],
  ['1-abcdefghijklmnopqrstuvwxyz', '1-ABCDEFGHIJKLMNOPQRSTUVWXYZ'],
  ['5.2.20.RELEASE', '5.2.20'],
];

const ORDERED: [string, string][] = [
  ['1', '2'],
  ['1.5', '2'],
  ['1', '2.5'],
  ['1.0', '1.1'],
  ['1.1', '1.2'],
  ['1.0.0', '1.1'],
  ['1.0.1', '1.1'],
  ['1.1', '1.2.0'],
  ['1.0-alpha-1', '1.0'],
  ['1.0-alpha-1', '1.0-alpha-2'],
  ['1.0-alpha1', '1.0-alpha2'],
  ['1.0-alpha-1', '1.0-beta-1'],
  ['1.0-beta-1', '1.0-SNAPSHOT'],
  ['1.0-SNAPSHOT', '1.0'],
  ['1.0-alpha-1-SNAPSHOT', '1.0-alpha-1'],
  ['1.0', '1.0-1'],
  ['1.0-1', '1.0-2'],
  ['1.0.0', '1.0-1'],
  ['2.0-1', '2.0.1'],
  ['2.0.1-klm', '2.0.1-lmn'],
  ['2.0.1', '2.0.1-xyz'],
  ['2.0.1', '2.0.1-123'],
  ['2.0.1-xyz', '2.0.1-123'],
  // MNG-5568
  ['6.1.0rc3', '6.1.0'],
  ['6.1.0rc3', '6.1H.5-beta'],
  ['6.1.0', '6.1H.5-beta'],
  // MNG-6572: numbers beyond int and long
  ['20190126.230843', '1234567890.12345'],
  ['1234567890.12345', '123456789012345.1H.5-beta'],
  ['123456789012345.1H.5-beta', '12345678901234567890.1H.5-beta'],
  // MNG-6964
  ['1-0.alpha', '1'],
  ['1-0.beta', '1'],
  ['1-0.alpha', '1-0.beta'],
  ['1.0', '1.0-sp1'],
  // the brief's headline chain
  ['1-alpha', '1-beta'],
  ['1-beta', '1-milestone'],
  ['1-milestone', '1-rc'],
  ['1-rc', '1-snapshot'],
  ['1-snapshot', '1'],
  ['1', '1-sp'],
  ['1-sp', '1-abc'],
  ['1-abc', '1.0.1'],
  // real advisory boundaries
  ['2.12.2', '2.13.0'],
  ['2.12.6', '2.12.6.1'],
  ['2.13.2', '2.13.2.1'],
  ['5.2.19.RELEASE', '5.2.20.RELEASE'],
  ['2.2.13.Final', '2.2.14.Final'],
];

const order = (a: string, b: string) => Math.sign(compareMavenVersions(a, b));

describe('compareMavenVersions (Maven ComparableVersionTest)', () => {
  it.each([
    ['qualifiers', VERSIONS_QUALIFIER],
    ['numbers', VERSIONS_NUMBER],
  ])('orders the %s list strictly, every pair both ways', (_, versions) => {
    for (let i = 0; i < versions.length; i++) {
      for (let j = i + 1; j < versions.length; j++) {
        expect([versions[i], versions[j], order(versions[i]!, versions[j]!)]).toEqual([versions[i], versions[j], -1]);
        expect(order(versions[j]!, versions[i]!)).toBe(1);
      }
    }
  });

  it.each(EQUAL)('%s == %s (and the canonical forms match)', (a, b) => {
    expect(order(a, b)).toBe(0);
    expect(order(b, a)).toBe(0);
    expect(mavenCanonical(a)).toBe(mavenCanonical(b));
  });

  it.each(ORDERED)('%s < %s', (low, high) => {
    expect(order(low, high)).toBe(-1);
    expect(order(high, low)).toBe(1);
  });

  it.each(['abc', 'alpha', 'a', 'beta', 'b', 'def', 'milestone', 'm', 'RC'])(
    'MNG-7644: a qualifier after a dot reads as after a hyphen (%s)',
    (x) => {
      expect(order(`1.0.0.${x}1`, `1.0.0-${x}2`)).toBe(-1);
      expect(order(`2-${x}`, `2.0.${x}`)).toBe(0);
      expect(order(`2-${x}`, `2.0.0.${x}`)).toBe(0);
      expect(order(`2.0.${x}`, `2.0.0.${x}`)).toBe(0);
    },
  );

  it('ignores leading zeros of every length', () => {
    const ones = Array.from({ length: 19 }, (_, i) => '1'.padStart(i + 1, '0'));
    const zeros = Array.from({ length: 19 }, (_, i) => '0'.padStart(i + 1, '0'));
    for (const list of [ones, zeros]) for (const a of list) for (const b of list) expect(order(a, b)).toBe(0);
  });

  it('keeps Java number widths apart: a 10-digit zero is a long and outranks any int', () => {
    expect(order('1.5.5', '1.0000000000.5')).toBe(-1);
  });

  it('produces the canonical forms maven-artifact prints', () => {
    expect(mavenCanonical('1.0-sp1')).toBe('1-sp-1');
    expect(mavenCanonical('1.0.RELEASE')).toBe('1');
    expect(mavenCanonical('1.0')).toBe('1');
    expect(mavenCanonical('2.18.4')).toBe('2.18.4');
    expect(mavenCanonical('0.alpha')).toBe('alpha');
    expect(mavenCanonical('1.0-alpha1')).toBe('1-alpha-1');
    for (const version of [...VERSIONS_QUALIFIER, ...VERSIONS_NUMBER]) {
      expect(mavenCanonical(mavenCanonical(version))).toBe(mavenCanonical(version));
    }
  });
});

describe('isMavenVersion and isMavenPrerelease', () => {
  it.each(['2.14.1', '5.2.20.RELEASE', '2.2.13.Final', '1.0-SNAPSHOT', '1.0_01', 'r09'])('accepts %s', (version) => {
    expect(isMavenVersion(version)).toBe(true);
  });

  it.each(['', ' 1.0', `\${log4j.version}`, '[1.0,2.0)', '1.0 ', '-1'])('rejects %j', (version) => {
    expect(isMavenVersion(version)).toBe(false);
  });

  it('knows the pre-release qualifiers, and that release aliases and sp are not', () => {
    for (const v of ['1.0-alpha-1', '1.0-b2', '2.0.0-M1', '6.0.0-RC2', '1.0-SNAPSHOT', '1.0.cr1']) {
      expect([v, isMavenPrerelease(v)]).toEqual([v, true]);
    }
    for (const v of ['1.0', '5.2.20.RELEASE', '2.2.13.Final', '1.0-sp1', '2.13.2.1', '1.0-jre']) {
      expect([v, isMavenPrerelease(v)]).toEqual([v, false]);
    }
  });
});
