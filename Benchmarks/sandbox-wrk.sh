#!/usr/bin/env bash
# Requests per second the sandbox serves for /releases/{id} with rate limiting off, measured by wrk
# at 8 connections. Not a test: run it by hand and copy the figure into Benchmarks/README.md.
#   Benchmarks/sandbox-wrk.sh [RELEASE_ID] [DURATION]
# SCRATCH_PATH=.build-release reuses another build folder (default: .build).
set -euo pipefail
cd "$(dirname "$0")/.."

release_id="${1:-249504}"
duration="${2:-10s}"

if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk is missing: apt-get update && apt-get install -y wrk" >&2
    exit 1
fi

flags=(-c release)
[ -n "${SCRATCH_PATH:-}" ] && flags+=(--scratch-path "$SCRATCH_PATH")
swift build "${flags[@]}" --product discogs-batch >&2
bin="$(swift build "${flags[@]}" --show-bin-path)/discogs-batch"

out="$(mktemp)"
"$bin" sandbox --no-rate-limit >"$out" 2>/dev/null &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"' EXIT

# the first line of standard output is the base URL, once listening
for _ in $(seq 1 100); do
    [ -s "$out" ] && break
    sleep 0.1
done
url="$(head -n 1 "$out")"
[ -n "$url" ] || { echo "the sandbox did not start" >&2; exit 1; }

bytes="$(curl -s -A bench "$url/releases/$release_id" | wc -c)"
echo "sandbox at $url, /releases/$release_id is $bytes bytes; $(nproc) cores"
echo "command: wrk -c 8 -t 2 -d $duration -H 'User-Agent: wrk' $url/releases/$release_id"
wrk -c 8 -t 2 -d "$duration" -H 'User-Agent: wrk' "$url/releases/$release_id" | tee /dev/stderr | awk '/Requests\/sec/ {print "requests/s:", $2}'
