import type { Plan, PlannedChange } from "../../agent/engine/plan-types.ts";
import { scaled } from "../../test/timeouts.ts";

/** Polls until `ready(frame)` holds; on timeout, says what it waited for and shows the last frame. */
export async function waitForFrame(
  lastFrame: () => string | undefined,
  ready: (frame: string) => boolean,
  what: string,
  timeout = 10_000,
): Promise<string> {
  // Waits catch hangs, not slowness: they grow with the machine's load.
  const timeoutMs = scaled(timeout);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = lastFrame() ?? "";
    if (ready(frame)) return frame;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}; the last frame was:\n${frame}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Lets Ink attach its input listeners (they start in effects after the first commit). */
export function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const LOW = { destructive: false, stateful: false, dependents: 0, level: "low" } as const;

export function change(
  name: string,
  type: string,
  action: PlannedChange["action"] = "create",
  risk: PlannedChange["risk"] = LOW,
): PlannedChange {
  return {
    name,
    type,
    action,
    server: type.split(":")[0] ?? "mock",
    deps: [],
    risk,
    diff: [],
    after: { size: 1 },
  };
}

/** A plan as the engine builds one: two creates and an untouched resource. */
export function samplePlan(
  changes: PlannedChange[] = [
    change("vpc", "aws:vpc:vpc"),
    change("db", "aws:rds:instance", "create", {
      destructive: false,
      stateful: true,
      dependents: 0,
      level: "medium",
    }),
    change("dns", "opnsense:dns:override", "noop"),
  ],
): Plan {
  const count = (action: PlannedChange["action"]) =>
    changes.filter((entry) => entry.action === action).length;
  return {
    deployment: "shop",
    createdAt: "2026-01-01T00:00:00.000Z",
    servers: ["aws", "opnsense"],
    changes,
    summary: {
      create: count("create"),
      update: count("update"),
      replace: count("replace"),
      delete: count("delete"),
      noop: count("noop"),
      destructive: 0,
      stateful: changes.filter((entry) => entry.risk.stateful).length,
      highRisk: 0,
    },
    warnings: [],
    pendingOperations: 0,
  };
}
