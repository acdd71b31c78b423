#!/usr/bin/env bash
# State and memory must not hold the password in clear (the mock world may: it is the platform).
set -euo pipefail
if grep -rl --exclude-dir=sandbox "supersecret-offline-1" .mcp-iac; then
  echo "the password is in clear in the files above" >&2
  exit 1
fi
