#!/usr/bin/env bash
# Builds cairn and runs every test: unit tests (plain and under ASan+UBSan), system tests against real
# daemons on loopback, and each fuzz target for a bounded time. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)

echo "== build (release)"
scripts/build.sh release -j"$jobs"
echo "== unit tests"
ctest --test-dir build -L unit --output-on-failure -j"$jobs"

echo "== unit tests under ASan+UBSan"
# Only the unit-test binaries are built with sanitizers; each binary runs once (one process per test, as
# ctest does, would pay the sanitizer start-up 500 times).
asan_targets=()
for dir in tests/unit/*/; do
  ls "$dir"*_test.cpp >/dev/null 2>&1 && asan_targets+=("unit_$(basename "$dir")")
done
scripts/build.sh asan -j"$jobs" "${asan_targets[@]}"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for target in "${asan_targets[@]}"; do
  echo "-- $target"
  (cd build-asan/tests && "./$target" --gtest_brief=1)
done
unset ASAN_OPTIONS UBSAN_OPTIONS

if [ -d tests/system ] && ls tests/system/test_*.py >/dev/null 2>&1; then
  echo "== system tests"
  CAIRN_BUILD=$PWD/build /usr/bin/python3 -m pytest tests/system -q -p no:cacheprovider
fi

if [ -x scripts/fuzz.sh ]; then
  echo "== fuzz targets (bounded)"
  scripts/fuzz.sh "${CAIRN_FUZZ_SECONDS:-15}"
fi
echo "== all tests passed"
