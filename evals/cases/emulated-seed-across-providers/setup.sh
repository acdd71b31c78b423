#!/usr/bin/env bash
# The OPNsense, AWS and Kubernetes emulators for this case; the firewall's first rule add fails
# (a 500 from the API) so the first apply fails in its last layer.
set -euo pipefail
launcher="$EVAL_CASE_DIR/../../../test/emulators/launch.ts"
[[ -f "$launcher" ]] || { echo "the emulators are test infrastructure, absent from this install" >&2; exit 77; }
OPNSENSE_FAULTS='{"failCall":{"nth":1,"match":"filter/(add|set)_?rule","times":4,"message":"pf refused the ruleset"}}' \
  "$EVAL_NODE" "$launcher" start "$EVAL_WORK_DIR" opnsense aws kubernetes
