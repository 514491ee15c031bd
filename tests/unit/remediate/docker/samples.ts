/** Realistic Dockerfiles for the base-image tests: multi-stage node and python builds. */

export const OLD_DIGEST = `sha256:${'a'.repeat(64)}`;
export const NEW_DIGEST = `sha256:${'b'.repeat(64)}`;

/** A multi-stage node build: deps, build, test (from the build stage), a slim runtime. */
export const NODE_DOCKERFILE = `# syntax=docker/dockerfile:1.7
ARG NODE_ENV=production

FROM --platform=$BUILDPLATFORM node:18.19.0-alpine3.18 AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM node:18.19.0-alpine3.18 AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npm run build

# Tests run on the build stage, not on an image.
FROM build AS test
RUN npm test

FROM docker.io/library/node:18.19.0-alpine3.18@${OLD_DIGEST} AS runtime
ENV NODE_ENV=\${NODE_ENV}
WORKDIR /app
COPY --from=build /app/dist ./dist
COPY --from=deps /app/node_modules ./node_modules
USER node
CMD ["node", "dist/server.js"]
`;

/** A python build whose runtime image comes from a build argument. */
export const PYTHON_DOCKERFILE = `ARG PYTHON_VERSION=3.11.4
ARG RUNTIME_IMAGE

FROM python:\${PYTHON_VERSION}-slim-bookworm AS builder
RUN pip wheel --wheel-dir /wheels -r requirements.txt

FROM python:3.11.4-slim-bookworm as tools
RUN pip install --no-cache-dir pip-audit

FROM \${RUNTIME_IMAGE}
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir /wheels/*
CMD ["gunicorn", "app:create_app()"]
`;
