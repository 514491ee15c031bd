import { describe, expect, it } from 'vitest';
import {
  codeownersEntryFor,
  codeownersFor,
  normalizeRepoPath,
  parseCodeowners,
} from '../../../src/prioritize/codeowners.ts';

/** Whether a one-line CODEOWNERS file with this pattern assigns the path. */
function matches(pattern: string, path: string): boolean {
  return codeownersFor(parseCodeowners(`${pattern} @owner`), path) !== null;
}

describe('parseCodeowners', () => {
  it('skips blank lines and comments, strips inline comments, keeps line numbers', () => {
    const file = parseCodeowners(
      [
        '# Global owners',
        '',
        '*       @acme/platform # fallback',
        '   # indented comment',
        '/docs/  docs@acme.example',
      ].join('\n'),
    );
    expect(file.problems).toEqual([]);
    expect(file.entries.map(({ pattern, owners, line }) => ({ pattern, owners, line }))).toEqual([
      { pattern: '*', owners: ['@acme/platform'], line: 3 },
      { pattern: '/docs/', owners: ['docs@acme.example'], line: 5 },
    ]);
  });

  it('accepts @user, @org/team and e-mail owners, and a pattern with no owners', () => {
    const file = parseCodeowners('apps/ @octocat @acme/web-team dev@acme.example\napps/github\n');
    expect(file.entries[0]?.owners).toEqual(['@octocat', '@acme/web-team', 'dev@acme.example']);
    expect(file.entries[1]?.owners).toEqual([]);
  });

  it('reports and skips lines GitHub rejects instead of failing the file', () => {
    const file = parseCodeowners(
      ['*.js @js-owner', '!vendor/ @nobody', 'src/[ab].ts @x', '*.go not-an-owner', 'a/***/b @x', '*.md @docs'].join(
        '\n',
      ),
    );
    expect(file.entries.map((entry) => entry.pattern)).toEqual(['*.js', '*.md']);
    expect(file.problems).toEqual([
      { line: 2, message: 'pattern "!vendor/": negation with ! is not supported in CODEOWNERS' },
      { line: 3, message: 'pattern "src/[ab].ts": character ranges [ ] are not supported in CODEOWNERS' },
      { line: 4, message: 'owner "not-an-owner" is not @user, @org/team or an e-mail address' },
      { line: 5, message: 'pattern "a/***/b": three consecutive asterisks are not a valid pattern' },
    ]);
  });

  it('reads a backslash-escaped space as part of the pattern', () => {
    const file = parseCodeowners('docs/My\\ Guide.md @writer');
    expect(codeownersFor(file, 'docs/My Guide.md')).toEqual(['@writer']);
  });
});

describe('codeownersFor', () => {
  const file = parseCodeowners(
    [
      '*                   @acme/default',
      '*.js                @js-owner',
      '/docs/              @acme/docs',
      'apps/               @acme/apps',
      'docs/*              docs@acme.example',
      '/build/logs/        @doctocat',
      '**/logs             @octocat',
      '/apps/github',
    ].join('\n'),
  );

  it('lets the last matching pattern win', () => {
    expect(codeownersFor(file, 'README.md')).toEqual(['@acme/default']);
    expect(codeownersFor(file, 'src/index.js')).toEqual(['@js-owner']);
    // docs/* (line 5) comes after /docs/ (line 3) and matches a direct child.
    expect(codeownersFor(file, 'docs/getting-started.md')).toEqual(['docs@acme.example']);
    expect(codeownersEntryFor(file, 'docs/getting-started.md')?.line).toBe(5);
  });

  it('matches docs/* only for direct children, falling back to /docs/ deeper down', () => {
    expect(codeownersFor(file, 'docs/build-app/troubleshooting.md')).toEqual(['@acme/docs']);
  });

  it('matches an unanchored directory pattern at any depth, an anchored one only at the root', () => {
    expect(codeownersFor(file, 'apps/web/main.ts')).toEqual(['@acme/apps']);
    expect(codeownersFor(file, 'services/apps/worker.ts')).toEqual(['@acme/apps']);
    expect(codeownersFor(file, 'build/logs/run.txt')).toEqual(['@octocat']);
    expect(codeownersFor(file, 'deep/build/logs/run.txt')).toEqual(['@octocat']);
  });

  it('returns [] for a path a later ownerless pattern un-assigns, and null when nothing matches', () => {
    expect(codeownersFor(file, 'apps/github/index.ts')).toEqual([]);
    expect(codeownersFor(parseCodeowners('/docs/ @a'), 'src/app.ts')).toBeNull();
    expect(codeownersFor(parseCodeowners(''), 'src/app.ts')).toBeNull();
  });

  it('normalizes scanner paths before matching', () => {
    expect(normalizeRepoPath('./src/app.js:12:4')).toBe('src/app.js');
    expect(normalizeRepoPath('/docs/a.md')).toBe('docs/a.md');
    expect(normalizeRepoPath('src\\win\\file.ts')).toBe('src/win/file.ts');
    expect(codeownersFor(file, './lib/a.js:3')).toEqual(['@js-owner']);
  });
});

describe('pattern semantics (gitignore rules as GitHub applies them)', () => {
  const cases: [pattern: string, path: string, expected: boolean][] = [
    // a single segment matches at any depth, as a file or as a directory
    ['foo', 'foo', true],
    ['foo', 'foo/bar', true],
    ['foo', 'bar/foo', true],
    ['foo', 'bar/foo/baz', true],
    ['foo', 'foo.txt', false],
    // a leading slash anchors at the root
    ['/foo', 'foo/bar/baz', true],
    ['/foo', 'bar/foo', false],
    ['/foo', 'fool.txt', false],
    // a trailing slash matches the directory's contents, not a file of that name
    ['foo/', 'foo', false],
    ['foo/', 'foo/bar', true],
    ['foo/', 'bar/foo/baz/qux', true],
    ['/foo/', 'bar/foo/baz', false],
    // a slash in the middle anchors too
    ['foo/bar', 'foo/bar/baz', true],
    ['foo/bar', 'baz/foo/bar', false],
    ['foo/bar', 'foo/bart', false],
    // wildcards
    ['*', 'any/path/at/all', true],
    ['*.js', 'a/b/c.js', true],
    ['*.js', 'a/b/c.jsx', false],
    ['*', '.github/workflows/ci.yml', true],
    ['/*', 'foo', true],
    ['/*', 'foo/bar', false],
    ['f*', 'bar/foo/baz', true],
    ['f*', 'xfoo', false],
    ['foo/*', 'foo/bar', true],
    ['foo/*', 'foo/bar/baz', false],
    ['foo/*.txt', 'foo/bar/baz.txt', false],
    ['foo/*/baz', 'foo/bar/baz/qux', true],
    ['f?o', 'foo', true],
    ['f?o', 'fooo', false],
    ['f\\*o', 'f*o', true],
    ['f\\*o', 'foo', false],
    // double asterisks
    ['apps/**', 'apps/web/src/main.ts', true],
    ['apps/**', 'apps', false],
    ['apps/**', 'x/apps/main.ts', false],
    ['**/logs', 'logs/a.txt', true],
    ['**/logs', 'deep/down/logs/a.txt', true],
    ['foo/**/bar', 'foo/bar', true],
    ['foo/**/bar', 'foo/x/y/bar/baz', true],
    ['foo/**/bar', 'qux/foo/bar', false],
    ['**', 'anything/at/all', true],
    // characters that are globs elsewhere are literal here
    ['a{b,c}.js', 'a{b,c}.js', true],
    ['a{b,c}.js', 'ab.js', false],
    ['+(x).js', '+(x).js', true],
    ['a|b', 'a|b', true],
    ['@scope/pkg', '@scope/pkg/index.js', true],
    ['@scope/pkg', 'x/@scope/pkg/index.js', false],
  ];

  it.each(cases)('%s against %s -> %s', (pattern, path, expected) => {
    expect(matches(pattern, path)).toBe(expected);
  });
});
