#!/usr/bin/env bash
# install.sh DIR: Alma's browser and Node client, @alma/client 1.1.2 unchanged, with
# its one dependency (axios, as its package.json asks), into DIR/node_modules from
# the npm registry. Idempotent: an install of the right version is kept. No lock
# file is written (versions are pinned here).
set -euo pipefail
dir=${1:?usage: install.sh DIR}
want=1.1.2
pkg=$dir/node_modules/@alma/client/package.json
if [[ -f $pkg ]] && grep -q "\"version\": \"$want\"" "$pkg"; then
	echo "alma-js: @alma/client $want in $dir"
	exit 0
fi
command -v npm >/dev/null || { echo "alma-js: npm is required" >&2; exit 1; }
mkdir -p "$dir"
[[ -f $dir/package.json ]] || echo '{"name":"alma-js-fidelity","private":true}' >"$dir/package.json"
echo "alma-js: npm install @alma/client@$want into $dir"
npm install --prefix "$dir" --no-package-lock --no-save --no-audit --no-fund --silent "@alma/client@$want"
grep -q "\"version\": \"$want\"" "$pkg" || { echo "alma-js: @alma/client $want did not install" >&2; exit 1; }
