#!/usr/bin/env bash
# Kill a real `discogs-batch run` with SIGKILL at random moments KILLS times (default 100), resume
# each time, and compare the final file with an uninterrupted run's (ignoring at, ms, attempts and
# ratelimit): equal record sets, no duplicate key, no invalid line. Prints one Markdown table row.
# Usage: Benchmarks/crash.sh [KILLS]
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-100}
work=$(mktemp -d)
trap 'kill $sandbox_pid 2>/dev/null || true; rm -rf "$work"' EXIT
swift build --product discogs-batch >/dev/null
bin=$(swift build --show-bin-path)/discogs-batch
export DISCOGS_BATCH_STATE_DIR=$work/state

"$bin" sandbox --port 0 --no-rate-limit --seed 11 --fault slow=30ms:0.3 >"$work/sandbox.out" 2>/dev/null &
sandbox_pid=$!
until [ -s "$work/sandbox.out" ]; do sleep 0.1; done
base=$(head -1 "$work/sandbox.out")

cat >"$work/job.yaml" <<YAML
version: 1
name: crash
user_agent: "crash-benchmark/1.0"
base_url: $base
auth: {mode: token, token: sandbox-demo-token}
rate: {limit: 100000, window: 1s}
concurrency: 3
retry: {max_attempts: 8, max_wait: 10s}
requests:
  - name: release
    path: /releases/{id}
    foreach: {id: {range: {from: 1, to: 40}}}
  - name: wants
    path: /users/sandbox_user/wants
    query: {per_page: 10}
    paginate: true
    items: wants
  - name: artist
    path: /artists/{id}/releases
    query: {per_page: 25}
    foreach: {id: [3, 4]}
    paginate: {max_pages: 3}
    items: releases
YAML

"$bin" run "$work/job.yaml" --output "$work/reference.ndjson" --quiet
done_kills=0
runs=0
while [ "$done_kills" -lt "$kills" ]; do
  runs=$((runs + 1))
  "$bin" run "$work/job.yaml" --output "$work/crashed.ndjson" --resume --quiet 2>/dev/null &
  pid=$!
  sleep "0.$(printf '%03d' $((RANDOM % 200)))"
  if kill -KILL "$pid" 2>/dev/null; then done_kills=$((done_kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  # Once a run completes before its kill, start the output again so every kill hits a run.
  if [ "$( { wc -l <"$work/crashed.ndjson"; } 2>/dev/null || echo 0)" = "$(wc -l <"$work/reference.ndjson")" ] \
     && "$bin" run "$work/job.yaml" --output "$work/crashed.ndjson" --resume --quiet 2>/dev/null; then
    python3 Benchmarks/compare-records.py "$work/reference.ndjson" "$work/crashed.ndjson" >/dev/null || { echo "mismatch after $done_kills kills"; exit 1; }
    rm -f "$work/crashed.ndjson"
  fi
done
until "$bin" run "$work/job.yaml" --output "$work/crashed.ndjson" --resume --quiet 2>/dev/null; do :; done
result=$(python3 Benchmarks/compare-records.py "$work/reference.ndjson" "$work/crashed.ndjson")
echo "| $(date -u +%F) | $kills SIGKILLs over $runs runs | $result |"
