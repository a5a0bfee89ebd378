#!/usr/bin/env bash
# Installs the dependencies, builds cairn and runs cairnd in the foreground with examples/named.conf
# (127.0.0.1 port 5353, the example zones). Stop it with Ctrl-C. In another terminal:
#   dig @127.0.0.1 -p 5353 www.dnskurz.cz A
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then
  scripts/install-deps.sh
elif ! scripts/install-deps.sh >/dev/null 2>&1; then
  sudo scripts/install-deps.sh
fi
scripts/build.sh release cairnd
exec build/src/cli/cairnd -c examples/named.conf "$@"
