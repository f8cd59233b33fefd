#!/usr/bin/env bash
# Build Traefik from its Go module (see DESIGN.md: `go install` fails because of replace
# directives, v3.7 cannot be built from the module zip). The binary is cached by version.
# Prints the path of the binary on stdout.
set -euo pipefail
version="${TRAEFIK_VERSION:-v3.6.12}"
cache="${THAW_CACHE:-$HOME/.cache/thaw}"
bin="$cache/traefik-$version/traefik"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
command -v go >/dev/null || { echo "build-traefik: go is not installed" >&2; exit 1; }
mkdir -p "$cache"
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
dir=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/traefik/traefik/v3@$version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
cp -r "$dir" "$work/src" && chmod -R u+w "$work/src"
echo "build-traefik: building traefik $version (a few minutes the first time)" >&2
(cd "$work/src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$version" -o "$work/traefik" ./cmd/traefik) >&2
mkdir -p "$(dirname "$bin")" && mv "$work/traefik" "$bin"
echo "$bin"
