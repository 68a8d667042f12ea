#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ for a bounded time with cargo-fuzz
# (libFuzzer) on the stable toolchain, starting from the committed seeds
# and regressions. A crash is copied into fuzz/regressions/<target>/ (commit
# it with the fix: `cargo test` replays it) and fails the run.
#   FUZZ_SECONDS  seconds per target (default 20)
#   FUZZ_TARGETS  space-separated subset (default: all)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/tools.sh"

secs="${FUZZ_SECONDS:-20}"
cd "$root/fuzz"
targets="${FUZZ_TARGETS:-$(cd fuzz_targets && ls ./*.rs | sed 's|^\./||; s|\.rs$||' | tr '\n' ' ')}"
# cargo-fuzz passes nightly-only -Z flags; RUSTC_BOOTSTRAP lets the stable
# compiler accept them. No sanitizer: the code is safe Rust, and panics are
# what is looked for; a sanitizer would only slow every execution.
export RUSTC_BOOTSTRAP=1
fuzz=("$root/.tools/bin/cargo-fuzz" fuzz)
mkdir -p artifacts
"${fuzz[@]}" build -s none >/dev/null 2>artifacts/build.log || { cat artifacts/build.log >&2; exit 1; }

total=0
failed=0
for t in $targets; do
  mkdir -p "corpus/$t" "regressions/$t" "artifacts/$t"
  log="artifacts/$t/run.log"
  set +e
  "${fuzz[@]}" run -s none "$t" "corpus/$t" "seeds/$t" "regressions/$t" -- \
    -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  runs=${runs:-0}
  total=$((total + runs))
  if [ $rc -ne 0 ]; then
    failed=$((failed + 1))
    for a in artifacts/"$t"/crash-* artifacts/"$t"/timeout-* artifacts/"$t"/oom-*; do
      [ -f "$a" ] && cp "$a" "regressions/$t/" && echo "fuzz: $t: kept $(basename "$a") in fuzz/regressions/$t/" >&2
    done
    tail -40 "$log" >&2
    echo "fuzz: $t FAILED after $runs executions" >&2
  else
    echo "fuzz: $t: $runs executions in ${secs}s, no crash"
  fi
done
echo "fuzz: $total executions in all; $failed target(s) failed"
[ $failed -eq 0 ]
