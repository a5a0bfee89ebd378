#!/usr/bin/env bash
# Configures and builds one flavour of cairn: `release` (default), `asan` (ASan+UBSan) or `fuzz` (clang).
# CAIRN_BUILD_TESTS=OFF leaves the tests out (no GoogleTest needed: the quick start).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
case "$flavour" in
  release) dir=build; opts=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir=build-asan; opts=(-DCMAKE_BUILD_TYPE=Debug -DCAIRN_SANITIZE=ON) ;;
  fuzz) dir=build-fuzz; opts=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAIRN_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, asan, fuzz)" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -G Ninja "${opts[@]}" -DCAIRN_BUILD_TESTS="${CAIRN_BUILD_TESTS:-ON}" >/dev/null
ninja -C "$dir" "${@:2}"
