#!/usr/bin/env bash
# Fails when a module includes a header from a module above it (or from one it does not build on).
# Usage: layering_test.sh ROOT LAYERS, where LAYERS is the file CMake writes from the cairn_module() lines
# (one "module:dep,dep" per line, lowest layer first), so the order is written in CMakeLists.txt alone.
# A folder under src/ that is not a module (cli/ holds entry points only) may include anything.
set -eu
root=${1:-.}
layers=${2:?usage: layering_test.sh ROOT LAYERS-FILE}
declare -A allowed=()
while IFS=: read -r module uses; do
  [ -n "$module" ] || continue
  allowed[$module]="$module ${uses//,/ }"
done <"$layers"
[ ${#allowed[@]} -gt 0 ] || { echo "layering: no modules in $layers"; exit 1; }
status=0
for dir in "$root"/src/*/; do
  module=$(basename "$dir")
  [ "$module" = cli ] && continue
  if [ -z "${allowed[$module]+set}" ]; then
    echo "layering: src/$module is not a cairn_module() in CMakeLists.txt"
    status=1
    continue
  fi
  while IFS= read -r line; do
    file=${line%%:*}
    target=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$line")
    if [[ " ${allowed[$module]} " != *" $target "* ]]; then
      echo "layering: $file includes $target/ but $module may only use: ${allowed[$module]}"
      status=1
    fi
  done < <(grep -rHE '^#include "[a-z_]+/' "$dir" || true)
done
[ $status -eq 0 ] && echo "layering: every module includes only the layers below it (${#allowed[@]} modules)"
exit $status
