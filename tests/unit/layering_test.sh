#!/usr/bin/env bash
# Fails when a module includes a header from a module above it (or from one it does not build on).
# The allowed dependencies mirror the cairn_module() lines in CMakeLists.txt.
set -eu
root=${1:-.}
declare -A allowed=(
  [dns]="dns"
  [zone]="zone dns"
  [auth]="auth zone dns"
  [config]="config dns"
  [store]="store zone dns"
  [xfr]="xfr store auth zone dns"
  [net]="net dns"
  [stats]="stats dns"
  [ctl]="ctl config dns"
  [server]="server ctl stats net xfr store config auth zone dns"
)
status=0
for module in "${!allowed[@]}"; do
  dir="$root/src/$module"
  [ -d "$dir" ] || continue
  while IFS= read -r line; do
    file=${line%%:*}
    target=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$line")
    if [[ " ${allowed[$module]} " != *" $target "* ]]; then
      echo "layering: $file includes $target/ but $module may only use: ${allowed[$module]}"
      status=1
    fi
  done < <(grep -rHE '^#include "[a-z_]+/' "$dir" || true)
done
[ $status -eq 0 ] && echo "layering: every module includes only the layers below it"
exit $status
