#!/usr/bin/env bash
# Builds cairn and runs its tests, in stages that can also run alone. Exits non-zero on the first failure.
#
# Usage: scripts/test.sh [STAGE...]   (default: ci)
#   unit     the release build (RelWithDebInfo) and the unit tests
#   asan     the unit tests under ASan+UBSan
#   system   the system tests against real daemons on loopback (needs the release build)
#   fuzz     each fuzz target for a bounded time (CAIRN_FUZZ_SECONDS, default 15)
#   builds   Release and Debug builds must be warning-free under -Werror too
#   package  `cmake --install` into a temporary prefix, and the Debian package: built with dpkg-buildpackage
#            (Debian's build flags), installed in a debootstrapped Debian 12 chroot, its files, owners and
#            modes checked (tests/package/)
#   ci       unit, asan, system and fuzz: what CI runs (.ci/run), kept under its 45-minute budget
#   all      every stage above, in that order (before a release: builds and package each rebuild the tree)
set -euo pipefail
cd "$(dirname "$0")/.."
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(ci)
for stage in "${stages[@]}"; do
  case "$stage" in
    unit | asan | system | fuzz | builds | package) ;;
    ci) stages=(unit asan system fuzz); break ;;
    all) stages=(unit asan system fuzz builds package); break ;;
    *) echo "test.sh: unknown stage '$stage' (unit, asan, system, fuzz, builds, package, ci, all)" >&2; exit 2 ;;
  esac
done
scripts/install-deps.sh all
jobs=$(nproc)

stage_unit() {
  echo "== build (release)"
  scripts/build.sh release -j"$jobs"
  echo "== unit tests"
  ctest --test-dir build -L unit --output-on-failure -j"$jobs"
}

stage_asan() {
  echo "== unit tests under ASan+UBSan"
  # Only the unit-test binaries are built with sanitizers; each binary runs once (one process per test, as
  # ctest does, would pay the sanitizer start-up 500 times).
  local asan_targets=() dir target
  for dir in tests/unit/*/; do
    ls "$dir"*_test.cpp >/dev/null 2>&1 && asan_targets+=("unit_$(basename "$dir")")
  done
  scripts/build.sh asan -j"$jobs" "${asan_targets[@]}"
  for target in "${asan_targets[@]}"; do
    echo "-- $target"
    (cd build-asan/tests && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "./$target" --gtest_brief=1)
  done
}

stage_system() {
  echo "== system tests"
  scripts/build.sh release -j"$jobs"
  CAIRN_BUILD=$PWD/build /usr/bin/python3 -m pytest tests/system -q -p no:cacheprovider
}

stage_fuzz() {
  echo "== fuzz targets (bounded)"
  scripts/fuzz.sh "${CAIRN_FUZZ_SECONDS:-15}"
}

stage_builds() {
  echo "== Release and Debug builds (warning-free under -Werror)"
  local type
  for type in Release Debug; do
    echo "-- $type"
    CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1 cmake -S . -B "build-${type,,}" -G Ninja -DCMAKE_BUILD_TYPE="$type" >/dev/null
    if ! CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1 ninja -C "build-${type,,}" -j"$jobs" >"build-${type,,}.log" 2>&1; then
      grep -E -A12 "^FAILED|error:|warning:" "build-${type,,}.log" | head -n 80 >&2
      return 1
    fi
  done
}

stage_package() {
  echo "== install rules and the Debian package"
  /usr/bin/python3 -m pytest tests/package -q -p no:cacheprovider
}

for stage in "${stages[@]}"; do
  "stage_$stage"
done
echo "== all tests passed (${stages[*]})"
