#!/usr/bin/env bash
# Stream-Sentinel on this machine, end to end as far as it is built: brings up the local stack (PostgreSQL 15,
# Redis 7, ClickHouse, Kafka development broker; installing what is missing), applies the schema, and shows
# what exists on every server.
#
#   scripts/demo.sh                # stops the stack afterwards if this run started it
#   scripts/demo.sh --keep-stack   # leaves it running, to look around (scripts/stack.sh down stops it)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

keep_stack=false
case "${1:-}" in
  --keep-stack) keep_stack=true ;;
  "") ;;
  -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
  *) echo "demo.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
esac

step() { printf '\n== %s\n' "$*"; }

started_here=false
if ! scripts/stack.sh status >/dev/null 2>&1; then started_here=true; fi
finish() {
  if $started_here && ! $keep_stack; then
    step "stopping the stack this demo started (run with --keep-stack to keep it)"
    scripts/stack.sh down
  fi
}
trap finish EXIT

step "local stack: real servers on 127.0.0.1 (scripts/stack.sh up)"
scripts/stack.sh up
set -a
# shellcheck disable=SC1091
. .stack/env
set +a

step "schema: stream-sentinel migrate (twice: the second run changes nothing)"
scripts/stream-sentinel migrate
scripts/stream-sentinel migrate

step "what exists: stream-sentinel describe"
scripts/stream-sentinel describe

step "where to look next"
pg_port="$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$SS_POSTGRES")"
ch_port="$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$SS_CLICKHOUSE")"
cat <<EOT
  analysts (PostgreSQL):  PGPASSWORD=\$(cat .stack/postgres/password) psql -h 127.0.0.1 -p $pg_port -U stream_sentinel stream_sentinel
                          e.g. SELECT severity, status, count(*) FROM fraud_alerts GROUP BY 1, 2;
  BI (ClickHouse):        curl 'http://127.0.0.1:$ch_port/?database=stream_sentinel' --data-binary \\
                            'SELECT hour, countMerge(results) AS results, sumMerge(alerts) AS alerts FROM fraud_rate_hourly GROUP BY hour ORDER BY hour'
  Kafka:                  kcat -b $SS_KAFKA -L
  the environment:        set -a; . .stack/env; set +a     (then scripts/stream-sentinel --help)
EOT
