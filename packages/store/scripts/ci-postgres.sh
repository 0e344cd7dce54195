#!/usr/bin/env bash
# Starts PostgreSQL for the store tests in CI and prints TEST_DATABASE_URL=... on stdout.
#
#   eval "export $(packages/store/scripts/ci-postgres.sh)"
#
# Installs Debian's "postgresql" package with apt-get when initdb/pg_ctl are missing, starts a
# cluster on 127.0.0.1:$PORT (Debian's pg_ctlcluster, or pg_ctl on a private data folder when the
# Debian wrappers are absent), and creates a role with a password and CREATEDB (the tests create a
# database per suite) and a database it owns. Idempotent: a second run reuses all of it.
# Progress goes to stderr; under GitHub Actions the URL is also appended to $GITHUB_ENV.
set -euo pipefail

PORT="${BULWARK_CI_PG_PORT:-5432}"
DATABASE="${BULWARK_CI_PG_DATABASE:-bulwark_test}"
ROLE="${BULWARK_CI_PG_USER:-bulwark_test}"
PASSWORD="${BULWARK_CI_PG_PASSWORD:-bulwark-test-password}"
FALLBACK_DATA="${BULWARK_CI_PG_DATA:-/var/tmp/bulwark-ci-postgres}"

log() { echo "ci-postgres: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    die "root is needed to run: $* (run as root or install sudo)"
  fi
}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then
    "$@"
  elif [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    sudo -n -u postgres "$@"
  fi
}

find_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; fi
}

BIN="$(find_bindir)"
if [ -z "$BIN" ]; then
  command -v apt-get >/dev/null 2>&1 || die "initdb/pg_ctl are missing and there is no apt-get to install postgresql"
  log "initdb/pg_ctl not found: installing postgresql with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql >&2
  BIN="$(find_bindir)"
  [ -n "$BIN" ] || die "postgresql was installed but no /usr/lib/postgresql/*/bin has initdb and pg_ctl"
fi
VERSION="$(basename "$(dirname "$BIN")")"
log "PostgreSQL $VERSION in $BIN"

if command -v pg_lsclusters >/dev/null 2>&1 && command -v pg_ctlcluster >/dev/null 2>&1; then
  # Debian: the cluster of this version on $PORT, created when there is none.
  CLUSTER="$(pg_lsclusters -h | awk -v v="$VERSION" -v p="$PORT" '$1 == v && $3 == p { print $2; exit }')"
  if [ -z "$CLUSTER" ]; then
    if pg_lsclusters -h | awk -v p="$PORT" '$3 == p { found = 1 } END { exit !found }'; then
      die "port $PORT belongs to a cluster of another PostgreSQL version; set BULWARK_CI_PG_PORT"
    fi
    CLUSTER=bulwark
    log "creating cluster $VERSION/$CLUSTER on port $PORT"
    as_root pg_createcluster "$VERSION" "$CLUSTER" --port "$PORT" >&2
  fi
  if pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c && $4 == "online" { found = 1 } END { exit !found }'; then
    log "cluster $VERSION/$CLUSTER is already running"
  else
    log "starting cluster $VERSION/$CLUSTER"
    as_root pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
  fi
  SOCKET_DIR=/var/run/postgresql
else
  # Binaries without Debian's wrappers: a private cluster, owned by the postgres user.
  id postgres >/dev/null 2>&1 || die "no postgres user to own the cluster"
  SOCKET_DIR="$FALLBACK_DATA.sock"
  as_root mkdir -p "$SOCKET_DIR"
  as_root chown postgres "$SOCKET_DIR"
  if [ ! -f "$FALLBACK_DATA/PG_VERSION" ]; then
    log "initdb in $FALLBACK_DATA"
    as_root mkdir -p "$FALLBACK_DATA"
    as_root chown postgres "$FALLBACK_DATA"
    as_postgres "$BIN/initdb" -D "$FALLBACK_DATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 -E UTF8 >&2
  fi
  if as_postgres "$BIN/pg_ctl" -D "$FALLBACK_DATA" status >/dev/null 2>&1; then
    log "cluster in $FALLBACK_DATA is already running"
  else
    log "starting the cluster in $FALLBACK_DATA"
    as_postgres "$BIN/pg_ctl" -D "$FALLBACK_DATA" -l "$FALLBACK_DATA/server.log" -w \
      -o "-p $PORT -c listen_addresses=127.0.0.1 -k $SOCKET_DIR" start >&2
  fi
fi

for _ in $(seq 1 30); do
  if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then break; fi
  sleep 1
done
"$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" || die "PostgreSQL does not answer on 127.0.0.1:$PORT"

log "ensuring role $ROLE and database $DATABASE"
as_postgres "$BIN/psql" -q -X -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -d postgres \
  -v role="$ROLE" -v password="$PASSWORD" -v database="$DATABASE" >&2 <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" LOGIN CREATEDB PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
SQL

encode() {
  if command -v node >/dev/null 2>&1; then
    node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$1"
  else
    printf %s "$1"
  fi
}
URL="postgres://$(encode "$ROLE"):$(encode "$PASSWORD")@127.0.0.1:$PORT/$(encode "$DATABASE")"

PGPASSWORD="$PASSWORD" "$BIN/psql" -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d "$DATABASE" \
  -c 'select 1' >/dev/null || die "cannot log in as $ROLE over TCP on 127.0.0.1:$PORT (check pg_hba.conf)"
log "ready on 127.0.0.1:$PORT, database $DATABASE, role $ROLE"

if [ -n "${GITHUB_ENV:-}" ]; then echo "TEST_DATABASE_URL=$URL" >>"$GITHUB_ENV"; fi
echo "TEST_DATABASE_URL=$URL"
