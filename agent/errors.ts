// The base error lives in core/ (below every layer) and the spec's error beside the engine that raises
// it (agent/engine/spec-error.ts, not re-exported here: `agent --help` imports this file and must not
// load the engine). The agent's exit codes live here.
export { cut, IacError, isIacError } from "../core/errors.ts";

export const EXIT = { ok: 0, failed: 1, usage: 2, policy: 3, notApproved: 4 } as const;
