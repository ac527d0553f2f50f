#!/usr/bin/env bash
# Installs Debian's PostgreSQL if missing, starts its cluster, creates the role and database the indexer's tests use,
# and prints `export DATABASE_URL=...` on stdout (everything else goes to stderr), so callers can
#   eval "$(.ci/postgres.sh)"
# Idempotent: run it again after a reboot to start the cluster. Needs root (apt-get, pg_ctlcluster).
set -euo pipefail

ROLE=${MYC_TEST_PG_ROLE:-mycelium}
PASSWORD=${MYC_TEST_PG_PASSWORD:-mycelium}
DATABASE=${MYC_TEST_PG_DATABASE:-mycelium_test}

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
fi

if [ -z "$(pg_lsclusters --no-header)" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  pg_createcluster "$version" main >&2
fi
read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1)
if [ "$status" != "online" ]; then
  pg_ctlcluster "$version" "$cluster" start >&2
fi

psql_admin() { runuser -u postgres -- psql --port "$port" -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
  psql_admin -c "CREATE ROLE \"$ROLE\" LOGIN PASSWORD '$PASSWORD'" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE \"$DATABASE\" OWNER \"$ROLE\"" >&2
fi

echo "export DATABASE_URL=postgresql://$ROLE:$PASSWORD@127.0.0.1:$port/$DATABASE"
