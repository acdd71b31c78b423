#!/usr/bin/env bash
# The container got the password; state and memory never hold it in clear.
set -euo pipefail
if grep -rl --exclude-dir=sandbox "hunter2-correct-horse" .mcp-iac; then
  echo "the password is in clear in the files above" >&2
  exit 1
fi
# The mock keeps a secret property as a platform would, as the digest of its value: the container's env
# digest must be that of the real password, not of the placeholder the planner saw.
want=$(printf '%s' '{"POSTGRES_PASSWORD":"hunter2-correct-horse"}' | sha256sum | cut -d' ' -f1)
grep -rq "sha256:$want" .mcp-iac/sandbox || {
  echo "the container never got the password" >&2
  exit 1
}
