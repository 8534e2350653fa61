#!/usr/bin/env bash
# The deployment smoke test: README 生产部署 run as written, then used over HTTP.
#
# tests/deploy/readme.py reads the section's commands (install, the two systemd units, backup, restore) and
# this script runs them in a copy of the checkout (git's files only: no .venv, no instance/) standing in for
# /opt/lianqiao, with its own environment file, backup folder and port; the install step builds that copy's
# .venv from requirements.txt alone. tests/deploy/smoke.py drives the running site; tests/deploy/checks.py
# checks the restore. The script plays what the README leaves to the
# server: systemd (it starts the units' processes), the PostgreSQL service (a cluster of its own, reached
# through PGPORT), Redis, nginx (smoke.py sends the proxy headers) and the mail server (smoke.py's SMTP sink).
#
# Needs root, Debian's postgresql and redis-server packages, the test requirements in .venv (make install-test)
# and an OpenSearch at SEARCH_URL (make engine). Everything it starts is stopped and removed on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY="$ROOT/.venv/bin/python"
SEARCH_URL=${SEARCH_URL:-http://127.0.0.1:9200}
PG_PORT=${SMOKE_PG_PORT:-5433}
WEB_PORT=${SMOKE_WEB_PORT:-8000}
REDIS_PORT=${SMOKE_REDIS_PORT:-6390}
SMTP_PORT=${SMOKE_SMTP_PORT:-8025}
SITE=https://lianqiao.smoke.test
PREFIX="lqsmoke-$$"
PG_VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
PG_CLUSTER=lianqiao-smoke
WORK=$(mktemp -d /tmp/lianqiao-smoke.XXXXXX)
ENV_FILE="$WORK/lianqiao.env"
APP="$WORK/lianqiao"  # the deployed checkout: /opt/lianqiao in the README
PLACES=(--env-file "$ENV_FILE" --root "$APP" --backups "$WORK" --port "$WEB_PORT")
# The README's commands run with nothing of this shell's environment but these (CI exports its own settings).
CLEAN_ENV=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="${HOME:-/root}"
  LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive PGPORT="$PG_PORT")
SMOKE_ADMIN_PASSWORD="Smoke-$(python3 -c 'import secrets;print(secrets.token_hex(8))')"
export SMOKE_ADMIN_PASSWORD
UNIT_PIDS=()
REDIS_PID=

stop_units() {
  for pid in "${UNIT_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${UNIT_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  UNIT_PIDS=()
}

cleanup() {
  local rc=$?
  echo "== [$(date +%T)] cleanup"
  stop_units
  echo "   [$(date +%T)] units stopped"
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  pg_dropcluster --stop "$PG_VERSION" "$PG_CLUSTER" 2>/dev/null || true
  "$PY" -m tests.deploy.checks drop-indexes "$SEARCH_URL" "$PREFIX" || true
  if [ "$rc" -ne 0 ]; then
    for log in "$WORK"/*.log; do echo "---- ${log##*/} (last lines)"; tail -n 40 "$log"; done
    echo "deployment smoke test FAILED"
  fi
  rm -rf "$WORK"
  echo "   [$(date +%T)] cleaned up"
}
trap cleanup EXIT

# A README block as a script: `set -e`, in the deployed checkout, output to a log shown on failure.
run_block() {
  local name=$1
  "$PY" -m tests.deploy.readme script "$name" "${PLACES[@]}" >"$WORK/$name.sh"
  echo "== [$(date +%T)] README: $name ($(grep -c . "$WORK/$name.sh") commands)"
  (cd "$APP" && setsid -w "${CLEAN_ENV[@]}" bash -euo pipefail "$WORK/$name.sh" >"$WORK/$name.log" 2>&1)
}

start_units() {
  for unit in web jobs; do
    "${CLEAN_ENV[@]}" bash -c "$("$PY" -m tests.deploy.readme unit "$unit" "${PLACES[@]}")" >>"$WORK/$unit.log" 2>&1 &
    UNIT_PIDS+=($!)
  done
}

echo "== [$(date +%T)] the deployed checkout: $APP"
mkdir -p "$APP"
git -c safe.directory="$ROOT" ls-files -z --cached --others --exclude-standard \
  | tar --null --ignore-failed-read -T - -cf - | tar -xf - -C "$APP"

echo "== [$(date +%T)] the server's services: PostgreSQL cluster on $PG_PORT, Redis on $REDIS_PORT"
pg_dropcluster --stop "$PG_VERSION" "$PG_CLUSTER" 2>/dev/null || true
pg_createcluster "$PG_VERSION" "$PG_CLUSTER" -p "$PG_PORT" >/dev/null
pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
  sleep 1
done

echo "== [$(date +%T)] environment file (README's variables, this test's values)"
cat >"$ENV_FILE" <<EOF
APP_ENV=production
SECRET_KEY=$(python3 -c 'import secrets;print(secrets.token_hex(32))')
DATABASE_URL=postgresql://lianqiao:change-me@127.0.0.1:$PG_PORT/lianqiao
SITE_URL=$SITE
PROXY_HOPS=1
RATELIMIT_STORAGE_URI=redis://127.0.0.1:$REDIS_PORT/0
SEARCH_BACKEND=opensearch
SEARCH_URL=$SEARCH_URL
SEARCH_PREFIX=$PREFIX
MAIL_SERVER=127.0.0.1
MAIL_PORT=$SMTP_PORT
MAIL_DEFAULT_SENDER=noreply@lianqiao.smoke.test
INSTANCE_PATH=$WORK/instance
EOF
chmod 600 "$ENV_FILE"
"$PY" -m tests.deploy.readme check-env "$ENV_FILE"

# create-admin asks for the password twice; without a terminal (setsid) it reads the answers from stdin.
printf '%s\n%s\n' "$SMOKE_ADMIN_PASSWORD" "$SMOKE_ADMIN_PASSWORD" | run_block install

echo "== [$(date +%T)] README: start the web (gunicorn, 4 workers) and jobs units"
start_units
"$PY" -m tests.deploy.smoke --base "http://127.0.0.1:$WEB_PORT" --site "$SITE" --smtp-port "$SMTP_PORT" \
  --redis "redis://127.0.0.1:$REDIS_PORT/0" --state "$WORK/state.json"

run_block backup
run_block restore
"$PY" -m tests.deploy.checks status "$WORK/restore.log"

echo "== [$(date +%T)] restart both units on the restored database"
stop_units
start_units
"$PY" -m tests.deploy.checks restored --base "http://127.0.0.1:$WEB_PORT" --site "$SITE" --state "$WORK/state.json"
echo "deployment smoke test passed in ${SECONDS} s"
