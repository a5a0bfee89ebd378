#!/usr/bin/env bash
# Builds every libFuzzer target (tests/fuzz/*_fuzz.cpp, clang flavour) and runs each for a bounded time,
# starting from its kept seed corpus tests/fuzz/corpus/<target>/. The fuzzer works on a scratch copy, so the
# repository is never modified. Exits non-zero on any crash, leak, timeout or sanitizer report; the input
# that triggered it is kept under build-fuzz/artifacts/.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET (default 15)] [TARGET...]   (default: every target)
# CI runs every target for 15 s (the fuzz stage stays within about 6 minutes, build included); longer
# campaigns, with coverage by source file: scripts/fuzz-campaign.sh MINUTES.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
if [ $# -gt 0 ]; then shift; fi
case "$seconds" in '' | *[!0-9]*) echo "fuzz.sh: seconds must be a number, got '$seconds'" >&2; exit 2 ;; esac

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for source in tests/fuzz/*_fuzz.cpp; do
    [ -e "$source" ] || continue
    name=$(basename "$source" .cpp)
    targets+=("$name")
  done
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz.sh: no fuzz targets in tests/fuzz" >&2
  exit 0
fi

echo "fuzz.sh: building ${targets[*]}"
scripts/build.sh fuzz -j2 "${targets[@]}"

artifacts=$PWD/build-fuzz/artifacts
mkdir -p "$artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# UBSan recovers by default; a report must fail the run. Leak checking stays on (libFuzzer's default).
# A small quarantine: freed memory is reused sooner, so that each execution does not fault in fresh pages
# (on this kind of VM a page fault costs more than the input's parse: 2x executions per second and more).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:quarantine_size_mb=16}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

failed=()
for target in "${targets[@]}"; do
  binary=$(find build-fuzz -type f -name "$target" -perm -u+x | head -n 1)
  if [ -z "$binary" ]; then
    echo "fuzz.sh: $target was not built" >&2
    failed+=("$target")
    continue
  fi
  corpus=$scratch/corpus/$target
  mkdir -p "$corpus"
  if [ -d "tests/fuzz/corpus/$target" ]; then cp -R "tests/fuzz/corpus/$target/." "$corpus/"; fi
  log=$scratch/$target.log
  echo "== $target: ${seconds}s from $(find "$corpus" -type f | wc -l) seeds"
  status=0
  # -entropic=0: in a run of seconds the entropic schedule's bookkeeping costs half the executions (it pays
  # off in long campaigns, which keep it).
  "$binary" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -entropic=0 \
    -artifact_prefix="$artifacts/$target-" >"$log" 2>&1 || status=$?
  # Belt and braces: a sanitizer report that did not stop the process still fails the run.
  if [ "$status" -ne 0 ] || grep -qE "runtime error:|ERROR: (Address|Leak|Undefined)Sanitizer" "$log"; then
    echo "fuzz.sh: $target FAILED (exit $status); log tail:" >&2
    tail -n 40 "$log" >&2
    ls -1 "$artifacts" | grep "^$target-" | sed "s|^|  artifact: $artifacts/|" >&2 || true
    failed+=("$target")
  else
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$log" | sed "s/^/   /" || true
    echo "   corpus grew to $(find "$corpus" -type f | wc -l) inputs"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: all ${#targets[@]} targets ran ${seconds}s without findings"
