#!/usr/bin/env bash
# Installs what building and running needs (not the test peers), builds cairnd and cairn, makes the example's
# control key, and runs cairnd in the foreground with examples/named.conf (127.0.0.1 port 5300, the example
# zones, the control channel on port 5301). Stop it with Ctrl-C. In another terminal:
#   dig @127.0.0.1 -p 5300 www.dnskurz.cz A
#   build/src/cli/cairn ctl -c examples/named.conf status
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then
  scripts/install-deps.sh build
elif ! scripts/install-deps.sh build >/dev/null 2>&1; then
  sudo scripts/install-deps.sh build
fi
CAIRN_BUILD_TESTS=OFF scripts/build.sh release cairnd cairn
if [ ! -s examples/rndc.key ]; then
  (umask 077 && build/src/cli/cairn tsig-keygen example-rndc >examples/rndc.key.new)
  mv examples/rndc.key.new examples/rndc.key
fi
exec build/src/cli/cairnd -c examples/named.conf "$@"
