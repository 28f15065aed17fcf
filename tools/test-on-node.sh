#!/usr/bin/env bash
# Runs the whole test suite on another major version of Node.js, brought from the npm registry (the `node`
# package, which carries the headers native modules are built against), in a copy of this checkout with its own
# node_modules. Usage: tools/test-on-node.sh 24 [ava arguments, e.g. --tap]
set -euo pipefail
major=${1:?usage: tools/test-on-node.sh <major version, e.g. 24> [ava arguments]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
prefix="${NODE_VERSIONS_DIR:-${TMPDIR:-/tmp}/pod-logs-node-versions}/$major"
if [ ! -x "$prefix/node_modules/.bin/node" ]; then
  npm install --silent --no-audit --no-fund --prefix "$prefix" "node@$major" >/dev/null
fi
header=$(find "$prefix/node_modules/node/node_modules" -path '*/include/node/node_api.h' | head -n 1)
nodedir=$(dirname "$(dirname "$(dirname "$header")")")
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
(cd "$root" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -xf - -C "$copy"
cd "$copy"
export PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir"
echo "tests on Node $(node --version)"
npm ci --no-audit --no-fund >/dev/null
npm test --silent -- "$@"
