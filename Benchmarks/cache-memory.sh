#!/usr/bin/env bash
# Peak memory of `discogs-batch run` served from a response cache of N entries (default 100,000 and,
# for comparison, 1,000): cache-fill stores N release answers of 3,000 bytes keyed as the job's
# requests, then the job runs every one of them as a hit (its base URL answers nothing: a miss would
# fail). Prints one Markdown row per size: entries, cache file size, hits, seconds, peak RSS (GNU time).
#
# Usage: Benchmarks/cache-memory.sh [N...]      (CONFIG=release for a release build; default debug)
set -euo pipefail
cd "$(dirname "$0")/.."
config=${CONFIG:-debug}
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 100000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "${SKIP_BUILD:-}" ] || swift build -c "$config" --product discogs-batch >/dev/null
[ -n "${SKIP_BUILD:-}" ] || swift build -c "$config" --product cache-fill >/dev/null
bin=$(swift build -c "$config" --show-bin-path)
base=http://127.0.0.1:9
export DISCOGS_BATCH_STATE_DIR=$work/state

echo "| entries | cache file | hits | seconds | peak RSS |"
echo "|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  rm -f "$work"/cache.sqlite*
  "$bin/cache-fill" "$work/cache.sqlite" "$n" "$base" 3000 2>/dev/null
  cat >"$work/job.yaml" <<YAML
version: 1
name: cache-memory
user_agent: "cache-benchmark/1.0"
base_url: $base
auth: {mode: none}
timeout: 1s
retry: {max_attempts: 1}
cache: {max_age: 1d, path: $work/cache.sqlite, max_size: 2GB}
requests:
  - name: release
    path: /releases/{id}
    foreach: {id: {range: {from: 1, to: $n}}}
YAML
  start=$(date +%s.%N)
  /usr/bin/time -f %M -o "$work/rss" "$bin/discogs-batch" run "$work/job.yaml" --output "$work/out.ndjson" --overwrite --quiet
  end=$(date +%s.%N)
  hits=$(grep -c '"cached":true' "$work/out.ndjson")
  size=$(du -h "$work/cache.sqlite" | cut -f1)
  python3 -c "print(f'| $n | $size | $hits | {$end-$start:.1f} | {$(tail -1 "$work/rss")/1024:.1f} MB |')"
done
