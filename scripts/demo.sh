#!/usr/bin/env bash
# Stream-Sentinel on this machine, end to end: brings up the local stack (PostgreSQL 15, Redis 7, ClickHouse,
# Kafka development broker; installing what is missing), applies the schema, starts one detection worker and two
# persistence workers, simulates card traffic with labelled fraud, waits until every transaction is scored and
# stored, and prints the integrity report, the detection quality, what analysts and BI users now see, and the
# console's address (alert queue, BI charts, fleet page). Workers write as the least-privilege writer account; the
# console works as the analyst and reads ClickHouse as the read-only BI account.
# Exit code: 0 only if verify finds nothing lost, duplicated or misrouted.
#
#   scripts/demo.sh                # stops the stack afterwards if this run started it (on a terminal, the
#                                  # console stays up until you press Enter)
#   scripts/demo.sh --keep-stack   # leaves the stack and the console running (scripts/stack.sh down stops both)
#   DEMO_TRANSACTIONS=100000 DEMO_RATE=2000 DEMO_SEED=7 scripts/demo.sh   # other traffic (default 200000 at 3000/s, a new seed)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

keep_stack=false
case "${1:-}" in
  --keep-stack) keep_stack=true ;;
  "") ;;
  -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
  *) echo "demo.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
esac

step() { printf '\n== %s\n' "$*"; }

started_here=false
if ! scripts/stack.sh status >/dev/null 2>&1; then started_here=true; fi
workers=()
console_pid=""
finish() {
  if [ -n "$console_pid" ] && { ! $keep_stack || [ "${1:-}" != ok ]; }; then
    kill -TERM "$console_pid" 2>/dev/null || true
    wait "$console_pid" 2>/dev/null || true
  fi
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
  # As in production: both stores through the writer accounts (PostgreSQL's made by migrate), not the schema's owner.
  SS_POSTGRES="$SS_POSTGRES_WRITER" SS_CLICKHOUSE="$SS_CLICKHOUSE_WRITER" \
    scripts/stream-sentinel run persistence --instance "demo-$i" --http-port 0 >"artifacts/demo/persistence-$i.log" 2>&1 &
  workers+=("$!")
done
started_worker demo-detection artifacts/demo/detection.log
for i in 1 2; do started_worker "demo-$i" "artifacts/demo/persistence-$i.log"; done

worker_urls=()
for log in artifacts/demo/detection.log artifacts/demo/persistence-1.log artifacts/demo/persistence-2.log; do
  worker_urls+=("$(grep -o 'metrics on http://[^ ]*' "$log" | head -1 | cut -d' ' -f3)")
done

step "the console: alert queue and case work for analysts, BI charts, the fleet page for SREs (stream-sentinel run console)"
console_port="${DEMO_CONSOLE_PORT:-8090}"
# A console an earlier `demo.sh --keep-stack` left running holds the port: this run's replaces it.
previous="$(cat .stack/console.pid 2>/dev/null || true)"
if [ -n "$previous" ] && tr '\0' ' ' <"/proc/$previous/cmdline" 2>/dev/null | grep -q "run console"; then
  kill -TERM "$previous" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$previous" 2>/dev/null || break; sleep 0.5; done
fi
console_password_file=.stack/console-analyst-password
[ -s "$console_password_file" ] || (umask 077 && od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$console_password_file")
console_password="$(cat "$console_password_file")"
# The console is configured with the password's hash only (PBKDF2); the password itself goes in through stdin.
console_password_hash="$(printf '%s\n' "$console_password" | scripts/stream-sentinel hash-password)"
# The fleet page probes the demo's workers while they run (afterwards it shows them as unreachable; their
# performance snapshots stay in ClickHouse).
probes=()
for i in "${!worker_urls[@]}"; do
  name=$( [ "$i" -eq 0 ] && echo demo-detection || echo "demo-$i" )
  probes+=("Console__Workers__${i}__Name=$name" "Console__Workers__${i}__Url=${worker_urls[$i]}")
done
env SS_POSTGRES="$SS_POSTGRES_ANALYST" SS_CLICKHOUSE="$SS_CLICKHOUSE_BI" \
  Console__Users__0__Name=analyst Console__Users__0__PasswordHash="$console_password_hash" Console__Users__0__Role=analyst \
  "${probes[@]}" \
  scripts/stream-sentinel run console --instance demo-console --http-port "$console_port" >artifacts/demo/console.log 2>&1 &
console_pid=$!
echo "$console_pid" >.stack/console.pid
# Ready means this console answers /readyz: something else on the port (another program) does not count.
console_ready=false
for _ in $(seq 1 240); do
  kill -0 "$console_pid" 2>/dev/null || break
  if curl -sf -o /dev/null "http://127.0.0.1:$console_port/readyz"; then console_ready=true; break; fi
  sleep 0.5
done
if $console_ready; then
  echo "  console ready (log: artifacts/demo/console.log)"
else
  echo "  the console did not become ready on port $console_port (DEMO_CONSOLE_PORT picks another); its log:"
  tail -5 artifacts/demo/console.log | sed 's/^/  /'
fi

rate="${DEMO_RATE:-3000}"
step "traffic: $transactions simulated card payments at $rate/s, 2% fraud in six scenarios (stream-sentinel simulate), and 40 poison results"
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
cat <<EOT

  The console:  http://127.0.0.1:$console_port/   sign in as analyst / $console_password   (.stack/console-analyst-password)
                alert queue at /, BI charts at /bi, the fleet at /sre
EOT
if $keep_stack; then
  echo "                keeps running with the stack (pid $console_pid; scripts/stack.sh down stops it)"
  trap 'finish ok' EXIT
elif [ -t 0 ]; then
  read -r -p "                up until you press Enter... " _ || true
else
  echo "                stops with this demo now; scripts/demo.sh --keep-stack keeps it up"
fi
exit "$verify_status"
