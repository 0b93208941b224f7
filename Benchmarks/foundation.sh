#!/usr/bin/env bash
# Foundation benchmarks (issue 2): loading a 5 MB job file against PyYAML's libyaml-backed CLoader,
# and `plan` of a job that expands to 1,000,000 requests. Prints a Markdown table.
# Usage: Benchmarks/foundation.sh [RUNS]   (default 5 runs each; the median is reported)
#   SCRATCH_PATH=.build-bench (default) is the release build folder; SKIP_BUILD=1 uses it as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=Benchmarks/work
mkdir -p "$work"
scratch="${SCRATCH_PATH:-.build-bench}"   # its own build folder: no fight over the debug build's lock
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --scratch-path "$scratch" --product discogs-batch >&2
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/discogs-batch

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

# Wall seconds (ns clock), peak RSS (KB, GNU time) and exit status of one command; its output is dropped.
measure() {
  local t0 t1 status=0
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/time.out" timeout 60 "$@" >/dev/null 2>"$work/stderr.out" || status=$?
  t1=$(date +%s.%N)
  echo "$(python3 -c "print(f'{$t1 - $t0:.4f}')") $(tail -n 1 "$work/time.out") $status"
}

"$bin" validate "$work/big-5mb.yaml" || { echo "the 5 MB job does not validate" >&2; exit 1; }
rm -f "$work/ours.txt" "$work/pyyaml.txt" "$work/pyyaml-inproc.txt" "$work/plan.txt"
# side by side: the two loaders alternate, so both see the same machine load
for _ in $(seq "$runs"); do
  measure "$bin" validate "$work/big-5mb.yaml" >>"$work/ours.txt"
  measure python3 -c "import yaml,sys; yaml.load(open(sys.argv[1]), Loader=yaml.CLoader)" "$work/big-5mb.yaml" \
    >>"$work/pyyaml.txt"
done
# PyYAML's load alone (without the interpreter's start and import), for reference
for _ in $(seq "$runs"); do
  python3 -c "
import sys, time, yaml
t = time.perf_counter(); yaml.load(open(sys.argv[1]), Loader=yaml.CLoader); print(f'{time.perf_counter() - t:.4f}')
" "$work/big-5mb.yaml" >>"$work/pyyaml-inproc.txt"
done
for _ in $(seq "$runs"); do measure "$bin" plan --json "$work/million.yaml" >>"$work/plan.txt"; done
lines=$("$bin" plan --json "$work/million.yaml" 2>/dev/null | wc -l)

python3 - "$work" "$(wc -c <"$work/big-5mb.yaml")" "$lines" <<'PY'
import statistics, sys
work, size, lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def col(name, i):
    return [float(l.split()[i]) for l in open(f"{work}/{name}") if l.strip()]
def fmt(v, f):
    return f"{f.format(statistics.median(v))} ({f.format(min(v))}–{f.format(max(v))})"
for name in ("ours.txt", "pyyaml.txt", "plan.txt"):
    bad = [l for l in open(f"{work}/{name}") if l.split()[2] != "0"]
    if bad: print(f"warning: {name}: non-zero exits {bad}", file=sys.stderr)
ours, py, inproc = col("ours.txt", 0), col("pyyaml.txt", 0), col("pyyaml-inproc.txt", 0)
plan_s, plan_kb = col("plan.txt", 0), col("plan.txt", 1)
ratio = statistics.median(py) / statistics.median(ours)
print("| benchmark | discogs-batch | peer | result (target) |")
print("|---|---|---|---|")
print(f"| load a {size / 1048576:.1f} MiB job file: `validate` vs `python3 -c 'yaml.load(..., CLoader)'`, wall s | "
      f"{fmt(ours, '{:.3f}')} | {fmt(py, '{:.3f}')} (load alone, in process: {fmt(inproc, '{:.3f}')}) | "
      f"{ratio:.2f}× PyYAML's speed (≥ 1: {'met' if ratio >= 1 else 'MISSED'}) |")
print(f"| peak RSS of those, MB | {fmt([k / 1024 for k in col('ours.txt', 1)], '{:.0f}')} | "
      f"{fmt([k / 1024 for k in col('pyyaml.txt', 1)], '{:.0f}')} | — |")
ok = statistics.median(plan_s) < 2 and statistics.median(plan_kb) / 1024 < 200
print(f"| `plan --json` of {lines:,} requests: wall s, peak RSS MB | {fmt(plan_s, '{:.2f}')} s, "
      f"{fmt([k / 1024 for k in plan_kb], '{:.0f}')} MB | — | < 2 s and < 200 MB: {'met' if ok else 'MISSED'} |")
PY
