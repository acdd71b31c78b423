import { IacError } from "../../agent/errors.ts";
import { type FlagTable, type ParsedCommand, positiveInt, usageError } from "../args.ts";
import type { OpenedWorkspace } from "../workspace.ts";
import type { CommandContext } from "./types.ts";

/** Flags several commands share, declared once. */
export const FILE_FLAG = {
  file: { type: "string", short: "f", value: "FILE", help: "the spec (YAML or JSON)" },
} as const satisfies FlagTable;

export const ALLOW_DESTROY_FLAG = {
  "allow-destroy": {
    type: "boolean",
    help: "approve deleting or replacing stateful resources (the baseline policy asks for it)",
  },
} as const satisfies FlagTable;

export const LOCK_FLAGS = {
  "force-unlock": { type: "boolean", help: "take the deployment's lock even if another run holds it" },
  "lock-timeout": { type: "string", value: "SECONDS", help: "wait this long for the deployment's lock" },
} as const satisfies FlagTable;

export const PARALLELISM_FLAG = {
  parallelism: { type: "string", value: "N", help: "at most N changes at a time" },
} as const satisfies FlagTable;

export const STREAM_FLAG = {
  "json-stream": {
    type: "boolean",
    help: "print each event as one JSON line as it happens, then the result as the last line",
  },
} as const satisfies FlagTable;

export const REFRESH_FLAGS = {
  refresh: { type: "boolean", help: "read what exists before planning (the default)" },
  "no-refresh": { type: "boolean", help: "trust state instead (also --refresh=false)" },
} as const satisfies FlagTable;

export function requireFile(parsed: ParsedCommand): string {
  const file = parsed.flags["file"];
  if (typeof file !== "string") throw usageError(`agent ${parsed.command[0]} needs a spec: -f FILE`);
  return file;
}

export function requireName(parsed: ParsedCommand, index = 1): string {
  const name = parsed.command[index];
  if (!name) throw usageError(`agent ${parsed.command.slice(0, index).join(" ")} needs a deployment NAME`);
  return name;
}

export function lockOptions(parsed: ParsedCommand): { lockWaitMs?: number; forceUnlock?: boolean } {
  const wait = positiveInt(parsed.flags["lock-timeout"], "lock-timeout");
  return {
    ...(wait ? { lockWaitMs: wait * 1000 } : {}),
    ...(parsed.flags["force-unlock"] ? { forceUnlock: true } : {}),
  };
}

export function parallelismOption(parsed: ParsedCommand): { parallelism?: number } {
  const parallelism = positiveInt(parsed.flags["parallelism"], "parallelism");
  return parallelism ? { parallelism } : {};
}

/** Plans read what exists by default, as Terraform's do; `--refresh=false` (or --no-refresh) trusts state. */
export function refreshFlag(parsed: ParsedCommand): boolean {
  return !parsed.flags["no-refresh"];
}

/** Approval for a change that is not an apply: --yes, a terminal's answer, or exit 4 under --json. */
export async function approveOrRefuse(question: string, context: CommandContext): Promise<boolean> {
  const { global } = context.parsed;
  if (global.json && !global.yes) {
    throw new IacError("NOT_APPROVED", "--json runs cannot ask for approval", {
      exitCode: 4,
      hint: "review what it will change, then add --yes",
    });
  }
  const { askYes } = await import("../approve.ts");
  return askYes(question, global.yes, context.io);
}

/** The config's servers, state and scrubbed event sink for one command, closed when it is done. */
export async function withWorkspace<T>(
  context: CommandContext,
  work: (workspace: OpenedWorkspace) => Promise<T>,
): Promise<T> {
  const { openWorkspace } = await import("../workspace.ts");
  const workspace = openWorkspace(context.parsed.global, context.out.emit, context.scrubber);
  try {
    return await work(workspace);
  } finally {
    await workspace.close();
  }
}

/** The policies of a run, --allow-destroy applied. */
export async function commandPolicies(context: CommandContext, workspace: Pick<OpenedWorkspace, "loaded">) {
  const { policiesFor } = await import("../goal.ts");
  return policiesFor(workspace.loaded, context.parsed.global.cwd, {
    allowDestroy: Boolean(context.parsed.flags["allow-destroy"]),
  });
}
