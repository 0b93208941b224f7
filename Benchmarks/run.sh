#!/usr/bin/env bash
# Run benchmarks (issue 4), measured side by side in one run against the sandbox on 127.0.0.1:
#   a) pacing efficiency: 300 requests at 60 per 6 s on a sandbox with --window 6s --limit-high 60
#      (ideal = floor((300-1)/60) * 6 s = 24 s; efficiency = ideal / actual; 429s and max_in_window);
#   b) throughput with rate limiting off, concurrency 8, 10,000 /releases/{id}: discogs-batch vs wrk -c 8
#      cycling over the same 10,000 URLs;
#   c) CPU seconds (user+sys, GNU time) per 1,000 requests: discogs-batch vs curl --parallel --parallel-max 8
#      fetching the same 10,000 URLs;
#   d) peak RSS (GNU time) for 10,000 and 100,000 requests.
# Prints a Markdown table (medians, with min–max over the runs).
#
#   Benchmarks/run.sh [RUNS] [PACING_RUNS] [BIG_RUNS]     defaults 5 3 1
#   SCRATCH_PATH=.build-bench (default) is the release build folder; SKIP_BUILD=1 uses it as it is.
#   ONLY=pacing|throughput|big runs one part.
# Each command is bounded by `timeout`; the whole run takes about 4–6 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-5}"
pacing_runs="${2:-3}"
big_runs="${3:-1}"
only="${ONLY:-all}"
scratch="${SCRATCH_PATH:-.build-bench}"
work=Benchmarks/work/run
mkdir -p "$work"
rm -f "$work"/*.txt

for tool in wrk curl /usr/bin/time python3 timeout; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "$tool is missing: apt-get update && apt-get install -y wrk curl time python3 coreutils" >&2
        exit 1
    }
done

if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c release --scratch-path "$scratch" --product discogs-batch >&2
fi
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/discogs-batch"
[ -x "$bin" ] || { echo "no release binary at $bin" >&2; exit 1; }

token=sandbox-demo-token
export BENCH_TOKEN=$token   # the jobs read it from the environment (a literal secret is a warning)
# rate.shared (on by default) keeps the budget in a file under the state folder: give the benchmark its
# own, emptied before each run, so that neither other processes nor the previous run share its budget
export DISCOGS_BATCH_STATE_DIR="$PWD/$work/state"
auth_header="Authorization: Discogs token=$token"

sandbox_pid=""
url=""
start_sandbox() {
    local out="$work/sandbox.url"
    : >"$out"
    "$bin" sandbox "$@" >"$out" 2>"$work/sandbox.log" &
    sandbox_pid=$!
    for _ in $(seq 1 100); do
        [ -s "$out" ] && break
        sleep 0.1
    done
    url="$(head -n 1 "$out")"
    [ -n "$url" ] || { echo "the sandbox did not start" >&2; exit 1; }
}
stop_sandbox() {
    if [ -n "$sandbox_pid" ]; then
        kill "$sandbox_pid" 2>/dev/null || true
        wait "$sandbox_pid" 2>/dev/null || true
        sandbox_pid=""
    fi
}
trap stop_sandbox EXIT

# job FILE COUNT LIMIT WINDOW CONCURRENCY [MORE_RATE_SETTINGS]
job() {
    cat >"$1" <<YAML
version: 1
user_agent: "bench/1.0"
base_url: $url
auth: {mode: token, token: "\${BENCH_TOKEN}"}
rate: {limit: $3, window: $4${6:+, $6}}
concurrency: $5
requests:
  - name: release
    path: /releases/{id}
    foreach: {id: {range: {from: 1, to: $2}}}
YAML
}

now() { date +%s.%N; }

# ---- a) pacing efficiency ------------------------------------------------------------------------
if [ "$only" = all ] || [ "$only" = pacing ]; then
    for i in $(seq "$pacing_runs"); do
        start_sandbox --window 6s --limit-high 60
        job "$work/pacing.yaml" 300 60 6s 4
        rm -rf "$DISCOGS_BATCH_STATE_DIR"
        t0=$(now)
        status=0
        timeout 120 "$bin" run "$work/pacing.yaml" --output "$work/pacing.ndjson" --overwrite \
            2>"$work/pacing.stderr" || status=$?
        t1=$(now)
        stats="$(curl -s "$url/_sandbox/stats")"
        stop_sandbox
        ok=$(grep -c '"status":200' "$work/pacing.ndjson" || true)
        python3 - "$t0" "$t1" "$status" "$ok" "$stats" >>"$work/pacing.txt" <<'PY'
import json, sys
t0, t1, status, ok, stats = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), json.loads(sys.argv[5])
actual = t1 - t0
print(f"{actual:.3f} {24 / actual:.4f} {stats['rate_limited']} {stats['max_in_window'].get('high', 0)} {stats['requests']} {ok} {status}")
PY
        echo "pacing run $i: $(tail -n 1 "$work/pacing.txt")  (elapsed efficiency 429s max_in_window requests ok exit)" >&2
    done
fi

# ---- b, c, d) limiting off: throughput, CPU, memory -------------------------------------------------
if [ "$only" = all ] || [ "$only" = throughput ] || [ "$only" = big ]; then
    # --no-rate-limit never answers 429, but its headers still report the tier's limit (60), which the
    # client rightly obeys (a lower X-Discogs-Ratelimit lowers its budget); so the limit reported is raised too.
    start_sandbox --no-rate-limit --limit-high 1000000
    echo "sandbox (rate limiting off) at $url; $(nproc) cores" >&2
    job "$work/10k.yaml" 10000 100000 1s 8
    job "$work/10k-unshared.yaml" 10000 100000 1s 8 "shared: false"
    job "$work/100k.yaml" 100000 100000 1s 8

    # the same 10,000 URLs for wrk (cycled, each thread from its own offset) and curl
    cat >"$work/ids.lua" <<'LUA'
local n, i = 10000, 0
local counter = 0
setup = function(thread) thread:set("offset", counter * 5000); counter = counter + 1 end
init = function() i = tonumber(offset) or 0 end
request = function()
  i = i % n + 1
  return wrk.format("GET", "/releases/" .. i)
end
LUA
    {
        echo "header = \"User-Agent: curl-bench\""
        echo "header = \"$auth_header\""
        echo "header = \"Accept: application/vnd.discogs.v2.discogs+json\""
        echo "write-out = \"%{http_code}\\n\""
        for id in $(seq 1 10000); do
            echo "url = \"$url/releases/$id\""
            echo "output = \"/dev/null\""
        done
    } >"$work/curl10k.cfg"

    # warm-up: connections, page cache, the sandbox's first allocations
    timeout 30 wrk -c 8 -t 2 -d 2s -s "$work/ids.lua" -H 'User-Agent: wrk' -H "$auth_header" "$url" >/dev/null

    if [ "$only" != big ]; then
        for i in $(seq "$runs"); do
            # wrk: requests/s over 10 s, same URLs, same connections count
            timeout 60 wrk -c 8 -t 2 -d 10s -s "$work/ids.lua" -H 'User-Agent: wrk' -H "$auth_header" "$url" \
                >"$work/wrk.out"
            awk '/Requests\/sec/ {print $2}' "$work/wrk.out" >>"$work/wrk.txt"
            grep -q "Non-2xx" "$work/wrk.out" && { echo "wrk saw non-2xx answers" >&2; cat "$work/wrk.out" >&2; }

            # discogs-batch: 10,000 requests, concurrency 8, records to /dev/null
            rm -rf "$DISCOGS_BATCH_STATE_DIR"
            status=0
            /usr/bin/time -f "%e %U %S %M" -o "$work/time.out" \
                timeout 300 "$bin" run "$work/10k.yaml" --output - --quiet >/dev/null || status=$?
            [ "$status" = 0 ] || echo "discogs-batch run exited $status" >&2
            echo "$(tail -n 1 "$work/time.out") $status" >>"$work/ours.txt"

            # the same without the shared (file) budget, to tell its cost apart
            status=0
            /usr/bin/time -f "%e %U %S %M" -o "$work/time.out" \
                timeout 300 "$bin" run "$work/10k-unshared.yaml" --output - --quiet >/dev/null || status=$?
            [ "$status" = 0 ] || echo "discogs-batch run (shared: false) exited $status" >&2
            echo "$(tail -n 1 "$work/time.out") $status" >>"$work/ours-unshared.txt"

            # curl: the same 10,000 URLs, 8 in parallel
            status=0
            /usr/bin/time -f "%e %U %S %M" -o "$work/time.out" \
                timeout 300 curl -s --parallel --parallel-max 8 -K "$work/curl10k.cfg" >"$work/curl.codes" 2>"$work/curl.stderr" || status=$?
            ok=$(grep -c '^200$' "$work/curl.codes" || true)
            [ "$ok" = 10000 ] || echo "curl: only $ok of 10000 answered 200 (exit $status)" >&2
            echo "$(tail -n 1 "$work/time.out") $status" >>"$work/curl.txt"
            echo "run $i: wrk $(tail -n 1 "$work/wrk.txt") req/s; ours $(tail -n 1 "$work/ours.txt"); unshared $(tail -n 1 "$work/ours-unshared.txt"); curl $(tail -n 1 "$work/curl.txt")  (wall user sys maxrss_kb exit)" >&2
        done
    fi

    if [ "$only" = all ] || [ "$only" = big ]; then
        for i in $(seq "$big_runs"); do
            rm -rf "$DISCOGS_BATCH_STATE_DIR"
            status=0
            /usr/bin/time -f "%e %U %S %M" -o "$work/time.out" \
                timeout 900 "$bin" run "$work/100k.yaml" --output - --quiet >/dev/null || status=$?
            echo "$(tail -n 1 "$work/time.out") $status" >>"$work/big.txt"
            echo "100k run $i: $(tail -n 1 "$work/big.txt")  (wall user sys maxrss_kb exit)" >&2
        done
    fi
    stop_sandbox
fi

# ---- the table ---------------------------------------------------------------------------------------
python3 - "$work" <<'PY'
import os, statistics, sys
work = sys.argv[1]
def rows(name):
    path = os.path.join(work, name)
    if not os.path.exists(path): return []
    return [[float(x) for x in line.split()] for line in open(path) if line.strip()]
def fmt(values, f="{:.2f}"):
    if not values: return "—"
    m = statistics.median(values)
    if len(values) == 1: return f.format(m)
    return f"{f.format(m)} ({f.format(min(values))}–{f.format(max(values))})"

print("| figure | discogs-batch | peer | ratio (target) |")
print("|---|---|---|---|")
pacing = rows("pacing.txt")
if pacing:
    print(f"| a) 300 req at 60/6 s: elapsed, s (ideal 24) | {fmt([r[0] for r in pacing], '{:.2f}')} | — | — |")
    eff = [r[1] for r in pacing]
    print(f"| a) pacing efficiency | {fmt(eff, '{:.3f}')} | — | ≥ 0.95: {'met' if statistics.median(eff) >= 0.95 else 'MISSED'} |")
    tooMany = sum(r[2] for r in pacing)
    print(f"| a) sandbox 429s / max_in_window (limit 60) | {'/'.join(str(int(r[2])) for r in pacing)} / "
          f"{'/'.join(str(int(r[3])) for r in pacing)} | — | 0 429s: {'met' if tooMany == 0 else 'MISSED'} |")
    print(f"| a) requests the sandbox saw / 200 records | {'/'.join(str(int(r[4])) for r in pacing)} / "
          f"{'/'.join(str(int(r[5])) for r in pacing)} | — | — |")
ours, wrk, curl = rows("ours.txt"), rows("wrk.txt"), rows("curl.txt")
if ours and wrk:
    rate = [10000 / r[0] for r in ours]
    w = [r[0] for r in wrk]
    ratio = statistics.median(rate) / statistics.median(w)
    print(f"| b) req/s, 10,000 req, concurrency 8, limiting off | {fmt(rate, '{:.0f}')} | wrk -c 8: {fmt(w, '{:.0f}')} | "
          f"{ratio:.0%} (≥ 50%: {'met' if ratio >= 0.5 else 'MISSED'}) |")
if ours and curl:
    cpu = [(r[1] + r[2]) / 10 for r in ours]
    ccpu = [(r[1] + r[2]) / 10 for r in curl]
    ratio = statistics.median(cpu) / statistics.median(ccpu)
    print(f"| c) CPU s (user+sys) per 1,000 req | {fmt(cpu, '{:.3f}')} | curl --parallel 8: {fmt(ccpu, '{:.3f}')} | "
          f"{ratio:.2f}× curl (< 1: {'met' if ratio < 1 else 'MISSED'}) |")
    print(f"| c) wall s for the 10,000 | {fmt([r[0] for r in ours])} | curl: {fmt([r[0] for r in curl])} | — |")
    print(f"| c) user / sys s for the 10,000 | {fmt([r[1] for r in ours])} / {fmt([r[2] for r in ours])} | "
          f"curl: {fmt([r[1] for r in curl])} / {fmt([r[2] for r in curl])} | — |")
unshared = rows("ours-unshared.txt")
if unshared:
    print(f"| b/c) the same with `rate.shared: false`: req/s; CPU s per 1,000 | {fmt([10000 / r[0] for r in unshared], '{:.0f}')}; "
          f"{fmt([(r[1] + r[2]) / 10 for r in unshared], '{:.3f}')} | — | diagnostic |")
big = rows("big.txt")
if ours:
    print(f"| d) peak RSS, 10,000 req, MB | {fmt([r[3] / 1024 for r in ours], '{:.1f}')} | curl: {fmt([r[3] / 1024 for r in curl], '{:.1f}')} | — |")
if big:
    small = statistics.median([r[3] for r in ours]) / 1024 if ours else None
    b = statistics.median([r[3] for r in big]) / 1024
    verdict = "met" if b < 64 and (small is None or b <= small * 1.25) else "MISSED"
    print(f"| d) peak RSS, 100,000 req, MB | {fmt([r[3] / 1024 for r in big], '{:.1f}')} | — | same as 10k, < 64 MB: {verdict} |")
    print(f"| d) 100,000 req: wall s, req/s, CPU s per 1,000 | {fmt([r[0] for r in big])}, "
          f"{fmt([100000 / r[0] for r in big], '{:.0f}')}, {fmt([(r[1] + r[2]) / 100 for r in big], '{:.3f}')} | — | — |")
PY
