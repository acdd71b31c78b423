#!/usr/bin/env bash
# The aws emulator for this case's real provider (test/emulators/launch.ts); it ends with the run.
set -euo pipefail
launcher="$EVAL_CASE_DIR/../../../test/emulators/launch.ts"
[[ -f "$launcher" ]] || { echo "the emulators are test infrastructure, absent from this install" >&2; exit 77; }
"$EVAL_NODE" "$launcher" start "$EVAL_WORK_DIR" aws
