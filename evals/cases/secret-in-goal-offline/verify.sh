#!/usr/bin/env bash
# The password reached the platform (the mock's world) but state and memory hold only its placeholder.
set -euo pipefail
if grep -rl --exclude-dir=sandbox "supersecret-offline-1" .mcp-iac; then
  echo "the password is in clear in the files above" >&2
  exit 1
fi
grep -rq "supersecret-offline-1" .mcp-iac/sandbox || {
  echo "the container never got the password" >&2
  exit 1
}
grep -rq "{{secret_postgres_password}}" .mcp-iac/state || {
  echo "state does not hold the placeholder" >&2
  exit 1
}
