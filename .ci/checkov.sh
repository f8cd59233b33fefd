#!/bin/sh
# Static security scan of the Terraform (issue 12). Every accepted finding is a
# `#checkov:skip=<id>:<reason>` line in the resource it concerns; any other finding fails.
set -eu
CHECKOV_VERSION=3.2.533
cd "$(dirname "$0")/.."
if ! command -v checkov >/dev/null 2>&1 || [ "$(checkov --version 2>/dev/null)" != "$CHECKOV_VERSION" ]; then
  python3 -m pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi
# --skip-download: no Bridgecrew platform calls; -d infra only, terraform only: a few seconds.
exec checkov -d infra --framework terraform --compact --quiet --skip-download
