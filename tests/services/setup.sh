#!/usr/bin/env bash
# Start the real services the PINTU test suite can use:
#   * PostgreSQL (Debian package) on 127.0.0.1:55432, data in /tmp/pintu-pg
#   * Redis (Debian package)      on 127.0.0.1:56379, no persistence
#   * Chromium + chromedriver     (Debian packages) for browser tests
#   * wrk                         (Debian package), the load generator of `make bench`
#
# Idempotent: installs only missing packages and starts only what is not
# already running, so re-running it is quick.  Must run as root.
#
# All progress output goes to stderr; the only lines on stdout are the
# `export ...` lines, so callers can do:
#   eval "$(bash tests/services/setup.sh | grep '^export ')"
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=55432
PG_ROOT=/tmp/pintu-pg
PG_DATA=$PG_ROOT/data
PG_LOG=$PG_ROOT/postgresql.log
PG_DB=pintu_test
PG_ROLE=pintu
PG_PASSWORD=pintu

REDIS_HOST=127.0.0.1
REDIS_PORT=56379
REDIS_DIR=/tmp/pintu-redis

CHROMIUM=/usr/bin/chromium

PACKAGES=(postgresql redis-server chromium chromium-driver wrk)  # wrk: the load generator of `make bench`

# Keep stdout for the export lines only; everything else goes to stderr.
exec 3>&1 1>&2

log() { printf '[services] %s\n' "$*"; }
die() { printf '[services] ERROR: %s\n' "$*"; exit 1; }

[[ $EUID -eq 0 ]] || die "must run as root (try: sudo bash $0)"

# --- packages --------------------------------------------------------------
missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]})); then
    log "installing missing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    log "packages already installed: ${PACKAGES[*]}"
fi

# --- PostgreSQL ------------------------------------------------------------
# Use the Debian binaries explicitly (a /usr/local/bin/pg_ctl may shadow them).
PG_BIN=""
if [[ -x /usr/lib/postgresql/15/bin/pg_ctl ]]; then
    PG_BIN=/usr/lib/postgresql/15/bin
else
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
fi
[[ -n $PG_BIN && -x $PG_BIN/pg_ctl && -x $PG_BIN/initdb ]] \
    || die "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
PG_MAJOR=$(basename "$(dirname "$PG_BIN")")
log "PostgreSQL $PG_MAJOR binaries: $PG_BIN"

# Run a command as the postgres user from a directory it can read.
as_pg() {
    if command -v runuser >/dev/null 2>&1; then
        (cd / && runuser -u postgres -- "$@")
    else
        local cmd
        printf -v cmd '%q ' "$@"
        (cd / && su postgres -s /bin/bash -c "$cmd")
    fi
}

mkdir -p "$PG_ROOT"
chown postgres:postgres "$PG_ROOT"
chmod 0700 "$PG_ROOT"

if [[ -f $PG_DATA/PG_VERSION && $(cat "$PG_DATA/PG_VERSION") != "$PG_MAJOR" ]]; then
    log "data dir $PG_DATA is from PostgreSQL $(cat "$PG_DATA/PG_VERSION"); recreating"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DATA"
fi

if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    log "initialising cluster in $PG_DATA"
    rm -rf "$PG_DATA"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    # Throw-away test cluster: favour speed over durability.
    cat >>"$PG_DATA/postgresql.conf" <<EOF

# --- PINTU test cluster (tests/services/setup.sh) ---
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = '$PG_ROOT'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
fi

if as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    log "PostgreSQL already running on $PG_HOST:$PG_PORT"
else
    log "starting PostgreSQL on $PG_HOST:$PG_PORT"
    # 3>&- : the daemon must not inherit the stdout pipe (fd 3), or a caller
    # reading our output, e.g. `setup.sh | grep`, would never see EOF.
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start \
            </dev/null >/dev/null 3>&-; then
        tail -n 30 "$PG_LOG" || true
        die "PostgreSQL failed to start (log: $PG_LOG)"
    fi
fi

# --- Redis -----------------------------------------------------------------
redis_ping() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

if redis_ping; then
    log "Redis already running on $REDIS_HOST:$REDIS_PORT"
else
    log "starting Redis on $REDIS_HOST:$REDIS_PORT"
    mkdir -p "$REDIS_DIR"
    redis-server --bind "$REDIS_HOST" --port "$REDIS_PORT" --daemonize yes \
        --save '' --appendonly no --dir "$REDIS_DIR" \
        --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
        </dev/null 3>&-
fi

# --- wait until both answer ------------------------------------------------
for i in $(seq 1 60); do
    pg_ok=0 redis_ok=0
    "$PG_BIN/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT" && pg_ok=1
    redis_ping && redis_ok=1
    ((pg_ok && redis_ok)) && break
    ((i == 60)) && die "services not ready after 30s (postgres=$pg_ok redis=$redis_ok)"
    sleep 0.5
done
log "PostgreSQL and Redis are answering"

# --- role and database -----------------------------------------------------
as_pg "$PG_BIN/psql" -h "$PG_ROOT" -p "$PG_PORT" -U postgres -d postgres \
    -q -X -v ON_ERROR_STOP=1 >/dev/null <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
        CREATE ROLE $PG_ROLE LOGIN PASSWORD '$PG_PASSWORD';
    ELSE
        ALTER ROLE $PG_ROLE LOGIN PASSWORD '$PG_PASSWORD';
    END IF;
END
\$\$;
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_ROLE ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB')
\gexec
ALTER DATABASE $PG_DB OWNER TO $PG_ROLE;
SQL
log "database $PG_DB owned by role $PG_ROLE is ready"

# --- Chromium --------------------------------------------------------------
[[ -x $CHROMIUM ]] || die "$CHROMIUM not found"
log "chromium: $("$CHROMIUM" --version 2>/dev/null | head -n1 || echo '?')"

# --- result ----------------------------------------------------------------
{
    echo "export PINTU_TEST_DATABASE_URL=postgresql://$PG_ROLE:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DB"
    echo "export PINTU_TEST_REDIS_URL=redis://$REDIS_HOST:$REDIS_PORT/0"
    echo "export PINTU_CHROMIUM=$CHROMIUM"
} >&3
