#!/usr/bin/env bash
# A longer fuzzing campaign than CI's: every libFuzzer target (or those named) for MINUTES each, JOBS at a
# time (default 2), at the lowest CPU priority, each from its kept seed corpus plus what earlier campaigns
# found (build-fuzz/campaign/corpus/<target>, kept between runs; the repository is never modified). Then
# each target's final corpus is replayed once with -print_coverage=1 to list the source files it reaches.
# Prints a table (executions, executions per second, edge coverage, features, corpus size, files reached)
# and writes it to build-fuzz/campaign/summary.md; crashes, leaks and timeouts land in
# build-fuzz/campaign/artifacts/ and make the script exit non-zero.
#
# Usage: scripts/fuzz-campaign.sh MINUTES [-j JOBS | -jJOBS] [TARGET...]
# FUZZ_NICE=N runs the targets at that niceness instead of 19 (on a machine busy with builds, 19 starves them).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:?usage: scripts/fuzz-campaign.sh MINUTES [-j JOBS] [TARGET...]}
shift
case "$minutes" in '' | *[!0-9]*) echo "fuzz-campaign.sh: minutes must be a number, got '$minutes'" >&2; exit 2 ;; esac
jobs=2
if [ "${1:-}" = "-j" ]; then
  jobs=${2:?-j needs a number}; shift 2
elif [[ "${1:-}" == -j* ]]; then
  jobs=${1#-j}; shift
fi
case "$jobs" in '' | *[!0-9]*) echo "fuzz-campaign.sh: -j needs a number, got '$jobs'" >&2; exit 2 ;; esac
if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for source in tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "$source" .cpp)"); done
fi

scripts/build.sh fuzz -j2 "${targets[@]}"
work=$PWD/build-fuzz/campaign
mkdir -p "$work/artifacts" "$work/logs"
# A small quarantine: freed memory is reused sooner, so that each execution does not fault in fresh pages
# (on this kind of VM a page fault costs more than the input's parse: 2x executions per second and more).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:quarantine_size_mb=16}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

run_one() {
  local target=$1 binary corpus
  binary=$(find build-fuzz -type f -name "$target" -perm -u+x | head -n 1)
  corpus=$work/corpus/$target
  mkdir -p "$corpus"
  if [ -d "tests/fuzz/corpus/$target" ]; then cp -Rn "tests/fuzz/corpus/$target/." "$corpus/"; fi
  local status=0
  nice -n "${FUZZ_NICE:-19}" "$binary" "$corpus" -max_total_time=$((minutes * 60)) -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$target-" >"$work/logs/$target.log" 2>&1 || status=$?
  echo "$status" >"$work/logs/$target.status"
  # Coverage of the final corpus, by source file (COVERED_FUNC lines name each function's file, as the
  # compiler saw it from some build directory: BUILD/../src/...).
  nice -n "${FUZZ_NICE:-19}" "$binary" -runs=0 -print_coverage=1 "$corpus" >"$work/logs/$target.coverage" 2>&1 || true
  grep -o '^COVERED_FUNC: .* /[^ ]*\.\(cpp\|hpp\):[0-9]*' "$work/logs/$target.coverage" |
    sed -E 's/.* (\/[^ ]*\.(cpp|hpp)):[0-9]+$/\1/' | sed -nE 's#^.*/\.\./(src/.*)$#\1#p' |
    sort -u >"$work/logs/$target.files" || true
}

running=0
for target in "${targets[@]}"; do
  run_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait

failed=()
{
  echo "| target | executions | exec/s | edges (cov) | features (ft) | corpus | source files reached |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  for target in "${targets[@]}"; do
    log=$work/logs/$target.log
    runs=$(grep -oE '^stat::number_of_executed_units: [0-9]+' "$log" | awk '{print $2}')
    seconds=$((minutes * 60))
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | awk '{print $2}')
    ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -n 1 | awk '{print $2}')
    corpus=$(find "$work/corpus/$target" -type f | wc -l)
    files=$(wc -l <"$work/logs/$target.files")
    echo "| $target | ${runs:-?} | $(( ${runs:-0} / seconds )) | ${cov:-?} | ${ft:-?} | $corpus | $files |"
    if [ "$(cat "$work/logs/$target.status")" != 0 ] || grep -qE "runtime error:|ERROR: (Address|Leak|Undefined)Sanitizer" "$log"; then
      failed+=("$target")
    fi
  done
} | tee "$work/summary.md"
echo "source files reached, per target: $work/logs/TARGET.files"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-campaign.sh: findings in ${failed[*]} (logs in $work/logs, inputs in $work/artifacts)" >&2
  exit 1
fi
