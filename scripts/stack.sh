#!/usr/bin/env bash
# The local servers Stream-Sentinel's tests and demo run against, on machines without Docker:
# PostgreSQL 15, Redis 7, ClickHouse 18.16 (what Debian ships) and the Kafka development broker
# (librdkafka's mock cluster, hosted by `stream-sentinel run broker`).
# Everything listens on 127.0.0.1 on non-default ports and keeps its data under .stack/ (git-ignored),
# so a developer's own servers never clash with it.
#
#   scripts/stack.sh up              install what is missing, start what is not running, write .stack/env
#   scripts/stack.sh status          exit 0 when all four servers answer, 3 otherwise
#   scripts/stack.sh down [--purge]  stop what `up` started (--purge also deletes .stack/)
#   scripts/stack.sh env             print .stack/env (source it with: set -a; . .stack/env; set +a)
#   scripts/stack.sh stop SERVER     stop one server (postgres, redis, clickhouse or kafka), e.g. for an outage drill
#   scripts/stack.sh start SERVER    start it again (same data, same port)
#   scripts/stack.sh prepare         install and initialise everything, start nothing (for an orchestrator)
#   scripts/stack.sh layout          print ports and paths as KEY=VALUE (what an orchestrator needs to know)
#   scripts/stack.sh browser         install Debian's Chromium if missing (the console's browser test drives it)
#   scripts/stack.sh serve SERVER    start one server (postgres, redis or clickhouse) and stay in the foreground
#                                    until it dies or a SIGTERM stops it (how the Aspire AppHost runs them)
#
# SS_STACK_DIR (default .stack) and SS_STACK_PORT_OFFSET (default 0, added to every port) give a second,
# independent stack on the same machine, e.g. for a test that runs beside the one the other tests use.
#
# Runs as root (CI and the development machines are root). PostgreSQL refuses root, so it runs as `postgres`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stack="${SS_STACK_DIR:-$root/.stack}"
env_file="$stack/env"
audit_key_file="$stack/audit-signing-key" # generated once: events signed before a restart still check

port_offset="${SS_STACK_PORT_OFFSET:-0}"
[[ "$port_offset" =~ ^[0-9]{1,4}$ ]] || { echo "stack.sh: SS_STACK_PORT_OFFSET must be a number from 0 to 9999" >&2; exit 2; }
PG_PORT=$((55432 + port_offset))
REDIS_PORT=$((56379 + port_offset))
CH_HTTP_PORT=$((58123 + port_offset))
CH_TCP_PORT=$((59000 + port_offset))
# Redis over TLS beside the plain port; TLS clients sign in as the ACL user sentinel (issue 18, item 1).
REDIS_TLS_PORT=$((56389 + port_offset))
KAFKA_CHECK_TOPIC=fraud-detection-results

pg_bin=/usr/lib/postgresql/15/bin   # not /usr/local/bin: those links exist only on hand-prepared images
pg_dir="$stack/postgres"
pg_data="$pg_dir/data"
pg_run="$pg_dir/run"
pg_log="$pg_dir/log/postgres.log"
pg_pwfile="$pg_dir/password"
pg_writer_pwfile="$pg_dir/writer_password"   # the least-privilege accounts: `stream-sentinel migrate` creates
pg_analyst_pwfile="$pg_dir/analyst_password" # them from the connection strings written to .stack/env

# A CA of this stack's own and a server certificate it signed (127.0.0.1 and localhost), made once by openssl:
# PostgreSQL and Redis serve TLS with them; clients trust ca.crt and check the name (verify-full).
tls_dir="$stack/tls"
redis_dir="$stack/redis"
redis_pwfile="$redis_dir/sentinel_password" # the ACL user sentinel's, for TLS clients
redis_pidfile="$redis_dir/redis.pid"
redis_log="$redis_dir/redis.log"

ch_dir="$stack/clickhouse"
ch_config="$ch_dir/config.xml"
ch_users="$ch_dir/users.xml"
ch_bi_pwfile="$ch_dir/bi_password"
ch_writer_pwfile="$ch_dir/writer_password" # the persistence workers' account (issue 18, least privilege)
ch_pidfile="$ch_dir/clickhouse.pid"
ch_errlog="$ch_dir/log/clickhouse-server.err.log"

kafka_dir="$stack/kafka"
kafka_pidfile="$kafka_dir/broker.pid"
kafka_log="$kafka_dir/broker.log"
kafka_build_log="$kafka_dir/build.log"
kafka_bootstrap="$kafka_dir/bootstrap"

# ---------------------------------------------------------------------------------------------------
# Helpers

started=0 # how many servers this `up` started

say() {
  [[ "$3" != *"(started)" ]] || started=$((started + 1))
  printf '%-10s %-22s %s\n' "$1" "$2" "$3"
}

# die SERVER MESSAGE [LOG...]: the message, then the tail of each log that exists, on stderr.
die() {
  local server="$1" message="$2" log
  shift 2
  echo "stack.sh: $server: $message" >&2
  for log in "$@"; do
    if [ -s "$log" ]; then
      echo "--- last lines of $log ---" >&2
      tail -n 30 "$log" >&2
    fi
  done
  exit 1
}

# The pid stored in FILE (first line), or nothing when the file is missing or holds no number.
read_pid() {
  local pid=""
  if [ -f "$1" ]; then read -r pid <"$1" || true; fi
  case "$pid" in '' | *[!0-9]*) return 0 ;; esac
  echo "$pid"
}

# alive PID: the process exists and is not a zombie. A daemon's parent is pid 1, which may reap it only
# seconds after it exited (measured here: ~2 s), and kill -0 alone still succeeds on a zombie.
alive() {
  local state
  state="$(proc_state "${1:-}")"
  [ -n "$state" ] && [ "$state" != Z ]
}
zombie() { [ "$(proc_state "${1:-}")" == Z ]; }

# proc_state PID: the state letter of PID (R, S, D, Z...), nothing if there is no such process.
proc_state() {
  local stat
  [ -n "${1:-}" ] || return 0
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
  stat="${stat##*) }" # the state follows the command name, which may itself contain spaces
  echo "${stat:0:1}"
}

# ours PID TEXT: PID is alive and its command line contains TEXT. Guards against a stale pid file whose
# number now belongs to an unrelated process (after a reboot or a crash), which we must neither trust nor kill.
ours() {
  local cmdline
  alive "$1" || return 1
  cmdline="$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline")" || return 1
  [[ "$cmdline" == *"$2"* ]]
}

# wait_for SECONDS PID COMMAND...: polls COMMAND every 0.1 s. Returns 0 once it succeeds, 1 on timeout,
# 2 as soon as PID (if given) has died, so a crashed server fails fast instead of after the whole timeout.
wait_for() {
  local tenths=$(($1 * 10)) pid="$2" i
  shift 2
  for ((i = 0; i < tenths; i++)); do
    if "$@"; then return 0; fi
    if [ -n "$pid" ] && ! alive "$pid"; then return 2; fi
    sleep 0.1
  done
  if "$@"; then return 0; fi
  return 1
}

# wait_gone PID SECONDS: waits until PID has exited; 1 if it is still there afterwards.
wait_gone() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    alive "$1" || return 0
    sleep 0.1
  done
  ! alive "$1"
}

# wait_reaped PID: after a crash (kill -9), the dead server can stay a zombie for a few seconds, and
# PostgreSQL then takes its old pid for a running postmaster and refuses to start. Wait until pid 1 has
# reaped it (at most 15 s; afterwards the start fails with the server's own message).
wait_reaped() {
  local i
  for ((i = 0; i < 150; i++)); do
    zombie "${1:-}" || return 0
    sleep 0.1
  done
}

# stop_pid NAME PID GRACE: SIGTERM, wait GRACE seconds, then SIGKILL and wait again.
stop_pid() {
  local name="$1" pid="$2" grace="$3"
  kill -TERM "$pid" 2>/dev/null || true
  wait_gone "$pid" "$grace" && return 0
  echo "stack.sh: $name (pid $pid) still running after ${grace}s; sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  wait_gone "$pid" 10 || die "$name" "pid $pid survived SIGKILL"
}

# Writes FILE only when its content differs, through a temp file and a rename, so that a second `up`
# changes nothing and a reader never sees half a file.
write_file() {
  local file="$1" content="$2"
  if [ -f "$file" ] && [ "$(cat "$file")" == "$content" ]; then return 0; fi
  printf '%s\n' "$content" >"$file.tmp"
  mv -f "$file.tmp" "$file"
}

# PostgreSQL's tools refuse root. cd / because pg_ctl and initdb fail when they cannot read the cwd
# (root's home is 700).
as_pg() { (cd / && runuser -u postgres -- "$@"); }

# A random hex password in FILE, generated once and kept (hex: nothing to escape in SQL, XML, connection
# strings or the env file). Only root reads it.
secret_file() {
  if [ ! -s "$1" ]; then
    (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$1.tmp")
    mv -f "$1.tmp" "$1"
  fi
  chmod 600 "$1"
}

# Single-quote a value for a shell-sourceable file.
shell_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# ---------------------------------------------------------------------------------------------------
# Packages: install only what is missing, so that `up` on a prepared machine does not touch apt at all.

install_packages() {
  local need=()
  [ -x "$pg_bin/pg_ctl" ] && [ -x "$pg_bin/psql" ] || need+=(postgresql)
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || need+=(redis-server)
  command -v clickhouse-server >/dev/null || need+=(clickhouse-server)
  command -v clickhouse-client >/dev/null || need+=(clickhouse-client)
  command -v kcat >/dev/null || need+=(kcat)
  command -v docker-compose >/dev/null || need+=(docker-compose) # a test validates docker-compose.yml with it
  command -v curl >/dev/null || need+=(curl)
  command -v openssl >/dev/null || need+=(openssl)
  command -v pgrep >/dev/null || need+=(procps)
  [ ${#need[@]} -eq 0 ] && return 0

  local log="$stack/apt.log"
  echo "stack.sh: installing ${need[*]} (log: $log)" >&2
  # A fresh machine has empty apt lists. Post-install scripts may try to start Debian's own services;
  # policy-rc.d refuses and that is fine: we never use those.
  if ! {
    apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
  } >"$log" 2>&1; then
    die apt "installing ${need[*]} failed" "$log"
  fi
  [ -x "$pg_bin/pg_ctl" ] || die postgres "PostgreSQL 15 is not in $pg_bin after installing 'postgresql'" "$log"
}

# ---------------------------------------------------------------------------------------------------
# PostgreSQL 15

pg_pid() {
  local pid
  pid="$(read_pid "$pg_data/postmaster.pid")"
  if ours "$pid" "$pg_data"; then echo "$pid"; fi
}
pg_answers() { "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2 >/dev/null 2>&1; }
pg_psql() { as_pg "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pg_run" -p "$PG_PORT" -d postgres "$@"; }
pg_app_login() {
  PGPASSWORD="$1" PGCONNECT_TIMEOUT=5 "$pg_bin/psql" -X -q -w -tA -h 127.0.0.1 -p "$PG_PORT" \
    -U stream_sentinel -d stream_sentinel -c 'SELECT 1' >/dev/null 2>&1
}

# The cluster is owned by `postgres`, which must be able to walk down to it. A clone under a private
# directory (e.g. /root, mode 700) blocks it: grant `postgres` traverse-only access there (an ACL when the
# filesystem has them, else o+x), and say so, rather than fail on a machine we are root of anyway.
pg_check_path() {
  local dir="" part parts
  as_pg test -x "$pg_dir" && return 0
  IFS=/ read -ra parts <<<"${pg_dir#/}"
  for part in "${parts[@]}"; do
    dir="$dir/$part"
    [ -d "$dir" ] || break
    if ! as_pg test -x "$dir"; then
      if command -v setfacl >/dev/null 2>&1 && setfacl -m u:postgres:x "$dir" 2>/dev/null; then
        echo "stack.sh: postgres: granted user postgres traverse-only access (ACL u:postgres:x) to $dir" >&2
      else
        chmod o+x "$dir"
        echo "stack.sh: postgres: made $dir traversable (chmod o+x) so user postgres can reach $pg_data" >&2
      fi
    fi
  done
  as_pg test -x "$pg_dir" || die postgres "user postgres cannot reach $pg_dir"
}

tls_prepare() {
  install -d -m 755 "$tls_dir"
  if [ ! -s "$tls_dir/ca.crt" ] || [ ! -s "$tls_dir/server.crt" ] || [ ! -s "$tls_dir/server.key" ]; then
    (
      umask 077
      cd "$tls_dir" || exit 1
      openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 825 -keyout ca.key -out ca.crt \
        -subj "/CN=Stream-Sentinel local stack CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
        openssl req -new -nodes -newkey rsa:2048 -sha256 -keyout server.key -out server.csr -subj "/CN=127.0.0.1" &&
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' >server.ext &&
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 825 -extfile server.ext -out server.crt &&
        rm -f server.csr server.ext ca.srl
    ) >"$stack/tls.log" 2>&1 || die tls "openssl could not make the stack's certificates" "$stack/tls.log"
  fi
  chmod 644 "$tls_dir/ca.crt" "$tls_dir/server.crt"
  chmod 600 "$tls_dir/ca.key" "$tls_dir/server.key"
}

pg_prepare() {
  install -d -m 755 "$pg_dir"
  chown postgres:postgres "$pg_dir"
  install -d -o postgres -g postgres -m 700 "$pg_run" # socket dir: only postgres (and root) connect through it
  install -d -o postgres -g postgres -m 755 "$pg_dir/log"
  pg_check_path
  tls_prepare
  # PostgreSQL refuses a key that others may read, and reads it as postgres: a copy of its own.
  install -o postgres -g postgres -m 600 "$tls_dir/server.key" "$pg_dir/server.key"
  install -o postgres -g postgres -m 644 "$tls_dir/server.crt" "$pg_dir/server.crt"

  # One random password, generated once and reused, so the connection string never changes.
  # Hex: nothing to escape in SQL, connection strings or the env file.
  if [ ! -s "$pg_pwfile" ]; then
    od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$pg_pwfile.tmp"
    mv -f "$pg_pwfile.tmp" "$pg_pwfile"
  fi
  chown postgres:postgres "$pg_pwfile" # initdb --pwfile reads it as postgres
  chmod 600 "$pg_pwfile"
  # The least-privilege accounts' passwords, for .stack/env and for an orchestrator (layout): one pair per stack.
  secret_file "$pg_writer_pwfile"
  secret_file "$pg_analyst_pwfile"

  if [ ! -f "$pg_data/PG_VERSION" ]; then
    [ ! -e "$pg_data" ] || die postgres "$pg_data exists but is not a cluster; remove it (scripts/stack.sh down --purge)"
    # initdb into a side directory and rename it, so a crash midway never leaves a half cluster behind.
    rm -rf "$pg_data.init"
    install -d -o postgres -g postgres -m 700 "$pg_data.init"
    as_pg "$pg_bin/initdb" -D "$pg_data.init" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$pg_pwfile" -E UTF8 --locale=C.UTF-8 >"$pg_dir/log/initdb.log" 2>&1 ||
      die postgres "initdb failed" "$pg_dir/log/initdb.log"
    echo "include_if_exists = 'stack.conf'" >>"$pg_data.init/postgresql.conf"
    mv "$pg_data.init" "$pg_data"
  fi
  # Rewritten on every `up` (not baked into postgresql.conf) so the socket path follows the repository
  # if it moves. Same settings as -o on the command line, but a hand-run `pg_ctl start` gets them too.
  write_file "$pg_data/stack.conf" "# Written by scripts/stack.sh up
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '${pg_run//\'/\'\'}'
ssl = on
ssl_cert_file = '${pg_dir//\'/\'\'}/server.crt'
ssl_key_file = '${pg_dir//\'/\'\'}/server.key'
ssl_min_protocol_version = 'TLSv1.2'"
  chown postgres:postgres "$pg_data/stack.conf"
  # The fleet's own accounts sign in over TLS only (hostssl); a plain-text attempt is refused before the password.
  # Written once at the top of pg_hba.conf, where the first matching line wins.
  if ! grep -q '^# stream-sentinel: TLS only' "$pg_data/pg_hba.conf"; then
    { printf '# stream-sentinel: TLS only for the fleet accounts\nhostnossl all sentinel_writer,sentinel_analyst 0.0.0.0/0 reject\n'; cat "$pg_data/pg_hba.conf"; } >"$pg_data/pg_hba.conf.new"
    chown postgres:postgres "$pg_data/pg_hba.conf.new"
    chmod 600 "$pg_data/pg_hba.conf.new"
    mv -f "$pg_data/pg_hba.conf.new" "$pg_data/pg_hba.conf"
  fi
}

# pg_sql SQL: runs one statement through the socket as postgres; dies with psql's error.
pg_sql() {
  local out
  out="$(pg_psql -tAc "$1" 2>&1)" || die postgres "psql failed: ${1%%PASSWORD*}: $out" "$pg_log"
  echo "$out"
}

# Role and database of the application, created once; the password is checked over TCP exactly the
# way the application connects, and reset only if it does not work (e.g. the password file was lost).
pg_provision() {
  local pw="$1" exists
  exists="$(pg_sql "SELECT 1 FROM pg_roles WHERE rolname = 'stream_sentinel'")"
  [ -n "$exists" ] || pg_sql "CREATE ROLE stream_sentinel LOGIN CREATEDB CREATEROLE PASSWORD '$pw'" >/dev/null
  # CREATE DATABASE cannot run inside a transaction, which is what one -c with several statements is.
  exists="$(pg_sql "SELECT 1 FROM pg_database WHERE datname = 'stream_sentinel'")"
  [ -n "$exists" ] || pg_sql "CREATE DATABASE stream_sentinel OWNER stream_sentinel ENCODING 'UTF8'" >/dev/null
  if ! pg_app_login "$pw"; then
    pg_sql "ALTER ROLE stream_sentinel LOGIN CREATEDB CREATEROLE PASSWORD '$pw'" >/dev/null
    pg_app_login "$pw" || die postgres "cannot log in as stream_sentinel over TCP even after setting its password" "$pg_log"
  fi
}

postgres_up() {
  local state="already running" pid
  pg_prepare
  pid="$(pg_pid)"
  if [ -z "$pid" ]; then
    state="started"
    wait_reaped "$(read_pid "$pg_data/postmaster.pid")"
    # pg_ctl copes with a postmaster.pid left by kill -9 by itself. -w waits until it accepts connections.
    # 8>&- : the server must not inherit (and so hold forever) the lock of this script.
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_log" -w -t 60 start >/dev/null 2>&1 8>&- ||
      die postgres "pg_ctl start failed" "$pg_log"
    pid="$(pg_pid)"
  fi
  wait_for 10 "$pid" pg_answers || die postgres "pid ${pid:-?} does not answer on 127.0.0.1:$PG_PORT" "$pg_log"
  pg_provision "$(cat "$pg_pwfile")"
  say postgres "127.0.0.1:$PG_PORT" "ready ($state)"
}

postgres_status() {
  local pid
  pid="$(pg_pid)"
  status_line postgres "127.0.0.1:$PG_PORT" "$pid" pg_answers
}

postgres_down() {
  local pid
  pid="$(pg_pid)"
  [ -n "$pid" ] || return 1
  # fast: disconnects clients and shuts down cleanly (smart would wait for every client to leave).
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
    stop_pid postgres "$pid" 30
  wait_gone "$pid" 10 || die postgres "pid $pid still running after pg_ctl stop" "$pg_log"
  say postgres "127.0.0.1:$PG_PORT" "stopped (pid $pid)"
}

# ---------------------------------------------------------------------------------------------------
# Redis 7

redis_pid() {
  local pid
  pid="$(read_pid "$redis_pidfile")"
  # Redis rewrites its command line to "redis-server 127.0.0.1:PORT"; check that rather than the path.
  if ours "$pid" "redis-server 127.0.0.1:$REDIS_PORT"; then echo "$pid"; fi
}
redis_answers() { [ "$(timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]; }

redis_up() {
  local state="already running" pid
  install -d -m 755 "$redis_dir"
  tls_prepare
  secret_file "$redis_pwfile"
  pid="$(redis_pid)"
  if [ -z "$pid" ]; then
    state="started"
    wait_reaped "$(read_pid "$redis_pidfile")"
    rm -f "$redis_pidfile"
    # AOF (fsync every second) rather than no persistence: the detector's per-user state must survive
    # a restart of Redis; RDB snapshots (--save) are off because the AOF already covers it.
    # TLS on its own port beside the plain one (clients need no certificate of their own); the ACL user sentinel
    # with its password is who TLS clients sign in as.
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --dir "$redis_dir" \
      --pidfile "$redis_pidfile" --logfile "$redis_log" --save "" \
      --appendonly yes --appendfsync everysec \
      --tls-port "$REDIS_TLS_PORT" --tls-cert-file "$tls_dir/server.crt" --tls-key-file "$tls_dir/server.key" \
      --tls-ca-cert-file "$tls_dir/ca.crt" --tls-auth-clients no \
      --user sentinel on ">$(cat "$redis_pwfile")" '~*' '&*' '+@all' </dev/null >/dev/null 2>&1 8>&- ||
      die redis "redis-server did not start" "$redis_log"
  fi
  wait_for 15 "" redis_answers || die redis "no PONG from 127.0.0.1:$REDIS_PORT" "$redis_log"
  pid="$(redis_pid)"
  [ -n "$pid" ] || die redis "answers on 127.0.0.1:$REDIS_PORT but $redis_pidfile names no redis-server of ours (another server on that port?)" "$redis_log"
  say redis "127.0.0.1:$REDIS_PORT" "ready ($state)"
}

redis_status() { status_line redis "127.0.0.1:$REDIS_PORT" "$(redis_pid)" redis_answers; }

redis_down() {
  local pid
  pid="$(redis_pid)"
  [ -n "$pid" ] || { rm -f "$redis_pidfile"; return 1; }
  # nosave: no RDB dump; the AOF is still flushed and fsynced on shutdown.
  timeout 10 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  wait_gone "$pid" 10 || stop_pid redis "$pid" 10
  rm -f "$redis_pidfile"
  say redis "127.0.0.1:$REDIS_PORT" "stopped (pid $pid)"
}

# ---------------------------------------------------------------------------------------------------
# ClickHouse 18.16 (Debian's only version)

ch_pid() {
  local pid
  pid="$(read_pid "$ch_pidfile")"
  if ours "$pid" "--config-file=$ch_config"; then echo "$pid"; fi
}
ch_answers() { [ "$(curl -s -m 2 "http://127.0.0.1:$CH_HTTP_PORT/ping" 2>/dev/null)" == "Ok." ]; }

# 18.16 reads a <yandex> root and knows none of the newer settings (e.g. max_server_memory_usage);
# an unknown element is ignored, a wrong one can stop it, so this is kept to what it needs.
ch_write_config() {
  local d # $ch_dir escaped for XML
  d="${ch_dir//&/&amp;}"
  d="${d//</&lt;}"
  d="${d//>/&gt;}"
  install -d -m 755 "$ch_dir" "$ch_dir/log"
  secret_file "$ch_bi_pwfile"
  secret_file "$ch_writer_pwfile"
  local bi_sha256 writer_sha256
  bi_sha256="$(tr -d '\n' <"$ch_bi_pwfile" | sha256sum | cut -d' ' -f1)"
  writer_sha256="$(tr -d '\n' <"$ch_writer_pwfile" | sha256sum | cut -d' ' -f1)"
  write_file "$ch_config" "<?xml version=\"1.0\"?>
<!-- Written by scripts/stack.sh up; changes are overwritten. -->
<yandex>
    <logger>
        <level>warning</level>
        <log>$d/log/clickhouse-server.log</log>
        <errorlog>$d/log/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>3</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$CH_HTTP_PORT</http_port>
    <tcp_port>$CH_TCP_PORT</tcp_port>
    <!-- No interserver_http_port: no replication here. -->
    <path>$d/data/</path>
    <tmp_path>$d/tmp/</tmp_path>
    <user_files_path>$d/user_files/</user_files_path>
    <format_schema_path>$d/format_schemas/</format_schema_path>
    <users_config>$d/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <!-- mlock of the binary only slows the start down on a development machine. -->
    <mlock_executable>false</mlock_executable>
    <!-- Modest caches: the machine is shared with the rest of the stack and the tests. -->
    <mark_cache_size>536870912</mark_cache_size>
    <uncompressed_cache_size>1073741824</uncompressed_cache_size>
    <max_concurrent_queries>100</max_concurrent_queries>
</yandex>"
  write_file "$ch_users" "<?xml version=\"1.0\"?>
<!-- Written by scripts/stack.sh up; changes are overwritten. -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>10000000000</max_memory_usage>
            <use_uncompressed_cache>0</use_uncompressed_cache>
            <load_balancing>random</load_balancing>
        </default>
        <!-- Reads only; settings may change per query (BI tools and the .NET driver send some). -->
        <!-- BI: bounded so that no viewer can exhaust the server (issue 18). 18.16 has no settings constraints, and
             readonly 2 lets a client raise these per query: the quota bi below is what it cannot lift. -->
        <read_only>
            <max_memory_usage>2000000000</max_memory_usage>
            <readonly>2</readonly>
            <max_execution_time>30</max_execution_time>
            <timeout_overflow_mode>throw</timeout_overflow_mode>
            <max_rows_to_read>500000000</max_rows_to_read>
            <max_bytes_to_read>20000000000</max_bytes_to_read>
            <read_overflow_mode>throw</read_overflow_mode>
        </read_only>
        <!-- Persistence workers: INSERT and the reads recovery needs; allow_ddl 0 refuses CREATE, ALTER, DROP and
             TRUNCATE, and a session cannot set it back to 1. 18.16 cannot limit INSERT or SELECT to some tables. -->
        <writer>
            <max_memory_usage>10000000000</max_memory_usage>
            <allow_ddl>0</allow_ddl>
        </writer>
    </profiles>
    <users>
        <!-- No allow_databases element: access to every database. -->
        <default>
            <password></password>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
        <!-- BI users and the console's reads. ClickHouse 18.16 has no SQL accounts, so this file defines it;
             migrate checks that it reads and cannot write (on current servers migrate creates it with GRANTs). -->
        <sentinel_bi>
            <password_sha256_hex>$bi_sha256</password_sha256_hex>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>read_only</profile>
            <quota>bi</quota>
        </sentinel_bi>
        <!-- The persistence workers (SS_CLICKHOUSE_WRITER). No allow_databases: the tests give each fixture a
             database of its own; on current servers migrate grants INSERT and SELECT on one database only. -->
        <sentinel_writer>
            <password_sha256_hex>$writer_sha256</password_sha256_hex>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>writer</profile>
            <quota>default</quota>
        </sentinel_writer>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
        <!-- Per BI user and hour; beyond it the server refuses that user's queries until the hour ends. -->
        <bi>
            <interval>
                <duration>3600</duration>
                <queries>5000</queries>
                <errors>1000</errors>
                <result_rows>50000000</result_rows>
                <read_rows>20000000000</read_rows>
                <execution_time>1800</execution_time>
            </interval>
        </bi>
    </quotas>
</yandex>"
}

clickhouse_up() {
  local state="already running" pid rc=0 body
  ch_write_config
  pid="$(ch_pid)"
  if [ -z "$pid" ]; then
    state="started"
    # A stale pid file is removed here rather than left to the server, which refuses to start when the
    # number happens to belong to some other live process.
    wait_reaped "$(read_pid "$ch_pidfile")"
    rm -f "$ch_pidfile"
    # 18.16 writes --pid-file only in --daemon mode: it forks, detaches and writes its own pid there, so
    # the pid file names the server itself and never a wrapper. Its stdout/stderr go to log/std*.log.
    clickhouse-server --config-file="$ch_config" --pid-file="$ch_pidfile" --daemon \
      </dev/null >>"$ch_dir/log/start.log" 2>&1 8>&- ||
      die clickhouse "clickhouse-server --daemon failed" "$ch_dir/log/start.log" "$ch_errlog"
  fi
  wait_for 60 "" ch_answers || rc=$?
  [ "$rc" -eq 0 ] || die clickhouse "no 'Ok.' from http://127.0.0.1:$CH_HTTP_PORT/ping within 60 s" \
    "$ch_errlog" "$ch_dir/log/stderr.log"
  pid="$(ch_pid)"
  [ -n "$pid" ] || die clickhouse "answers on 127.0.0.1:$CH_HTTP_PORT but $ch_pidfile names no server of ours (another server on that port?)" "$ch_errlog"
  body="$(curl -sS -m 30 --data-binary 'CREATE DATABASE IF NOT EXISTS stream_sentinel' \
    -w '\n%{http_code}' "http://127.0.0.1:$CH_HTTP_PORT/" 2>&1)" || true
  [ "${body##*$'\n'}" == 200 ] || die clickhouse "CREATE DATABASE stream_sentinel failed: $body" "$ch_errlog"
  say clickhouse "127.0.0.1:$CH_HTTP_PORT" "ready ($state)"
}

clickhouse_status() { status_line clickhouse "127.0.0.1:$CH_HTTP_PORT" "$(ch_pid)" ch_answers; }

clickhouse_down() {
  local pid
  pid="$(ch_pid)"
  [ -n "$pid" ] || { rm -f "$ch_pidfile"; return 1; }
  stop_pid clickhouse "$pid" 30
  rm -f "$ch_pidfile" # the server removes it on a clean exit, not after SIGKILL
  say clickhouse "127.0.0.1:$CH_HTTP_PORT" "stopped (pid $pid)"
}

# ---------------------------------------------------------------------------------------------------
# Kafka development broker (stream-sentinel run broker)

kafka_pid() {
  local pid
  pid="$(read_pid "$kafka_pidfile")"
  if ours "$pid" "--bootstrap-file $kafka_bootstrap"; then echo "$pid"; fi
}
kafka_bootstraps() { [ -s "$kafka_bootstrap" ] && cat "$kafka_bootstrap"; }
kafka_answers() {
  local bootstrap
  bootstrap="$(kafka_bootstraps)" || return 1
  # kcat exits 0 even for a missing topic ("with 0 partitions"); only real partitions count.
  timeout 15 kcat -b "$bootstrap" -L -t "$KAFKA_CHECK_TOPIC" -m 5 2>/dev/null |
    grep -q "topic \"$KAFKA_CHECK_TOPIC\" with [1-9][0-9]* partitions"
}

kafka_up() {
  local state="already running" pid rc=0
  install -d -m 755 "$kafka_dir"
  pid="$(kafka_pid)"
  if [ -z "$pid" ]; then
    state="started"
    wait_reaped "$(read_pid "$kafka_pidfile")"
    # A new broker means new random ports: the old bootstrap file and env are stale from here on.
    rm -f "$kafka_pidfile" "$kafka_bootstrap" "$env_file"
    # Build (if sources changed) in the foreground first: a build error then surfaces here, with its
    # log, and the broker started next is the dotnet process itself, not a build in progress.
    if [ ! -x "$root/scripts/stream-sentinel" ]; then die kafka "$root/scripts/stream-sentinel is missing"; fi
    echo "stack.sh: kafka: building the CLI if needed (the first build takes a minute or two)..." >&2
    "$root/scripts/stream-sentinel" run broker --help </dev/null >"$kafka_build_log" 2>&1 8>&- ||
      die kafka "scripts/stream-sentinel run broker --help failed (build error, or no 'run broker' command)" "$kafka_build_log"
    [ ! -f "$kafka_log" ] || mv -f "$kafka_log" "$kafka_log.prev"
    # setsid: its own session, so it survives the shell that ran `up` and ignores its terminal's signals.
    # The wrapper execs dotnet, so $! is the broker's pid.
    # 48 partitions for the two pipeline topics: the development broker keeps ~5 MiB per partition, and the demo's
    # 200,000 results must all still be there when verify reads them (12 would hold about 40,000).
    setsid nohup "$root/scripts/stream-sentinel" run broker --bootstrap-file "$kafka_bootstrap" --partitions 48 \
      </dev/null >"$kafka_log" 2>&1 8>&- &
    pid=$!
    echo "$pid" >"$kafka_pidfile"
    # 240 s: sources may have changed again since the build above (the wrapper then rebuilds).
    wait_for 240 "$pid" test -s "$kafka_bootstrap" || rc=$?
    case "$rc" in
      0) ;;
      2) rm -f "$kafka_pidfile"; die kafka "the broker (pid $pid) exited before writing $kafka_bootstrap" "$kafka_log" ;;
      *) stop_pid kafka "$pid" 15; rm -f "$kafka_pidfile"
         die kafka "no $kafka_bootstrap after 240 s; stopped pid $pid" "$kafka_log" ;;
    esac
  fi
  rc=0
  wait_for 30 "$pid" kafka_answers || rc=$?
  [ "$rc" -eq 0 ] || die kafka "kcat -L -t $KAFKA_CHECK_TOPIC against $(kafka_bootstraps || echo '?') got no partitions" "$kafka_log"
  say kafka "$(kafka_bootstraps)" "ready ($state)"
}

kafka_status() {
  local pid endpoint=-
  pid="$(kafka_pid)"
  # Without its broker, a bootstrap file left by a crash names ports nobody listens on.
  if [ -n "$pid" ]; then endpoint="$(kafka_bootstraps || echo '-')"; fi
  status_line kafka "$endpoint" "$pid" kafka_answers
}

kafka_down() {
  local pid endpoint
  pid="$(kafka_pid)"
  endpoint="$(kafka_bootstraps || echo '-')"
  rm -f "$kafka_bootstrap" # its ports die with the broker; a new one gets new random ports
  [ -n "$pid" ] || { rm -f "$kafka_pidfile"; return 1; }
  stop_pid kafka "$pid" 15
  rm -f "$kafka_pidfile"
  say kafka "$endpoint" "stopped (pid $pid)"
}

# ---------------------------------------------------------------------------------------------------
# Commands

# status_line NAME ENDPOINT PID ANSWERS_FN: prints the state; returns 0 only when running and answering.
status_line() {
  local name="$1" endpoint="$2" pid="$3" answers="$4"
  if [ -z "$pid" ]; then
    say "$name" "$endpoint" "stopped"
    return 1
  elif "$answers"; then
    say "$name" "$endpoint" "running pid $pid and answering"
  else
    say "$name" "$endpoint" "running pid $pid but not answering"
    return 1
  fi
}

# Serialises `up` and `down` (tests may call them concurrently). Every server is started with 8>&- so
# that none of them inherits the lock.
take_lock() {
  install -d -m 755 "$stack"
  exec 8>"$stack/.lock"
  flock -w 600 8 || die stack "another stack.sh up/down holds $stack/.lock"
}

write_env() {
  local pw bootstrap
  secret_file "$audit_key_file"
  pw="$(cat "$pg_pwfile")"
  bootstrap="$(kafka_bootstraps)" || die kafka "$kafka_bootstrap vanished"
  # umask 077: it holds the database password, also while it is the temp file.
  (umask 077 && write_file "$env_file" "# Written by scripts/stack.sh up. Use: set -a; . .stack/env; set +a
SS_STACK=$(shell_quote local)
SS_POSTGRES=$(shell_quote "Host=127.0.0.1;Port=$PG_PORT;Database=stream_sentinel;Username=stream_sentinel;Password=$pw")
SS_REDIS=$(shell_quote "127.0.0.1:$REDIS_PORT")
SS_CLICKHOUSE=$(shell_quote "Host=127.0.0.1;Port=$CH_HTTP_PORT;Protocol=http;Database=stream_sentinel;Username=default;Password=;JsonReadMode=None;JsonWriteMode=None")
SS_KAFKA=$(shell_quote "$bootstrap")
# Least privilege: persistence workers write as sentinel_writer (both stores), the console reads and works alerts as
# sentinel_analyst and reads ClickHouse as sentinel_bi. \`stream-sentinel migrate\` creates the PostgreSQL accounts.
# They sign in over TLS only (hostssl), checking the server's certificate and name against the stack's CA.
SS_POSTGRES_WRITER=$(shell_quote "Host=127.0.0.1;Port=$PG_PORT;Database=stream_sentinel;Username=sentinel_writer;Password=$(cat "$pg_writer_pwfile");SSL Mode=VerifyFull;Root Certificate=$tls_dir/ca.crt")
SS_POSTGRES_ANALYST=$(shell_quote "Host=127.0.0.1;Port=$PG_PORT;Database=stream_sentinel;Username=sentinel_analyst;Password=$(cat "$pg_analyst_pwfile");SSL Mode=VerifyFull;Root Certificate=$tls_dir/ca.crt")
# TLS paths (issue 18): the CA the stack's servers are signed by, and Redis over TLS as the ACL user sentinel.
SS_TLS_CA=$(shell_quote "$tls_dir/ca.crt")
SS_REDIS_TLS=$(shell_quote "127.0.0.1:$REDIS_TLS_PORT,ssl=true,sslHost=127.0.0.1,user=sentinel,password=$(cat "$redis_pwfile")")
SS_CLICKHOUSE_WRITER=$(shell_quote "Host=127.0.0.1;Port=$CH_HTTP_PORT;Protocol=http;Database=stream_sentinel;Username=sentinel_writer;Password=$(cat "$ch_writer_pwfile");JsonReadMode=None;JsonWriteMode=None")
SS_CLICKHOUSE_BI=$(shell_quote "Host=127.0.0.1;Port=$CH_HTTP_PORT;Protocol=http;Database=stream_sentinel;Username=sentinel_bi;Password=$(cat "$ch_bi_pwfile");JsonReadMode=None;JsonWriteMode=None")
# The console signs its audit events (verdicts, sign-ins) with this key; persistence dead-letters those not signed with it.
SS_AUDIT_SIGNING_KEY_ID=$(shell_quote local-1)
SS_AUDIT_SIGNING_KEY=$(shell_quote "$(cat "$audit_key_file")")")
}

cmd_up() {
  [ "$(id -u)" -eq 0 ] || die stack "run as root (it installs packages and runs PostgreSQL as user postgres)"
  take_lock
  chmod 755 "$stack" # postgres must traverse it
  install_packages
  postgres_up
  redis_up
  clickhouse_up
  kafka_up
  write_env
  if [ "$started" -eq 0 ]; then
    echo "all ready (all four were already running); env in $env_file"
  else
    echo "all ready; env in $env_file"
  fi
}

# shellcheck disable=SC2001 # a character class is clearer in sed than in ${var//}
regex_quote() { sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$1"; }

# Processes of the stack still alive, found by what identifies each one on its command line.
leftovers() {
  local pattern pid comm
  for pattern in "-D $pg_data" "redis-server 127.0.0.1:$REDIS_PORT" "--config-file=$ch_config" \
    "--bootstrap-file $kafka_bootstrap"; do
    for pid in $(pgrep -f -- "$(regex_quote "$pattern")" || true); do
      comm="$(cat "/proc/$pid/comm" 2>/dev/null)" || continue
      # A shell whose command line merely mentions these paths (e.g. the caller's) is not a server.
      case "$comm" in postgres | redis-server | clickhouse-serv | dotnet | stream-sentine*) echo "$pid ($comm)" ;; esac
    done
  done
}

cmd_down() {
  local purge=0 stopped=0 left
  case "${1:-}" in
    "") ;;
    --purge) purge=1 ;;
    *) usage >&2; exit 2 ;;
  esac
  if [ ! -d "$stack" ]; then echo "nothing running (no $stack)"; return 0; fi
  take_lock
  # Clients first: the console `demo.sh --keep-stack` leaves running, the broker, then the stores.
  local console
  console="$(read_pid "$stack/console.pid")"
  if [ -n "$console" ] && alive "$console" && tr '\0' ' ' <"/proc/$console/cmdline" 2>/dev/null | grep -q "run console"; then
    stop_pid console "$console" 20
    echo "console stopped"
  fi
  rm -f "$stack/console.pid"
  if kafka_down; then stopped=$((stopped + 1)); fi
  if clickhouse_down; then stopped=$((stopped + 1)); fi
  if redis_down; then stopped=$((stopped + 1)); fi
  if postgres_down; then stopped=$((stopped + 1)); fi
  rm -f "$env_file"
  left="$(leftovers)"
  [ -z "$left" ] || die stack "processes of the stack still running: $(echo "$left" | tr '\n' ' ')"
  if [ "$stopped" -eq 0 ]; then
    echo "nothing was running; no process of the stack is left"
  else
    echo "stopped $stopped server(s); no process of the stack is left; data kept in $stack"
  fi
  if [ "$purge" -eq 1 ]; then
    exec 8>&-
    rm -rf "$stack"
    echo "purged $stack"
  fi
}

cmd_status() {
  local bad=0
  postgres_status || bad=1
  redis_status || bad=1
  clickhouse_status || bad=1
  kafka_status || bad=1
  return $((bad * 3))
}

cmd_env() {
  [ -f "$env_file" ] || die stack "no $env_file: run scripts/stack.sh up"
  cat "$env_file"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

# One server down or up again, for outage drills (stream-sentinel chaos): same data, same port, same env.
cmd_server() {
  local action="$1" server="${2:-}"
  case "$server" in
    postgres | redis | clickhouse | kafka) ;;
    *) die stack "$action needs a server: postgres, redis, clickhouse or kafka" ;;
  esac
  take_lock
  if [ "$action" == stop ]; then
    "${server}_down" || echo "$server was not running"
  else
    "${server}_up"
    # A restarted development broker listens on new ports.
    if [ "$server" == kafka ]; then write_env; fi
  fi
}

cmd_prepare() {
  [ "$(id -u)" -eq 0 ] || die stack "run as root (it installs packages and runs PostgreSQL as user postgres)"
  install -d -m 755 "$stack" # postgres must traverse it
  take_lock
  install_packages
  pg_prepare
  install -d -m 755 "$redis_dir" "$kafka_dir"
  ch_write_config
  echo "prepared $stack"
}

cmd_browser() {
  [ "$(id -u)" -eq 0 ] || die stack "run as root (it installs packages)"
  command -v chromium >/dev/null && return 0
  install -d -m 755 "$stack"
  local log="$stack/apt-chromium.log"
  echo "stack.sh: installing chromium (log: $log)" >&2
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; } >"$log" 2>&1 ||
    die apt "installing chromium failed" "$log"
}

cmd_layout() {
  cat <<EOT
STACK_DIR=$stack
PG_PORT=$PG_PORT
PG_PASSWORD_FILE=$pg_pwfile
PG_WRITER_PASSWORD_FILE=$pg_writer_pwfile
PG_ANALYST_PASSWORD_FILE=$pg_analyst_pwfile
CH_BI_PASSWORD_FILE=$ch_bi_pwfile
CH_WRITER_PASSWORD_FILE=$ch_writer_pwfile
REDIS_PORT=$REDIS_PORT
REDIS_TLS_PORT=$REDIS_TLS_PORT
TLS_CA_FILE=$tls_dir/ca.crt
CH_HTTP_PORT=$CH_HTTP_PORT
CH_TCP_PORT=$CH_TCP_PORT
KAFKA_BOOTSTRAP_FILE=$kafka_bootstrap
EOT
}

# One server in the foreground, for an orchestrator: the same start (and data, and port) as `up`, then wait on
# the server. SIGTERM or SIGINT stops it the way `down` does; a server that dies on its own makes this exit 1.
cmd_serve() {
  local server="${1:-}" pid stopping=0
  case "$server" in
    postgres | redis | clickhouse) ;;
    *) die stack "serve needs a server: postgres, redis or clickhouse" ;;
  esac
  [ "$(id -u)" -eq 0 ] || die stack "run as root (it installs packages and runs PostgreSQL as user postgres)"
  install -d -m 755 "$stack"
  take_lock
  install_packages
  "${server}_up"
  case "$server" in postgres) pid="$(pg_pid)" ;; redis) pid="$(redis_pid)" ;; clickhouse) pid="$(ch_pid)" ;; esac
  exec 8>&- # others may use stack.sh while this one serves
  trap 'stopping=1' TERM INT
  while [ "$stopping" -eq 0 ] && alive "$pid"; do
    sleep 1 &
    wait $! || true
  done
  if [ "$stopping" -eq 1 ]; then
    take_lock
    "${server}_down" >/dev/null || true
    echo "$server stopped"
    exit 0
  fi
  die "$server" "the server (pid $pid) exited"
}

case "${1:-}" in
  up) cmd_up ;;
  prepare) cmd_prepare ;;
  layout) cmd_layout ;;
  browser) cmd_browser ;;
  serve) shift; cmd_serve "$@" ;;
  stop | start) cmd_server "$@" ;;
  down) shift; cmd_down "$@" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
