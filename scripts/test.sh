#!/usr/bin/env bash
# Every test of Stream-Sentinel, against real servers: brings up the local stack (PostgreSQL, Redis,
# ClickHouse, Kafka development broker; installing what is missing), runs the whole solution's tests,
# and ends with the totals alone on the last line: "N passed, N failed[, N skipped]".
#
#   scripts/test.sh                 # stops the stack afterwards if this run started it
#   scripts/test.sh --keep-stack    # leaves it running for the next run
#   scripts/test.sh -- --filter Category=X   # anything after -- goes to dotnet test
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

keep_stack=false
test_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --keep-stack) keep_stack=true ;;
    --) shift; test_args=("$@"); break ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

started_here=false
if ! scripts/stack.sh status >/dev/null 2>&1; then started_here=true; fi
scripts/stack.sh up
scripts/stack.sh browser
stop_stack() {
  if $started_here && ! $keep_stack; then scripts/stack.sh down >/dev/null || true; fi
}
trap stop_stack EXIT

set -a
# shellcheck disable=SC1091
. .stack/env
set +a

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

echo "== building"
dotnet build StreamSentinel.sln -c Release --disable-build-servers -nologo -v:q "-clp:ErrorsOnly;Summary"
# The tests start workers through scripts/stream-sentinel, which rebuilds its CLI when a source is newer than it:
# do that here, once, rather than inside the first fixture's start-up timeout.
scripts/stream-sentinel --help >/dev/null

echo "== testing (servers from .stack/env)"
status=0
dotnet test StreamSentinel.sln -c Release --no-build --results-directory "$results" \
  --logger "trx" --logger "console;verbosity=normal" "${test_args[@]}" || status=$?

# The totals, summed over every test project's TRX report: a run that executed nothing shows as 0 passed.
read -r passed failed skipped < <(
  cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/[^0-9]/, "", kv[2]); v[kv[1]] += kv[2] } }
    END { printf "%d %d %d\n", v["passed"], v["failed"] + v["error"] + v["timeout"] + v["aborted"], v["notExecuted"] }')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # dotnet test failed without a failed test (a crash, a build or discovery error): count it as a failure.
  failed=1
fi

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary+=", $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
