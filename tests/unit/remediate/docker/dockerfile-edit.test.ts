import { describe, expect, it } from 'vitest';
import {
  baseRefsOf,
  checkDockerfileBase,
  DockerfileEditError,
  editDockerfileBase,
  isVulnerableRef,
  normalizeRepository,
  parseImageReference,
} from '../../../../src/remediate/docker/dockerfile-edit.ts';
import { NEW_DIGEST, NODE_DOCKERFILE, OLD_DIGEST, PYTHON_DOCKERFILE } from './samples.ts';

const failure = (attempt: () => unknown) => {
  try {
    attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(DockerfileEditError);
    return (error as DockerfileEditError).code;
  }
  return 'no error';
};

describe('editDockerfileBase', () => {
  it('moves every FROM of the image, keeping --platform, AS names, the repository spelling and stage references', () => {
    const result = editDockerfileBase({ dockerfile: NODE_DOCKERFILE, image: 'node', target: '20.11.1-alpine3.19' });
    expect(result.after).toBe(
      NODE_DOCKERFILE.replace(
        'FROM --platform=$BUILDPLATFORM node:18.19.0-alpine3.18 AS deps',
        'FROM --platform=$BUILDPLATFORM node:20.11.1-alpine3.19 AS deps',
      )
        .replace('FROM node:18.19.0-alpine3.18 AS build', 'FROM node:20.11.1-alpine3.19 AS build')
        .replace(
          `FROM docker.io/library/node:18.19.0-alpine3.18@${OLD_DIGEST} AS runtime`,
          'FROM docker.io/library/node:20.11.1-alpine3.19 AS runtime',
        ),
    );
    expect(result.changed).toEqual([
      { line: 4, from: 'node:18.19.0-alpine3.18', to: 'node:20.11.1-alpine3.19' },
      { line: 9, from: 'node:18.19.0-alpine3.18', to: 'node:20.11.1-alpine3.19' },
      {
        line: 19,
        from: `docker.io/library/node:18.19.0-alpine3.18@${OLD_DIGEST}`,
        to: 'docker.io/library/node:20.11.1-alpine3.19',
      },
    ]);
    expect(result.skipped).toEqual([]);
    expect(result.after).toContain('FROM build AS test\n');
  });

  it('pins a digest, with or without a tag', () => {
    const pinned = editDockerfileBase({ dockerfile: NODE_DOCKERFILE, image: 'node', target: `20.11.1@${NEW_DIGEST}` });
    expect(pinned.changed.map((c) => c.to)).toEqual([
      `node:20.11.1@${NEW_DIGEST}`,
      `node:20.11.1@${NEW_DIGEST}`,
      `docker.io/library/node:20.11.1@${NEW_DIGEST}`,
    ]);
    const digestOnly = editDockerfileBase({
      dockerfile: 'FROM node:18 AS app\n',
      image: 'node',
      target: `@${NEW_DIGEST}`,
    });
    expect(digestOnly.after).toBe(`FROM node@${NEW_DIGEST} AS app\n`);
    const bare = editDockerfileBase({ dockerfile: 'FROM node:18 AS app\n', image: 'node', target: NEW_DIGEST });
    expect(bare.after).toBe(digestOnly.after);
  });

  it('reports FROMs built from ARG variables instead of rewriting them', () => {
    const result = editDockerfileBase({
      dockerfile: PYTHON_DOCKERFILE,
      image: 'python',
      target: '3.11.9-slim-bookworm',
    });
    expect(result.after).toBe(
      PYTHON_DOCKERFILE.replace(
        'FROM python:3.11.4-slim-bookworm as tools',
        'FROM python:3.11.9-slim-bookworm as tools',
      ),
    );
    expect(result.changed).toEqual([
      { line: 7, from: 'python:3.11.4-slim-bookworm', to: 'python:3.11.9-slim-bookworm' },
    ]);
    expect(result.skipped).toEqual([
      {
        line: 4,
        ref: `python:\${PYTHON_VERSION}-slim-bookworm`,
        reason:
          'built from ARG variables (it reads python:3.11.4-slim-bookworm with their defaults): change the ARG default',
      },
      { line: 10, ref: `\${RUNTIME_IMAGE}`, reason: 'built from an ARG without a default: cannot tell the image' },
    ]);
  });

  it('matches registry-qualified repositories exactly and handles line continuations and CRLF', () => {
    const dockerfile =
      'FROM registry.example.com:5000/team/base:1.4 AS base\r\nFROM --platform=linux/amd64 \\\r\n  registry.example.com:5000/team/base:1.4\r\nFROM team/base:1.4\r\n';
    const result = editDockerfileBase({ dockerfile, image: 'registry.example.com:5000/team/base', target: '1.5' });
    expect(result.after).toBe(
      'FROM registry.example.com:5000/team/base:1.5 AS base\r\nFROM --platform=linux/amd64 \\\r\n  registry.example.com:5000/team/base:1.5\r\nFROM team/base:1.4\r\n',
    );
    expect(result.changed.map((c) => c.line)).toEqual([1, 3]);
  });

  it('changes nothing when every FROM is already on the target', () => {
    const result = editDockerfileBase({ dockerfile: 'FROM node:20 AS app\n', image: 'node', target: '20' });
    expect(result).toMatchObject({ after: 'FROM node:20 AS app\n', changed: [], skipped: [] });
  });

  it('refuses a malformed target and an image no FROM uses', () => {
    expect(failure(() => editDockerfileBase({ dockerfile: NODE_DOCKERFILE, image: 'node', target: 'node:20' }))).toBe(
      'DOCKERFILE_INVALID_TARGET',
    );
    expect(
      failure(() => editDockerfileBase({ dockerfile: NODE_DOCKERFILE, image: 'node', target: '@sha256:abc' })),
    ).toBe('DOCKERFILE_INVALID_TARGET');
    expect(failure(() => editDockerfileBase({ dockerfile: NODE_DOCKERFILE, image: 'node:18', target: '20' }))).toBe(
      'DOCKERFILE_INVALID_TARGET',
    );
    expect(failure(() => editDockerfileBase({ dockerfile: NODE_DOCKERFILE, image: 'python', target: '3.12' }))).toBe(
      'DOCKERFILE_IMAGE_NOT_FOUND',
    );
    // A stage name is not an image.
    expect(failure(() => editDockerfileBase({ dockerfile: NODE_DOCKERFILE, image: 'build', target: '1' }))).toBe(
      'DOCKERFILE_IMAGE_NOT_FOUND',
    );
  });
});

describe('checkDockerfileBase', () => {
  it('is affected while any stage uses a vulnerable ref, and resolved after the bump', () => {
    const before = checkDockerfileBase(NODE_DOCKERFILE, 'node', ['18.19.0-alpine3.18']);
    expect(before.status).toBe('affected');
    expect(before.froms).toEqual([
      { line: 4, ref: 'node:18.19.0-alpine3.18', resolved: null, vulnerable: true },
      { line: 9, ref: 'node:18.19.0-alpine3.18', resolved: null, vulnerable: true },
      // Pinned by digest: a tag alone does not say which image it is.
      { line: 19, ref: `docker.io/library/node:18.19.0-alpine3.18@${OLD_DIGEST}`, resolved: null, vulnerable: true },
    ]);
    const after = editDockerfileBase({
      dockerfile: NODE_DOCKERFILE,
      image: 'node',
      target: '20.11.1-alpine3.19',
    }).after;
    const fixed = checkDockerfileBase(after, 'node', ['18.19.0-alpine3.18']);
    expect(fixed.status).toBe('resolved');
    expect(fixed.evidence).toBe(
      'Every FROM of node is off the vulnerable refs (18.19.0-alpine3.18): line 4 node:20.11.1-alpine3.19, ' +
        'line 9 node:20.11.1-alpine3.19, line 19 docker.io/library/node:20.11.1-alpine3.19.',
    );
  });

  it('stays affected when only some stages moved', () => {
    const partial = NODE_DOCKERFILE.replace(
      'FROM node:18.19.0-alpine3.18 AS build',
      'FROM node:20.11.1-alpine3.19 AS build',
    );
    const result = checkDockerfileBase(partial, 'node', ['node:18.19.0-alpine3.18']);
    expect(result.status).toBe('affected');
    expect(result.froms.filter((f) => f.vulnerable).map((f) => f.line)).toEqual([4, 19]);
  });

  it('compares digests when the FROM pins one: re-pinning the same tag fixes it', () => {
    const repinned = NODE_DOCKERFILE.replace(OLD_DIGEST, NEW_DIGEST);
    const result = checkDockerfileBase(repinned, 'node', [`18.19.0-alpine3.18@${OLD_DIGEST}`]);
    // Lines 4 and 9 are not pinned: their tag is the vulnerable one.
    expect(result.froms.map((f) => f.vulnerable)).toEqual([true, true, false]);
    expect(checkDockerfileBase(NODE_DOCKERFILE, 'node', [OLD_DIGEST]).froms.map((f) => f.vulnerable)).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('judges ARG-built FROMs by their defaults and says what it could not check', () => {
    const result = checkDockerfileBase(PYTHON_DOCKERFILE, 'python', ['3.11.4-slim-bookworm']);
    expect(result.status).toBe('affected');
    expect(result.froms).toEqual([
      {
        line: 4,
        ref: `python:\${PYTHON_VERSION}-slim-bookworm`,
        resolved: 'python:3.11.4-slim-bookworm',
        vulnerable: true,
      },
      { line: 7, ref: 'python:3.11.4-slim-bookworm', resolved: null, vulnerable: true },
    ]);
    expect(result.evidence).toContain('ARG-built references can be overridden at build time.');
    expect(result.evidence).toContain(`Not checked (ARG without default): line 10 \${RUNTIME_IMAGE}.`);
  });

  it('is resolved when the image is no longer used', () => {
    const result = checkDockerfileBase('FROM gcr.io/distroless/nodejs20-debian12\n', 'node', ['18']);
    expect(result).toMatchObject({ status: 'resolved', froms: [] });
    expect(result.evidence).toBe('No FROM uses node any more (vulnerable refs: 18).');
  });
});

describe('image references', () => {
  it('parses and normalises references', () => {
    expect(parseImageReference(`localhost:5000/app:1.2@${OLD_DIGEST}`)).toEqual({
      repository: 'localhost:5000/app',
      tag: '1.2',
      digest: OLD_DIGEST,
    });
    expect(parseImageReference('localhost:5000/app')).toEqual({
      repository: 'localhost:5000/app',
      tag: null,
      digest: null,
    });
    expect(['docker.io/library/node', 'library/node', 'index.docker.io/library/node'].map(normalizeRepository)).toEqual(
      ['node', 'node', 'node'],
    );
    expect(normalizeRepository('ghcr.io/library/node')).toBe('ghcr.io/library/node');
  });

  it('matches vulnerable refs given as tags, digests or full references', () => {
    const ref = parseImageReference('node:18');
    expect(isVulnerableRef(ref, '18', 'node')).toBe(true);
    expect(isVulnerableRef(ref, 'docker.io/library/node:18', 'node')).toBe(true);
    expect(isVulnerableRef(ref, 'python:18', 'node')).toBe(false);
    expect(isVulnerableRef(parseImageReference('node'), 'latest', 'node')).toBe(true);
    expect(isVulnerableRef(parseImageReference(`node@${NEW_DIGEST}`), 'latest', 'node')).toBe(false);
  });

  it('lists the refs a Dockerfile uses, for comparing a branch with HEAD', () => {
    expect(baseRefsOf(NODE_DOCKERFILE, 'node')).toEqual([
      '18.19.0-alpine3.18',
      '18.19.0-alpine3.18',
      `18.19.0-alpine3.18@${OLD_DIGEST}`,
    ]);
    expect(baseRefsOf('FROM node\n', 'node')).toEqual(['latest']);
  });
});
