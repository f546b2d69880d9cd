#!/usr/bin/env bash
# Stream-Sentinel on this machine, end to end as far as it is built: brings up the local stack (PostgreSQL 15,
# Redis 7, ClickHouse, Kafka development broker; installing what is missing), applies the schema, produces
# synthetic detection results (with poison mixed in), runs two persistence workers side by side, and prints the
# integrity report and what analysts and BI users now see. Exit code: 0 only if verify finds nothing lost,
# duplicated or misrouted.
#
#   scripts/demo.sh                # stops the stack afterwards if this run started it
#   scripts/demo.sh --keep-stack   # leaves it running, to look around (scripts/stack.sh down stops it)
#   DEMO_RESULTS=100000 scripts/demo.sh   # more results (default 50000; the development broker keeps ~5 MiB a partition)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

keep_stack=false
case "${1:-}" in
  --keep-stack) keep_stack=true ;;
  "") ;;
  -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
  *) echo "demo.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
esac

step() { printf '\n== %s\n' "$*"; }

started_here=false
if ! scripts/stack.sh status >/dev/null 2>&1; then started_here=true; fi
workers=()
finish() {
  for pid in "${workers[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${workers[@]}"; do wait "$pid" 2>/dev/null || true; done
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

results="${DEMO_RESULTS:-50000}"
step "persistence fleet: two workers in one consumer group (stream-sentinel run persistence)"
mkdir -p artifacts/demo
for i in 1 2; do
  scripts/stream-sentinel run persistence --instance "demo-$i" --http-port 0 >"artifacts/demo/persistence-$i.log" 2>&1 &
  workers+=("$!")
done
for i in 1 2; do
  for _ in $(seq 1 120); do grep -q "Health, readiness and metrics on" "artifacts/demo/persistence-$i.log" && break; sleep 0.5; done
  grep -o "Health, readiness and metrics on [^ ]*" "artifacts/demo/persistence-$i.log" | sed "s/^/  demo-$i: /"
done

step "traffic: $results synthetic detection results, 10% MEDIUM or above, 40 poison messages of 20 kinds"
before="$(date +%s.%N)"
scripts/stream-sentinel generate results --count "$results" --seed "$(date +%s)" --alert-share 0.1 --poison 40

step "waiting for the fleet to store and commit everything (stream-sentinel lag)"
for _ in $(seq 1 600); do
  left="$(scripts/stream-sentinel lag --total 2>/dev/null || true)"
  printf '\r  not yet committed: %-10s' "$left"
  [ "$left" = 0 ] && break
  sleep 0.5
done
echo
after="$(date +%s.%N)"
awk -v n="$results" -v a="$before" -v b="$after" 'BEGIN { printf "  %d results produced, stored in both databases and committed in %.1f s: %.0f results/s end to end\n", n, b - a, n / (b - a) }'

step "integrity: stream-sentinel verify"
verify_status=0
scripts/stream-sentinel verify || verify_status=$?

step "what the two workers did (from their logs)"
for i in 1 2; do
  printf '  demo-%s: %s dead-lettered; %s\n' "$i" "$(grep -c 'Dead-lettered' "artifacts/demo/persistence-$i.log" || true)" \
    "$(grep -o 'Assigned .*\|Revoked [^;]*' "artifacts/demo/persistence-$i.log" | paste -sd ';' -)"
done

step "analysts (PostgreSQL): open alerts by severity"
PGPASSWORD="$(cat .stack/postgres/password)" psql -h 127.0.0.1 -p "$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$SS_POSTGRES")" \
  -U stream_sentinel stream_sentinel -c \
  "SELECT severity, status, count(*) AS alerts, round(avg(fraud_score), 3) AS avg_score FROM fraud_alerts GROUP BY severity, severity_rank, status ORDER BY severity_rank DESC;" \
  -c "SELECT user_id, alerts_total, critical_alerts, high_alerts, risk_level FROM user_accounts ORDER BY critical_alerts DESC, alerts_total DESC LIMIT 5;"

step "BI (ClickHouse): fraud rate by hour and by category, from the materialized view"
ch() { curl -sS "http://127.0.0.1:$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$SS_CLICKHOUSE")/?database=stream_sentinel" --data-binary "$1"; }
ch "SELECT hour, countMerge(results) AS n_results, sumMerge(alerts) AS n_alerts, round(n_alerts / n_results, 4) AS fraud_rate FROM fraud_rate_hourly GROUP BY hour ORDER BY hour DESC LIMIT 5 FORMAT PrettyCompactMonoBlock"
ch "SELECT merchant_category, countMerge(results) AS n_results, round(sumMerge(alerts) / n_results, 4) AS fraud_rate FROM fraud_rate_hourly GROUP BY merchant_category ORDER BY fraud_rate DESC LIMIT 5 FORMAT PrettyCompactMonoBlock"

step "where to look next"
pg_port="$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$SS_POSTGRES")"
ch_port="$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$SS_CLICKHOUSE")"
cat <<EOT
  analysts (PostgreSQL):  PGPASSWORD=\$(cat .stack/postgres/password) psql -h 127.0.0.1 -p $pg_port -U stream_sentinel stream_sentinel
                          e.g. SELECT severity, status, count(*) FROM fraud_alerts GROUP BY 1, 2;
  BI (ClickHouse):        curl 'http://127.0.0.1:$ch_port/?database=stream_sentinel' --data-binary \\
                            'SELECT hour, countMerge(results) AS n_results, sumMerge(alerts) AS n_alerts FROM fraud_rate_hourly GROUP BY hour ORDER BY hour'
  Kafka:                  kcat -b $SS_KAFKA -L
  the environment:        set -a; . .stack/env; set +a     (then scripts/stream-sentinel --help)
  worker logs:            artifacts/demo/persistence-*.log
EOT
exit "$verify_status"
