#!/usr/bin/env bash
# A terraform binary for `terraform fmt -check`: the one on PATH, else built from its Go module (cached).
# `go install …@version` refuses the module (replace directives), so: download, copy, build.
# Prints the path of the binary on stdout.
set -euo pipefail
if command -v terraform >/dev/null; then command -v terraform; exit 0; fi
version="${TERRAFORM_VERSION:-v1.11.4}"
cache="${THAW_CACHE:-$HOME/.cache/thaw}"
bin="$cache/terraform-$version/terraform"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
dir=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/hashicorp/terraform@$version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
cp -r "$dir" "$work/src" && chmod -R u+w "$work/src"
echo "build-terraform: building terraform $version (a few minutes the first time)" >&2
(cd "$work/src" && CGO_ENABLED=0 go build -trimpath -o "$work/terraform" .) >&2
mkdir -p "$(dirname "$bin")" && mv "$work/terraform" "$bin"
echo "$bin"
