#!/usr/bin/env bash
# Stream-Sentinel on this machine, end to end: brings up the local stack (PostgreSQL 15, Redis 7, ClickHouse,
# Kafka development broker; installing what is missing), applies the schema, starts one detection worker and two
# persistence workers, simulates card traffic with labelled fraud, waits until every transaction is scored and
# stored, and prints the integrity report, the detection quality, and what analysts and BI users now see.
# Exit code: 0 only if verify finds nothing lost, duplicated or misrouted.
#
#   scripts/demo.sh                # stops the stack afterwards if this run started it
#   scripts/demo.sh --keep-stack   # leaves it running, to look around (scripts/stack.sh down stops it)
#   DEMO_TRANSACTIONS=100000 DEMO_RATE=2000 DEMO_SEED=7 scripts/demo.sh   # other traffic (default 200000 at 3000/s, a new seed)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

keep_stack=false
case "${1:-}" in
  --keep-stack) keep_stack=true ;;
  "") ;;
  -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
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

transactions="${DEMO_TRANSACTIONS:-200000}"
mkdir -p artifacts/demo
started_worker() { # name, log: waits until the worker listens, prints its URL
  for _ in $(seq 1 240); do grep -q "Health, readiness and metrics on" "$2" && break; sleep 0.5; done
  grep -o "Health, readiness and metrics on [^ ]*" "$2" | sed "s/^/  $1: /"
}
step "fleet: one detection worker, two persistence workers (stream-sentinel run detection / run persistence)"
# A fresh seed and detection state per run: running the demo again on a kept stack then adds new payments rather
# than replaying old ones against a history that already holds them.
seed="${DEMO_SEED:-$(( $(date +%s) % 1000000 ))}"
export UserState__KeyPrefix="ss-demo-$seed:"
# Each worker publishes a performance snapshot every 5 s (default 10 s), so a run of a minute or two fills a table.
export Operational__SnapshotIntervalSeconds=5
scripts/stream-sentinel run detection --instance demo-detection --http-port 0 >artifacts/demo/detection.log 2>&1 &
workers+=("$!")
for i in 1 2; do
  scripts/stream-sentinel run persistence --instance "demo-$i" --http-port 0 >"artifacts/demo/persistence-$i.log" 2>&1 &
  workers+=("$!")
done
started_worker demo-detection artifacts/demo/detection.log
for i in 1 2; do started_worker "demo-$i" "artifacts/demo/persistence-$i.log"; done

rate="${DEMO_RATE:-3000}"
step "traffic: $transactions simulated card payments at $rate/s, 2% fraud in six scenarios (stream-sentinel simulate), and 40 poison results"
worker_urls=()
for log in artifacts/demo/detection.log artifacts/demo/persistence-1.log artifacts/demo/persistence-2.log; do
  worker_urls+=("$(grep -o 'metrics on http://[^ ]*' "$log" | head -1 | cut -d' ' -f3)")
done
echo "  seed $seed (DEMO_SEED=$seed replays this traffic)"
scripts/stream-sentinel simulate --count "$transactions" --rate "$rate" --seed "$seed" --labels artifacts/demo/labels.csv \
  >artifacts/demo/simulate.log 2>&1 &
simulator=$!
workers+=("$simulator")
scripts/stream-sentinel generate results --count 0 --poison 40 >/dev/null

step "live: the pipeline every 2 s (stream-sentinel watch), until every transaction is scored, stored and committed"
scripts/stream-sentinel watch --expect "$transactions" --worker "${worker_urls[@]}"
wait "$simulator"
sed 's/^/  /' artifacts/demo/simulate.log

step "integrity: stream-sentinel verify"
verify_status=0
scripts/stream-sentinel verify || verify_status=$?

step "detection quality: stream-sentinel evaluate (a fresh simulated run on a seed never used for training)"
scripts/stream-sentinel evaluate --seed 1001 --count 50000

step "the fleet's own performance (stream-sentinel performance: the workers' snapshots, read back from ClickHouse)"
scripts/stream-sentinel performance

step "what the workers did: their audit events, stored in PostgreSQL system_audit_log"
PGPASSWORD="$(cat .stack/postgres/password)" psql -h 127.0.0.1 -p "$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$SS_POSTGRES")" \
  -U stream_sentinel stream_sentinel -c \
  "SELECT actor, action, entity_id, count(*) AS events, left(max(details->>'partitions'), 50) AS partitions FROM system_audit_log WHERE event_id IS NOT NULL AND actor LIKE '%/demo-%' AND occurred_at > now() - interval '1 hour' GROUP BY actor, action, entity_id ORDER BY actor, action, entity_id;"

step "alerts by scenario: the simulator's ground truth (artifacts/demo/labels.csv) against fraud_alerts"
PGPASSWORD="$(cat .stack/postgres/password)" psql -h 127.0.0.1 -p "$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$SS_POSTGRES")" \
  -U stream_sentinel stream_sentinel -q \
  -c "CREATE TEMP TABLE labels (event_id text, transaction_id text, user_id text, scenario text);" \
  -c "\\copy labels FROM 'artifacts/demo/labels.csv' CSV HEADER" \
  -c "SELECT l.scenario, count(*) AS labelled, count(a.transaction_id) AS alerted, round(count(a.transaction_id)::numeric / count(*), 3) AS recall FROM labels l LEFT JOIN fraud_alerts a USING (transaction_id) GROUP BY l.scenario ORDER BY l.scenario;" \
  -c "SELECT count(*) AS alerts_on_legitimate_payments FROM fraud_alerts a WHERE NOT EXISTS (SELECT 1 FROM labels l WHERE l.transaction_id = a.transaction_id) AND a.transaction_id LIKE 'txn-$seed-%';"

step "analysts (PostgreSQL): open alerts by severity, and the latest critical ones with their explanation"
PGPASSWORD="$(cat .stack/postgres/password)" psql -h 127.0.0.1 -p "$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$SS_POSTGRES")" \
  -U stream_sentinel stream_sentinel -c \
  "SELECT severity, status, count(*) AS alerts, round(avg(fraud_score), 3) AS avg_score FROM fraud_alerts GROUP BY severity, severity_rank, status ORDER BY severity_rank DESC;" \
  -c "SELECT user_id, alerts_total, critical_alerts, high_alerts, risk_level FROM user_accounts ORDER BY critical_alerts DESC, alerts_total DESC LIMIT 5;" \
  -c "SELECT transaction_id, user_id, amount, currency, fraud_score, business_rules_triggered AS rules, left(explanation->>'summary', 90) AS why FROM fraud_alerts WHERE severity = 'CRITICAL' AND business_rules_triggered <> '{}' ORDER BY event_time DESC LIMIT 5;"

step "BI (ClickHouse): named queries of sql/bi (stream-sentinel bi; \`stream-sentinel bi\` lists them all)"
for query in fraud_rate_by_hour fraud_rate_by_category rules_firing riskiest_merchants; do
  scripts/stream-sentinel bi "$query" --limit 5
done

step "where to look next"
pg_port="$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$SS_POSTGRES")"
ch_port="$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$SS_CLICKHOUSE")"
cat <<EOT
  analysts (PostgreSQL):  PGPASSWORD=\$(cat .stack/postgres/password) psql -h 127.0.0.1 -p $pg_port -U stream_sentinel stream_sentinel
                          e.g. SELECT severity, status, count(*) FROM fraud_alerts GROUP BY 1, 2;
  BI (ClickHouse):        scripts/stream-sentinel bi            (the named queries; add --csv for a spreadsheet)
                          curl 'http://127.0.0.1:$ch_port/?database=stream_sentinel' --data-binary \\
                            'SELECT hour, countMerge(results) AS n_results, sumMerge(alerts) AS n_alerts FROM fraud_rate_hourly GROUP BY hour ORDER BY hour'
  Kafka:                  kcat -b $SS_KAFKA -L
  the environment:        set -a; . .stack/env; set +a     (then scripts/stream-sentinel --help)
  worker logs:            artifacts/demo/detection.log, artifacts/demo/persistence-*.log
  ground truth:           artifacts/demo/labels.csv (event_id, transaction_id, user_id, scenario)
EOT
exit "$verify_status"
