#!/usr/bin/env bash
# Installs what cairn needs to build and test on Debian 12, as root; does nothing when all is present.
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config clang-14 libclang-rt-14-dev clang-format
  libssl-dev liblmdb-dev libfmt-dev libspdlog-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-pytest python3-dnspython
  python3-jsonschema  # the JSON of `cairn doctor` checked against docs/doctor.schema.json (tests/system/test_doctor.py)
  bind9 bind9-utils bind9-dnsutils knot knot-dnsutils knot-dnssecutils nsd ldnsutils dnsperf iproute2 procps
  chromium  # headless, for the status page system test (tests/system/test_stats_channel.py)
  unbound  # a reference resolver (tests/system/test_resolver_differential.py, bench/resolver/)
)
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
