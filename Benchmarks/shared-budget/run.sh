#!/bin/sh
# Compiles SharedBudget.swift of a revision (default: the work tree) alone with -O and times
# reserve+settle with ~4,400 live stamps. Usage: Benchmarks/shared-budget/run.sh [REV|.] [ITERATIONS] [SPAN_MS]
# Syscalls per send: strace -c -f /tmp/shared-budget-bench ITERATIONS
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
file=Sources/DiscogsBatch/Pacing/SharedBudget.swift
out=${TMPDIR:-/tmp}/shared-budget-bench
if [ -n "$1" ] && [ "$1" != "." ]; then
    git -C "$root" show "$1:$file" > "$out.swift"
else
    cat "$root/$file" > "$out.swift"
fi
sed -i '/^import NIOConcurrencyHelpers/d; /^import Logging/d' "$out.swift"
swiftc -O -parse-as-library -o "$out" "$out.swift" "$here/Stubs.swift" "$here/Bench.swift" 2>&1 | grep -v warning || true
"$out" "${2:-200000}" "${3:-1100}"
