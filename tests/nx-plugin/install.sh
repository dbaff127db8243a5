#!/usr/bin/env bash
# Installs the pinned nx releases the Nx plugin's tests run (each from its
# committed package.json and package-lock.json under
# tests/nx-plugin/installs/<id>/) into a cache folder outside the repository:
#   ${NXCLOUD_NX_PLUGIN_CACHE:-$HOME/.cache/nxcloud-nx-plugin}/<id>/
# Idempotent: an install whose lockfile did not change is kept.
#   tests/nx-plugin/install.sh [ID ...]   (default: every install of installs/;
#                                          an ID of installs-slow/ by name)
set -euo pipefail
cd "$(dirname "$0")"
installs=$PWD/installs
cache=${NXCLOUD_NX_PLUGIN_CACHE:-$HOME/.cache/nxcloud-nx-plugin}
mkdir -p "$cache"

ids=("$@")
if [ ${#ids[@]} -eq 0 ]; then
  for d in "$installs"/*/; do ids+=("$(basename "$d")"); done
fi

for id in "${ids[@]}"; do
  src=$installs/$id
  # installs-slow/: releases of the optional slower job (named explicitly).
  [ -d "$src" ] || src=$PWD/installs-slow/$id
  [ -f "$src/package.json" ] && [ -f "$src/package-lock.json" ] || { echo "no install $id (expected $src/package.json and package-lock.json)" >&2; exit 1; }
  dst=$cache/$id
  stamp=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -c1-16)
  if [ -f "$dst/.stamp" ] && [ "$(cat "$dst/.stamp")" = "$stamp" ] && [ -d "$dst/node_modules/nx" ]; then
    continue
  fi
  rm -rf "$dst"
  mkdir -p "$dst"
  cp "$src/package.json" "$src/package-lock.json" "$dst/"
  # --ignore-scripts: nothing runs at install time (nx's native binary is an
  # optional dependency, installed for this platform without a script).
  (cd "$dst" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  want=$(node -p "require('$src/package.json').devDependencies.nx")
  got=$(node -p "require('$dst/node_modules/nx/package.json').version")
  [ "$want" = "$got" ] || { echo "$id: nx $want did not install (found $got)" >&2; exit 1; }
  echo "$stamp" >"$dst/.stamp"
  echo "installed $id"
done
