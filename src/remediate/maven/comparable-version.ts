/**
 * Maven's version ordering, as `org.apache.maven.artifact.versioning.ComparableVersion` (maven-artifact
 * 3.9.x) implements it, so that an OSV `ECOSYSTEM` range over Maven versions admits exactly what Maven
 * would. There is no maintained npm port; this follows the Java algorithm step by step:
 *
 * - the text is lower-cased and split on `.`, `-` and every digit/letter transition;
 * - `-` and a letter/digit transition open a nested list (a "sub-version"), `.` does not;
 *   a qualifier after a dot is read as if after a hyphen (MNG-7644: `1.0.0.RC1` < `1.0.0-RC2`);
 * - numbers compare numerically (leading zeros dropped), but Java keeps int, long and BigInteger
 *   items apart and orders those kinds before their values: a 10-digit zero outranks 9;
 * - qualifiers: alpha/a < beta/b < milestone/m < rc/cr < snapshot < "" = ga = final = release < sp,
 *   then unknown qualifiers in lexical order (`a`, `b`, `m` mean alpha, beta, milestone only before a digit);
 * - trailing "null" items (0, release qualifiers, empty lists) are dropped, so `1` == `1.0.0` == `1-ga`.
 */

/** One parsed item: a number (with its Java width), a qualifier, or a nested list. */
export type MavenItem =
  | { kind: 'number'; width: 0 | 1 | 2; value: bigint }
  | { kind: 'string'; value: string }
  | { kind: 'list'; items: MavenItem[] };

type ListItem = Extract<MavenItem, { kind: 'list' }>;

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'] as const;
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));
const MAX_INT_LENGTH = 9;
const MAX_LONG_LENGTH = 18;

/** Known qualifiers sort by their index, unknown ones after all of them and lexically among themselves. */
function comparableQualifier(qualifier: string): string {
  const index = (QUALIFIERS as readonly string[]).indexOf(qualifier);
  return index === -1 ? `${QUALIFIERS.length}-${qualifier}` : String(index);
}

const sign = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function stringItem(text: string, followedByDigit: boolean): MavenItem {
  let value = text;
  if (followedByDigit && value.length === 1) {
    // a1 = alpha-1, b1 = beta-1, m1 = milestone-1
    value = ({ a: 'alpha', b: 'beta', m: 'milestone' } as Record<string, string>)[value] ?? value;
  }
  return { kind: 'string', value: ALIASES[value] ?? value };
}

/** Java strips leading zeros unless the number is all zeros, and picks int, long or BigInteger by length. */
function numberItem(digits: string): MavenItem {
  const stripped = /^0*([0-9].*)$/.exec(digits)?.[1] ?? digits;
  const kept = /^0+$/.test(digits) ? digits : stripped;
  const width = kept.length <= MAX_INT_LENGTH ? 0 : kept.length <= MAX_LONG_LENGTH ? 1 : 2;
  return { kind: 'number', width, value: BigInt(kept) };
}

const parseItem = (isDigit: boolean, text: string) => (isDigit ? numberItem(text) : stringItem(text, false));

function isNull(item: MavenItem): boolean {
  if (item.kind === 'number') return item.value === 0n;
  if (item.kind === 'string') return comparableQualifier(item.value) === RELEASE_INDEX;
  return item.items.length === 0;
}

/** Drops trailing null items; a nested list does not stop the walk (it was normalized first). */
function normalize(list: ListItem): void {
  for (let i = list.items.length - 1; i >= 0; i--) {
    const item = list.items[i]!;
    if (isNull(item)) list.items.splice(i, 1);
    else if (item.kind !== 'list') break;
  }
}

const isDigitChar = (char: string) => char >= '0' && char <= '9';

/** Parses a version into Maven's item tree (never fails: Maven orders any string). */
export function parseMavenVersion(version: string): ListItem {
  const text = version.toLowerCase();
  const root: ListItem = { kind: 'list', items: [] };
  let list = root;
  const stack: ListItem[] = [root];
  const nest = () => {
    const child: ListItem = { kind: 'list', items: [] };
    list.items.push(child);
    list = child;
    stack.push(child);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '.' || char === '-') {
      list.items.push(i === start ? numberItem('0') : parseItem(isDigit, text.slice(start, i)));
      start = i + 1;
      if (char === '-') nest();
    } else if (isDigitChar(char)) {
      if (!isDigit && i > start) {
        // 1.0.0.X1 < 1.0.0-X2: a qualifier after a dot is treated as after a hyphen.
        if (list.items.length) nest();
        list.items.push(stringItem(text.slice(start, i), true));
        start = i;
        nest();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.items.push(parseItem(true, text.slice(start, i)));
        start = i;
        nest();
      }
      isDigit = false;
    }
  }
  if (text.length > start) {
    if (!isDigit && list.items.length) nest();
    list.items.push(parseItem(isDigit, text.slice(start)));
  }
  while (stack.length) normalize(stack.pop()!);
  return root;
}

/** Item comparison as the Java `Item.compareTo` methods define it; `null` stands for "no item here". */
function compareItems(item: MavenItem, other: MavenItem | null): number {
  if (item.kind === 'number') {
    if (other === null) return item.value === 0n ? 0 : 1; // 1.0 == 1, 1.1 > 1
    if (other.kind !== 'number') return 1; // 1.1 > 1-sp, 1.1 > 1-1
    if (item.width !== other.width) return item.width < other.width ? -1 : 1;
    return item.value < other.value ? -1 : item.value > other.value ? 1 : 0;
  }
  if (item.kind === 'string') {
    if (other === null) return sign(comparableQualifier(item.value), RELEASE_INDEX); // 1-rc < 1, 1-sp > 1
    if (other.kind !== 'string') return -1; // 1.any < 1.1, 1.any < 1-1
    return sign(comparableQualifier(item.value), comparableQualifier(other.value));
  }
  if (other === null) {
    // MNG-6964: the whole list decides, not only its first item.
    for (const child of item.items) {
      const result = compareItems(child, null);
      if (result !== 0) return result;
    }
    return 0;
  }
  if (other.kind === 'number') return -1; // 1-1 < 1.0.x
  if (other.kind === 'string') return 1; // 1-1 > 1-sp
  const length = Math.max(item.items.length, other.items.length);
  for (let i = 0; i < length; i++) {
    const left = item.items[i] ?? null;
    const right = other.items[i] ?? null;
    const result = left === null ? (right === null ? 0 : -compareItems(right, null)) : compareItems(left, right);
    if (result !== 0) return result;
  }
  return 0;
}

/** Negative, zero or positive as `a` sorts before, with or after `b` in Maven's order. */
export function compareMavenVersions(a: string, b: string): number {
  return compareItems(parseMavenVersion(a), parseMavenVersion(b));
}

function render(item: MavenItem): string {
  if (item.kind === 'number') return item.value.toString();
  if (item.kind === 'string') return item.value;
  let text = '';
  for (const child of item.items) {
    if (text.length) text += child.kind === 'list' ? '-' : '.';
    text += render(child);
  }
  return text;
}

/** Maven's canonical form (`getCanonical()`): equal versions have equal canonical forms. */
export function mavenCanonical(version: string): string {
  return render(parseMavenVersion(version));
}

/**
 * Whether a string can stand as one concrete Maven version in a POM or an advisory: Maven orders any
 * string, but whitespace, `${...}` interpolation and range syntax (`[1.0,2.0)`) are not versions.
 */
export function isMavenVersion(version: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/.test(version);
}

/** Whether the version carries a pre-release qualifier (alpha, beta, milestone, rc/cr, snapshot) anywhere. */
export function isMavenPrerelease(version: string): boolean {
  const release = Number(RELEASE_INDEX);
  const walk = (item: MavenItem): boolean => {
    if (item.kind === 'list') return item.items.some(walk);
    if (item.kind !== 'string') return false;
    const index = (QUALIFIERS as readonly string[]).indexOf(item.value);
    return index !== -1 && index < release;
  };
  return walk(parseMavenVersion(version));
}
