#!/usr/bin/env bash
# Install the pgvector extension into the local PostgreSQL 15 (Debian bookworm).
# Bookworm has no pgvector package, so we build it from the source of Debian
# trixie's package, fetched from the Debian mirror (the only network we have).
# Idempotent: a second run is a no-op. Must run as root.
set -euo pipefail

PG_HOST=127.0.0.1 PG_PORT=5432
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
PSQL=(psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -Atq)

# 1. Make sure the server is up (containers don't start it at boot).
if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
  echo "starting PostgreSQL 15..."
  pg_ctlcluster --skip-systemctl-redirect 15 main start
  for _ in $(seq 30); do pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && break; sleep 1; done
  pg_isready -h "$PG_HOST" -p "$PG_PORT"  # fail here, not later, if it never came up
fi

has_vector() {
  [ -n "$("${PSQL[@]}" -c "SELECT 1 FROM pg_available_extensions WHERE name='vector'")" ]
}

# 2. Nothing to do if the extension is already installed.
if has_vector; then
  echo "pgvector already available"
  exit 0
fi

# 3. Build dependencies (headers + PGXS for PG 15, compiler, make).
echo "installing build dependencies..."
export DEBIAN_FRONTEND=noninteractive
# Refresh the system lists only if they don't know the dev package yet.
if ! apt-cache policy postgresql-server-dev-15 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  timeout 600 apt-get update -qq
fi
timeout 600 apt-get install -y -qq postgresql-server-dev-15 build-essential >/dev/null

# 4. Fetch trixie's pgvector source using PRIVATE apt lists, so the system's
#    sources and lists stay bookworm-only (no trixie binaries can leak in).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chown _apt "$tmp"  # apt downloads as the unprivileged _apt user
mkdir -p "$tmp/lists/partial"
echo "deb-src http://deb.debian.org/debian trixie main" >"$tmp/sources.list"
APT_PRIVATE=(
  -o Dir::Etc::sourcelist="$tmp/sources.list" -o Dir::Etc::sourceparts=-
  -o Dir::State::Lists="$tmp/lists"
  -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=  # no shared cache files
)
echo "fetching pgvector source from Debian trixie..."
timeout 600 apt-get -qq "${APT_PRIVATE[@]}" update
(cd "$tmp" && timeout 600 apt-get -qq "${APT_PRIVATE[@]}" source --download-only pgvector >/dev/null)

# 5. Build from the pristine upstream (orig) tarball; Debian's patches only
#    concern packaging. OPTFLAGS= drops upstream's -march=native, so the .so
#    does not depend on this particular CPU.
orig=$(ls "$tmp"/pgvector_0.8.*.orig.tar.* 2>/dev/null | head -n1 || true)
[ -n "$orig" ] || { echo "no pgvector 0.8.x orig tarball found" >&2; exit 1; }
echo "building $(basename "$orig")..."
mkdir "$tmp/src"
tar -xf "$orig" -C "$tmp/src" --strip-components=1
make -C "$tmp/src" -s -j2 PG_CONFIG="$PG_CONFIG" OPTFLAGS= >/dev/null
make -C "$tmp/src" -s install PG_CONFIG="$PG_CONFIG" >/dev/null

# 6. Verify: the server sees it, and it can really be created.
has_vector || { echo "pgvector still not available after install" >&2; exit 1; }
db="pgvector_check_$$"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $db"
trap '"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" || true; rm -rf "$tmp"' EXIT
"${PSQL[@]}" -d "$db" -c "CREATE EXTENSION IF NOT EXISTS vector"
echo "pgvector $("${PSQL[@]}" -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname='vector'") installed"
