import { NODE_BASE_IMAGE, REPOS, type RepoKey, TERRAFORM } from './ids.ts';

/**
 * The five git repositories of the demo estate, file by file. Each pins the vulnerable versions
 * the scanner reports name, so a fix the orchestrator commits is a real, reviewable diff.
 */

export type DemoRepository = {
  key: RepoKey;
  /** Folder under `repos/` and the repository's short name. */
  name: string;
  assetId: string;
  /** The repository URL scanners report (the asset's `repository_url` identifier). */
  url: string;
  /** Path (POSIX, relative) to file content. */
  files: Readonly<Record<string, string>>;
};

/** One vulnerable package version the demo uses, where it is declared or installed. */
export type DemoDependency = {
  /** OSV ecosystem spelling. */
  ecosystem: 'npm' | 'PyPI' | 'Maven';
  package: string;
  version: string;
  /** Asset ids of the repositories and images that carry this version. */
  assetIds: string[];
};

/** Versions pinned in the repositories; the manifests below and the scanner reports read them from here. */
export const VERSIONS = {
  express: '4.18.2',
  jsonwebtoken: '8.5.1',
  lodash: '4.17.20',
  django: '3.2.3',
  pyyaml: '5.3.1',
  pyjwt: '2.3.0',
  log4j: '2.14.1',
  jacksonDatabind: '2.13.1',
  /** OpenSSL 1.1 libraries (libcrypto1.1, libssl1.1) of the node:18.12.0-alpine3.16 base image (Alpine 3.16.2). */
  alpineOpenssl: '1.1.1q-r0',
} as const;

export const LOG4J_CORE = 'org.apache.logging.log4j:log4j-core';
export const JACKSON_DATABIND = 'com.fasterxml.jackson.core:jackson-databind';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const lines = (...text: string[]) => `${text.join('\n')}\n`;

const payments: DemoRepository = {
  key: 'payments',
  ...REPOS.payments,
  files: {
    'package.json': json({
      name: 'payments-api',
      version: '5.2.0',
      private: true,
      description: 'Card authorisations and refunds for the storefront',
      main: 'src/server.js',
      scripts: { start: 'node src/server.js', test: 'node --test' },
      engines: { node: '>=18' },
      dependencies: { express: VERSIONS.express, jsonwebtoken: VERSIONS.jsonwebtoken, lodash: VERSIONS.lodash },
    }),
    'src/server.js': lines(
      "'use strict';",
      "const express = require('express');",
      "const jwt = require('jsonwebtoken');",
      "const _ = require('lodash');",
      '',
      'const app = express();',
      'app.use(express.json());',
      '',
      '// Tokens are signed by the identity service; its public key comes from the environment.',
      'function authenticate(req, res, next) {',
      "  const token = (req.headers.authorization || '').replace(/^Bearer /, '');",
      '  try {',
      '    req.user = jwt.verify(token, process.env.JWT_PUBLIC_KEY);',
      '    next();',
      '  } catch {',
      "    res.status(401).json({ error: 'unauthorized' });",
      '  }',
      '}',
      '',
      "app.post('/v1/authorisations', authenticate, (req, res) => {",
      "  const payment = _.pick(req.body, ['amount', 'currency', 'cardToken', 'orderId']);",
      "  res.status(202).json({ status: 'pending', ...payment });",
      '});',
      '',
      "app.get('/v1/return', (req, res) => {",
      "  res.redirect(req.query.next || '/');",
      '});',
      '',
      'app.listen(process.env.PORT || 8080);',
    ),
    Dockerfile: lines(
      `FROM ${NODE_BASE_IMAGE}`,
      'ENV NODE_ENV=production',
      'WORKDIR /app',
      'COPY package.json ./',
      'RUN npm install --omit=dev',
      'COPY src ./src',
      'USER node',
      'EXPOSE 8080',
      'CMD ["node", "src/server.js"]',
    ),
    '.github/CODEOWNERS': lines(
      '# The payments platform team owns the service; PCI reviewers co-own the token handling.',
      '*                @acme/payments-platform',
      '/src/server.js   @acme/payments-platform @acme/pci-reviewers',
    ),
    'README.md': lines(
      '# payments-api',
      '',
      'Card authorisations and refunds for the storefront. PCI scope: changes need a second reviewer.',
    ),
  },
};

/** The Django view module; the SAST report points at its lines. */
const recommendationViews = lines(
  'import jwt',
  'import yaml',
  'from django.conf import settings',
  'from django.db import connection',
  'from django.http import HttpResponse, JsonResponse',
  '',
  '',
  'def similar_products(request, product_id):',
  '    category = request.GET.get("category", "")',
  '    with connection.cursor() as cursor:',
  '        cursor.execute(',
  '            f"SELECT id, name FROM products WHERE category = \'{category}\' AND id <> {product_id} LIMIT 10"',
  '        )',
  '        rows = cursor.fetchall()',
  '    return JsonResponse({"items": [{"id": row[0], "name": row[1]} for row in rows]})',
  '',
  '',
  'def greeting(request):',
  '    name = request.GET.get("name", "guest")',
  '    return HttpResponse("<h1>Recommended for " + name + "</h1>")',
  '',
  '',
  'def import_weights(request):',
  '    token = request.headers.get("Authorization", "").removeprefix("Bearer ")',
  '    claims = jwt.decode(token, settings.JWT_KEY, algorithms=["HS256"])',
  '    weights = yaml.load(request.body, Loader=yaml.Loader)',
  '    return JsonResponse({"imported_by": claims.get("sub"), "features": len(weights)})',
);

const recommendations: DemoRepository = {
  key: 'recommendations',
  ...REPOS.recommendations,
  files: {
    'requirements.txt': lines(
      '# Pinned runtime dependencies of the recommendations service.',
      `Django==${VERSIONS.django}`,
      `PyYAML==${VERSIONS.pyyaml}`,
      `PyJWT==${VERSIONS.pyjwt}`,
      'psycopg2-binary==2.9.3',
    ),
    'recommendations/__init__.py': '',
    'recommendations/views.py': recommendationViews,
    'recommendations/urls.py': lines(
      'from django.urls import path',
      '',
      'from . import views',
      '',
      'urlpatterns = [',
      '    path("products/<int:product_id>/similar", views.similar_products),',
      '    path("greeting", views.greeting),',
      '    path("weights", views.import_weights),',
      ']',
    ),
    'README.md': lines(
      '# recommendations',
      '',
      'Product recommendations (Django). Development environment only; models are trained offline.',
    ),
  },
};

const inventory: DemoRepository = {
  key: 'inventory',
  ...REPOS.inventory,
  files: {
    'pom.xml': lines(
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<project xmlns="http://maven.apache.org/POM/4.0.0"',
      '         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
      '         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">',
      '  <modelVersion>4.0.0</modelVersion>',
      '',
      '  <groupId>com.acme</groupId>',
      '  <artifactId>inventory-service</artifactId>',
      '  <version>2.8.0</version>',
      '  <packaging>jar</packaging>',
      '  <name>Inventory service</name>',
      '',
      '  <properties>',
      '    <maven.compiler.release>17</maven.compiler.release>',
      '    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>',
      `    <log4j.version>${VERSIONS.log4j}</log4j.version>`,
      '  </properties>',
      '',
      '  <dependencies>',
      '    <dependency>',
      '      <groupId>org.apache.logging.log4j</groupId>',
      '      <artifactId>log4j-api</artifactId>',
      `      <version>\${log4j.version}</version>`,
      '    </dependency>',
      '    <dependency>',
      '      <groupId>org.apache.logging.log4j</groupId>',
      '      <artifactId>log4j-core</artifactId>',
      `      <version>\${log4j.version}</version>`,
      '    </dependency>',
      '    <dependency>',
      '      <groupId>com.fasterxml.jackson.core</groupId>',
      '      <artifactId>jackson-databind</artifactId>',
      `      <version>${VERSIONS.jacksonDatabind}</version>`,
      '    </dependency>',
      '    <dependency>',
      '      <groupId>org.junit.jupiter</groupId>',
      '      <artifactId>junit-jupiter</artifactId>',
      '      <version>5.8.2</version>',
      '      <scope>test</scope>',
      '    </dependency>',
      '  </dependencies>',
      '',
      '  <build>',
      '    <plugins>',
      '      <plugin>',
      '        <groupId>org.apache.maven.plugins</groupId>',
      '        <artifactId>maven-jar-plugin</artifactId>',
      '        <version>3.2.2</version>',
      '        <configuration>',
      '          <archive>',
      '            <manifest>',
      '              <mainClass>com.acme.inventory.InventoryApplication</mainClass>',
      '            </manifest>',
      '          </archive>',
      '        </configuration>',
      '      </plugin>',
      '    </plugins>',
      '  </build>',
      '</project>',
    ),
    'src/main/java/com/acme/inventory/InventoryApplication.java': lines(
      'package com.acme.inventory;',
      '',
      'import com.fasterxml.jackson.databind.ObjectMapper;',
      'import com.sun.net.httpserver.HttpServer;',
      'import java.io.IOException;',
      'import java.net.InetSocketAddress;',
      'import java.util.Map;',
      'import org.apache.logging.log4j.LogManager;',
      'import org.apache.logging.log4j.Logger;',
      '',
      '/** Stock levels for the storefront and the warehouse tools. */',
      'public final class InventoryApplication {',
      '  private static final Logger LOG = LogManager.getLogger(InventoryApplication.class);',
      '  private static final ObjectMapper JSON = new ObjectMapper();',
      '',
      '  public static void main(String[] args) throws IOException {',
      '    HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);',
      '    server.createContext("/v1/stock", exchange -> {',
      "      // Every lookup is logged with the caller's user agent.",
      '      LOG.info("stock lookup from {}", exchange.getRequestHeaders().getFirst("User-Agent"));',
      '      byte[] body = JSON.writeValueAsBytes(Map.of("sku", exchange.getRequestURI().getQuery(), "available", 42));',
      '      exchange.getResponseHeaders().add("Content-Type", "application/json");',
      '      exchange.sendResponseHeaders(200, body.length);',
      '      exchange.getResponseBody().write(body);',
      '      exchange.close();',
      '    });',
      '    server.start();',
      '    LOG.info("inventory-service listening on 8080");',
      '  }',
      '}',
    ),
    'README.md': lines('# inventory-service', '', 'Stock levels for the storefront and the warehouse tools (Java 17).'),
  },
};

/** The Terraform of the production account; three resources in it are misconfigured on purpose. */
const terraformMain = lines(
  '# Production platform resources of the acme account (eu-west-1).',
  '',
  'data "aws_vpc" "main" {',
  '  tags = {',
  '    Name = "prod-main"',
  '  }',
  '}',
  '',
  '# SSH to the bastion host for on-call engineers.',
  'resource "aws_security_group" "bastion" {',
  '  name        = "bastion-ssh"',
  '  description = "SSH to the bastion host"',
  '  vpc_id      = data.aws_vpc.main.id',
  '',
  '  ingress {',
  '    description = "SSH"',
  '    from_port   = 22',
  '    to_port     = 22',
  '    protocol    = "tcp"',
  '    cidr_blocks = ["0.0.0.0/0"]',
  '  }',
  '',
  '  egress {',
  '    from_port   = 0',
  '    to_port     = 0',
  '    protocol    = "-1"',
  '    cidr_blocks = ["0.0.0.0/0"]',
  '  }',
  '',
  '  tags = {',
  '    Team = "cloud-platform"',
  '  }',
  '}',
  '',
  '# Images and downloads linked from the marketing site.',
  'resource "aws_s3_bucket" "marketing_assets" {',
  '  bucket = "acme-marketing-assets"',
  '',
  '  tags = {',
  '    Team = "marketing"',
  '  }',
  '}',
  '',
  'resource "aws_s3_bucket_policy" "marketing_assets_public_read" {',
  '  bucket = aws_s3_bucket.marketing_assets.id',
  '  policy = jsonencode({',
  '    Version = "2012-10-17"',
  '    Statement = [',
  '      {',
  '        Sid       = "PublicRead"',
  '        Effect    = "Allow"',
  '        Principal = "*"',
  '        Action    = "s3:GetObject"',
  `        Resource  = "\${aws_s3_bucket.marketing_assets.arn}/*"`,
  '      },',
  '    ]',
  '  })',
  '}',
  '',
  '# Payment exports: private and blocked from public access.',
  'resource "aws_s3_bucket" "payments_exports" {',
  '  bucket = "acme-payments-exports"',
  '}',
  '',
  'resource "aws_s3_bucket_public_access_block" "payments_exports" {',
  '  bucket                  = aws_s3_bucket.payments_exports.id',
  '  block_public_acls       = true',
  '  block_public_policy     = true',
  '  ignore_public_acls      = true',
  '  restrict_public_buckets = true',
  '}',
  '',
  '# The role the CI pipeline assumes to deploy into this account.',
  'resource "aws_iam_role" "ci_deployer" {',
  '  name                 = "ci-deployer"',
  '  permissions_boundary = "arn:aws:iam::123456789012:policy/workload-boundary"',
  '  assume_role_policy = jsonencode({',
  '    Version = "2012-10-17"',
  '    Statement = [',
  '      {',
  '        Effect    = "Allow"',
  '        Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/git.example.com" }',
  '        Action    = "sts:AssumeRoleWithWebIdentity"',
  '      },',
  '    ]',
  '  })',
  '}',
  '',
  'resource "aws_iam_policy" "ci_deploy" {',
  '  name        = "ci-deploy-policy"',
  '  description = "Deploys the platform from CI"',
  '  policy = jsonencode({',
  '    Version = "2012-10-17"',
  '    Statement = [',
  '      {',
  '        Sid      = "Deploy"',
  '        Effect   = "Allow"',
  '        Action   = "*"',
  '        Resource = "*"',
  '      },',
  '    ]',
  '  })',
  '}',
  '',
  'resource "aws_iam_role_policy_attachment" "ci_deploy" {',
  '  role       = aws_iam_role.ci_deployer.name',
  '  policy_arn = aws_iam_policy.ci_deploy.arn',
  '}',
);

const infra: DemoRepository = {
  key: 'infra',
  ...REPOS.infra,
  files: {
    'versions.tf': lines(
      'terraform {',
      '  required_version = ">= 1.5.0"',
      '',
      '  required_providers {',
      '    aws = {',
      '      source  = "hashicorp/aws"',
      '      version = "~> 5.0"',
      '    }',
      '  }',
      '}',
      '',
      'provider "aws" {',
      '  region = "eu-west-1"',
      '}',
    ),
    [TERRAFORM.file]: terraformMain,
    '.github/CODEOWNERS': lines('*   @acme/cloud-platform'),
    'README.md': lines(
      '# platform-infra',
      '',
      'Terraform for the production AWS account. `terraform plan` runs in CI.',
    ),
  },
};

const storefront: DemoRepository = {
  key: 'storefront',
  ...REPOS.storefront,
  files: {
    Dockerfile: lines(
      '# syntax=docker/dockerfile:1',
      `FROM ${NODE_BASE_IMAGE} AS build`,
      'WORKDIR /app',
      'COPY package.json ./',
      'RUN npm install --omit=dev',
      'COPY src ./src',
      '',
      `FROM ${NODE_BASE_IMAGE}`,
      'ENV NODE_ENV=production',
      'WORKDIR /app',
      'COPY --from=build /app ./',
      'USER node',
      'EXPOSE 8080',
      'CMD ["node", "src/server.js"]',
    ),
    '.dockerignore': lines('node_modules', '.git'),
    'package.json': json({
      name: 'storefront-web',
      version: '3.4.1',
      private: true,
      description: 'The public storefront',
      main: 'src/server.js',
      scripts: { start: 'node src/server.js' },
      dependencies: { lodash: VERSIONS.lodash },
    }),
    'src/server.js': lines(
      "'use strict';",
      "const http = require('node:http');",
      "const _ = require('lodash');",
      '',
      '// Product pages are rendered from templates kept next to the code.',
      "const page = _.template('<h1><%- title %></h1><p><%- description %></p>');",
      '',
      'http',
      '  .createServer((req, res) => {',
      "    const url = new URL(req.url, 'http://localhost');",
      "    res.setHeader('content-type', 'text/html; charset=utf-8');",
      "    res.end(page({ title: url.searchParams.get('q') || 'Storefront', description: 'Spring collection' }));",
      '  })',
      '  .listen(process.env.PORT || 8080);',
    ),
    'README.md': lines('# storefront-web', '', 'The public storefront and the Dockerfile its image is built from.'),
  },
};

/** The repositories in creation order. */
export const DEMO_REPOSITORIES: readonly DemoRepository[] = [payments, recommendations, inventory, infra, storefront];

/** Every vulnerable package version the demo uses and the assets carrying it. */
export const DEMO_DEPENDENCIES: readonly DemoDependency[] = [
  { ecosystem: 'npm', package: 'express', version: VERSIONS.express, assetIds: [REPOS.payments.assetId] },
  { ecosystem: 'npm', package: 'jsonwebtoken', version: VERSIONS.jsonwebtoken, assetIds: [REPOS.payments.assetId] },
  {
    ecosystem: 'npm',
    package: 'lodash',
    version: VERSIONS.lodash,
    assetIds: [REPOS.payments.assetId, 'img-storefront-web-prod', 'img-storefront-web-staging'],
  },
  { ecosystem: 'PyPI', package: 'Django', version: VERSIONS.django, assetIds: [REPOS.recommendations.assetId] },
  { ecosystem: 'PyPI', package: 'PyYAML', version: VERSIONS.pyyaml, assetIds: [REPOS.recommendations.assetId] },
  { ecosystem: 'PyPI', package: 'PyJWT', version: VERSIONS.pyjwt, assetIds: [REPOS.recommendations.assetId] },
  {
    ecosystem: 'Maven',
    package: LOG4J_CORE,
    version: VERSIONS.log4j,
    assetIds: [REPOS.inventory.assetId, 'img-inventory-service-prod', 'img-inventory-service-staging'],
  },
  {
    ecosystem: 'Maven',
    package: JACKSON_DATABIND,
    version: VERSIONS.jacksonDatabind,
    assetIds: [REPOS.inventory.assetId],
  },
];

/** The repository with this key. */
export function demoRepository(key: RepoKey): DemoRepository {
  return DEMO_REPOSITORIES.find((repo) => repo.key === key)!;
}

/** The 1-based line of a repository file holding `needle` (scanner reports point at it). */
export function lineOf(key: RepoKey, file: string, needle: string): number {
  const text = demoRepository(key).files[file];
  const index = text?.split('\n').findIndex((line) => line.includes(needle)) ?? -1;
  if (index < 0) throw new Error(`demo estate: "${needle}" is not in ${key}/${file}`);
  return index + 1;
}
