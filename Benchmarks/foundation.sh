#!/usr/bin/env bash
# Foundation benchmarks (issue 2): loading a 5 MB job file against PyYAML's libyaml-backed CLoader,
# and `plan` of a job that expands to 1,000,000 requests. Prints a Markdown table.
# Usage: Benchmarks/foundation.sh [RUNS]   (default 5 runs each; the median is reported)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=Benchmarks/work
mkdir -p "$work"
swift build -c release --product discogs-batch >/dev/null
bin=$(swift build -c release --show-bin-path)/discogs-batch

python3 - "$work/big-5mb.yaml" <<'PY'
import sys
out = ["version: 1", "user_agent: bench/1.0", "requests:"]
size, i = 0, 0
while size < 5 * 1024 * 1024:
    block = (f"  - name: r{i}\n    path: /releases/{{release_id}}\n    query: {{curr_abbr: EUR, note: 'item {i}'}}\n"
             f"    foreach:\n      release_id: [{', '.join(str(i * 10 + k) for k in range(10))}]\n")
    out.append(block.rstrip("\n"))
    size += len(block)
    i += 1
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
cat > "$work/million.yaml" <<'YAML'
version: 1
user_agent: bench/1.0
auth: {mode: none}
requests:
  - name: release
    path: /releases/{release_id}
    query: {curr_abbr: EUR}
    foreach:
      release_id: {range: {from: 1, to: 1000000}}
YAML

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Wall seconds and peak RSS (KB) of one command, from GNU time.
measure() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }

for _ in $(seq "$runs"); do measure "$bin" validate "$work/big-5mb.yaml"; done > "$work/ours.txt"
for _ in $(seq "$runs"); do
  measure python3 -c "import yaml,sys; yaml.load(open(sys.argv[1]), Loader=yaml.CLoader)" "$work/big-5mb.yaml"
done > "$work/pyyaml.txt"
for _ in $(seq "$runs"); do measure "$bin" plan --json "$work/million.yaml"; done > "$work/plan.txt"

ours=$(cut -d' ' -f1 "$work/ours.txt" | median)
py=$(cut -d' ' -f1 "$work/pyyaml.txt" | median)
plan_s=$(cut -d' ' -f1 "$work/plan.txt" | median)
plan_kb=$(cut -d' ' -f2 "$work/plan.txt" | median)
echo "| benchmark | discogs-batch | peer | ratio |"
echo "|---|---|---|---|"
echo "| load 5 MB job file (validate) | ${ours} s | PyYAML CLoader ${py} s | $(python3 -c "print(f'{$py/$ours:.2f}x faster' if $ours>0 else 'n/a')") |"
echo "| plan --json, 1,000,000 requests | ${plan_s} s, $((plan_kb / 1024)) MB peak | target < 2 s, < 200 MB | |"
