#!/usr/bin/env bash
set -euo pipefail
"$EVAL_NODE" "$EVAL_CASE_DIR/../../../test/emulators/launch.ts" stop "$EVAL_WORK_DIR"
