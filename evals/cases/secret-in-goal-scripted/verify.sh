#!/usr/bin/env bash
# The container got the password; state and memory never hold it in clear.
set -euo pipefail
if grep -rl --exclude-dir=sandbox "hunter2-correct-horse" .mcp-iac; then
  echo "the password is in clear in the files above" >&2
  exit 1
fi
grep -rq "hunter2-correct-horse" .mcp-iac/sandbox || {
  echo "the container never got the password" >&2
  exit 1
}
