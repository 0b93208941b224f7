#!/usr/bin/env bash
# The profiler follow-ups quoted in Benchmarks/README.md, small enough to rerun in a minute:
#  1. sliding-window-replay: replays, on a verbatim copy of Sources/DiscogsBatch/Pacing/SlidingWindow.swift,
#     two answers processed in the opposite order from the server's count (how a window loses a slot).
#  2. plan-hot-paths: JSONText.appendString and the PercentEncoding check as written (copied) vs.
#     byte-level versions, per million planned requests.
#  3. the perf / callgrind commands used (printed, not run).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp Sources/DiscogsBatch/Pacing/SlidingWindow.swift "$tmp/"
cp Benchmarks/evidence/sliding-window-replay.swift "$tmp/main.swift"
(cd "$tmp" && swiftc -O SlidingWindow.swift main.swift -o replay 2>/dev/null && timeout 30 ./replay)
cp Benchmarks/evidence/plan-hot-paths.swift "$tmp/hot.swift"
(cd "$tmp" && swiftc -O hot.swift -o hot 2>/dev/null && timeout 120 ./hot)
cat <<'TXT'
profilers (perf hardware counters are unavailable in the VM; cpu-clock sampling works):
  cp .build-bench/release/discogs-batch /tmp/db && strip --strip-debug /tmp/db     # valgrind 3.19 cannot read Swift 6.3 DWARF
  valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out /tmp/db plan --json 100k.yaml >/dev/null
  callgrind_annotate --inclusive=yes --tree=calling /tmp/cg.out | swift demangle --simplified
  perf record -e cpu-clock -F 499 -g -o /tmp/perf.data -- .build-bench/release/discogs-batch run Benchmarks/work/run/10k.yaml --output - --quiet >/dev/null
  perf report -i /tmp/perf.data --children --stdio -g none | swift demangle --simplified
TXT
