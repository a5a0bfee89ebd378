#!/usr/bin/env bash
# Installs what cairn needs on Debian 12, as root; does nothing when all is present.
#
# Usage: scripts/install-deps.sh [build|test|package|all]   (default: all)
#   build    what building and running cairnd and cairn needs (the quick start): compiler, CMake, libraries
#   test     build, plus the test tools and the peer servers the system tests run against (BIND, Knot,
#            NSD, ...) and headless Chromium; installing bind9 starts named on port 53 on a host with systemd
#   package  build, plus what scripts/test.sh package needs: debhelper and debootstrap
#   all      all of the above (CI)
set -euo pipefail
set_name=${1:-all}
build=(
  build-essential cmake ninja-build ccache pkg-config
  libssl-dev liblmdb-dev libfmt-dev libspdlog-dev libcli11-dev nlohmann-json3-dev
)
test=(
  clang-14 libclang-rt-14-dev clang-format
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-pytest python3-dnspython
  python3-jsonschema  # the JSON of `cairn doctor` checked against docs/doctor.schema.json (tests/system/test_doctor.py)
  bind9 bind9-utils bind9-dnsutils knot knot-dnsutils knot-dnssecutils nsd ldnsutils dnsperf iproute2 procps
  prometheus-bind-exporter  # BIND's statistics formats, read by the exporter (tests/system/test_bind_stats.py)
  groff-base man-db systemd # the man pages are rendered and the unit verified (systemd-analyze) in tests
  chromium  # headless, for the status page system test (tests/system/test_stats_channel.py)
  unbound  # a reference resolver (tests/system/test_resolver_differential.py, bench/resolver/)
)
package=(debhelper debootstrap)
case "$set_name" in
  build) packages=("${build[@]}") ;;
  test) packages=("${build[@]}" "${test[@]}") ;;
  package) packages=("${build[@]}" "${package[@]}") ;;
  all) packages=("${build[@]}" "${test[@]}" "${package[@]}") ;;
  *) echo "install-deps.sh: unknown set '$set_name' (build, test, package, all)" >&2; exit 2 ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
