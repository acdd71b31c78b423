// The base error lives in core/ (below every layer) and the spec's error in the engine that raises
// it; the agent's exit codes live here, and the errors are re-exported for the layers above.
export { cut, IacError, isIacError } from "../core/errors.ts";
export { SpecError, type SpecIssue } from "./engine/spec-error.ts";

export const EXIT = { ok: 0, failed: 1, usage: 2, policy: 3, notApproved: 4 } as const;
