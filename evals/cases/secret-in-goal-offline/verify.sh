#!/usr/bin/env bash
# The password reached the platform (the mock's world) but state and memory never hold it in clear.
set -euo pipefail
if grep -rl --exclude-dir=sandbox "supersecret-offline-1" .mcp-iac; then
  echo "the password is in clear in the files above" >&2
  exit 1
fi
# The mock keeps a secret property as a platform would, as the digest of its value: the container's env
# digest must be that of the real password, not of the placeholder the planner saw.
want=$(printf '%s' '{"POSTGRES_PASSWORD":"supersecret-offline-1"}' | sha256sum | cut -d' ' -f1)
grep -rq "sha256:$want" .mcp-iac/sandbox || {
  echo "the container never got the password" >&2
  exit 1
}
# State keeps the secret env only as a keyed digest; the remembered pattern holds the placeholder.
grep -rq --exclude-dir=sandbox "{{secret_postgres_password}}" .mcp-iac || {
  echo "neither state nor memory holds the placeholder" >&2
  exit 1
}
