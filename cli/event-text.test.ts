import { Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RunEvent } from "../agent/events.ts";
import { eventLines, type Surface } from "./event-text.ts";
import { HumanPrinter } from "./printer.ts";

/** One of every event kind that reads as lines, with the variants each renderer tells apart. */
const SAMPLE_EVENTS: RunEvent[] = [
  { type: "run.started", command: "apply", deployment: "net", runId: "r1" },
  { type: "notice", level: "info", message: "sandbox profile" },
  { type: "notice", level: "warn", message: "careful" },
  { type: "reconcile.started", pending: 2 },
  { type: "reconcile.resolved", name: "vm", action: "create", outcome: "adopted" },
  { type: "apply.started", total: 3, parallelism: 2 },
  { type: "change.started", name: "vm", action: "create", server: "aws", attempt: 1 },
  { type: "change.started", name: "db", action: "replace", server: "aws", attempt: 2 },
  { type: "change.progress", name: "vm", message: "still booting" },
  {
    type: "change.retrying",
    name: "db",
    attempt: 2,
    delayMs: 1500,
    error: { code: "THROTTLED", message: "slow down", retryable: true },
  },
  { type: "change.succeeded", name: "vm", action: "create", id: "i-1", durationMs: 1234 },
  { type: "change.succeeded", name: "old", action: "delete", id: "i-0", durationMs: 20 },
  {
    type: "change.failed",
    name: "db",
    action: "replace",
    error: { code: "CONFLICT", message: "taken", retryable: false },
  },
  { type: "change.skipped", name: "app", reason: "a dependency failed" },
  { type: "check.passed", name: "vm", check: "port 22" },
  { type: "check.failed", name: "vm", check: "http", message: "503" },
  { type: "rollback.started", reason: "db failed", changes: 1 },
  { type: "rollback.change", name: "vm", action: "delete", status: "succeeded" },
  { type: "rollback.change", name: "net", action: "restore", status: "failed", error: "gone" },
  { type: "rollback.finished", ok: true },
  { type: "rollback.finished", ok: false },
  { type: "apply.finished", outcome: "rolled-back", succeeded: 1, failed: 1, skipped: 1, durationMs: 4000 },
  { type: "apply.finished", outcome: "succeeded", succeeded: 3, failed: 0, skipped: 0, durationMs: 900 },
  { type: "apply.finished", outcome: "failed", succeeded: 0, failed: 1, skipped: 0, durationMs: 10 },
  { type: "drift", name: "vm", kind: "changed", paths: ["size", "tags"] },
  { type: "drift", name: "rule", kind: "deleted", paths: [] },
  { type: "planner.selected", planner: "offline", description: "offline planner" },
  { type: "planner.understood", summary: "a web app" },
  { type: "planner.submission", attempt: 1, errors: 2, warnings: 0, messages: ["bad ref", "bad type"] },
  { type: "planner.submission", attempt: 2, errors: 0, warnings: 0, messages: [] },
  {
    type: "model.call",
    provider: "anthropic",
    model: "claude",
    purpose: "plan",
    latencyMs: 2500,
    inputTokens: 100,
    cachedInputTokens: 40,
    outputTokens: 20,
  } as RunEvent,
  { type: "spec.ready", deployment: "net", resources: 3, source: "offline" },
  { type: "policy.findings", stage: "plan", blocked: false, findings: [] },
  {
    type: "policy.findings",
    stage: "deployment",
    blocked: true,
    findings: [
      {
        policy: "baseline/public-db",
        enforcement: "mandatory",
        resource: "db",
        path: "public",
        message: "public",
      },
      { policy: "baseline/tags", enforcement: "advisory", message: "no tags" },
    ],
  } as RunEvent,
  { type: "recovery.decision", attempt: 1, action: "retry", reason: "transient", by: "rules" },
  { type: "memory.saved", patternId: "p1", lessons: 2 },
  { type: "memory.saved", patternId: "p2", lessons: 0 },
  { type: "memory.reused", patternId: "p1", goal: "a web app", score: 0.912 },
];

function texts(surface: Surface): string[] {
  return SAMPLE_EVENTS.flatMap((event) =>
    event.type === "plan.ready"
      ? []
      : eventLines(event, surface).map((line) => line.map((span) => span.text).join("")),
  );
}

describe("event text", () => {
  it("words every event for the one-shot commands as Terraform does", () => {
    expect(texts("terminal")).toEqual(TERMINAL);
  });

  it("words every event for the chat with a glyph per outcome", () => {
    expect(texts("chat")).toEqual(CHAT);
  });

  it("marks the tones each surface paints", () => {
    const failed = SAMPLE_EVENTS.find((event) => event.type === "change.failed") as Exclude<
      RunEvent,
      { type: "plan.ready" }
    >;
    expect(eventLines(failed, "terminal")).toEqual([[{ text: "Error: db: CONFLICT: taken", tone: "red" }]]);
    const succeeded = SAMPLE_EVENTS.find((event) => event.type === "change.succeeded") as Exclude<
      RunEvent,
      { type: "plan.ready" }
    >;
    expect(eventLines(succeeded, "terminal", { elapsedMs: 61_000 })).toEqual([
      [
        { text: "vm", tone: "bold" },
        { text: ": Creation complete after 61.0s" },
        { text: " [id=i-1]", tone: "dim" },
      ],
    ]);
  });
});

describe("HumanPrinter", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function print(quietAbove?: number): string[] {
    let text = "";
    const out = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          text += chunk.toString();
          done();
        },
      }),
      { isTTY: false },
    ) as unknown as NodeJS.WriteStream;
    const printer = new HumanPrinter(out, quietAbove === undefined ? {} : { quietAbove });
    for (const event of SAMPLE_EVENTS) printer.handle(event);
    printer.close();
    return text.split("\n").slice(0, -1);
  }

  it("prints the terminal's lines, timing changes by its own clock", () => {
    vi.useFakeTimers({ now: 0 });
    const expected = TERMINAL.filter((line) => !line.startsWith("Applying 3 changes")).map((line) =>
      line === "vm: still booting"
        ? "vm: still booting [0ms elapsed]"
        : line.replace("after 1.2s", "after 0ms"),
    );
    expect(print()).toEqual(expected);
  });

  it("past its threshold, prints failures and totals only, and says so", () => {
    const lines = print(1);
    expect(lines).toContain("Applying 3 changes (parallelism 2); printing failures only…");
    expect(lines).toContain("Error: db: CONFLICT: taken");
    expect(lines.some((line) => line.includes("Creating") || line.includes("complete after"))).toBe(false);
  });
});

const TERMINAL = [
  "sandbox profile",
  "Warning: careful",
  "Reconciling 2 operation(s) left pending by an interrupted run…",
  "  vm (create): adopted",
  "Applying 3 changes (parallelism 2); printing failures only…",
  "vm: Creating…",
  "db: Replacing… (attempt 2)",
  "vm: still booting",
  "db: THROTTLED: slow down; retrying in 1.5s",
  "vm: Creation complete after 1.2s [id=i-1]",
  "old: Destruction complete after 20ms",
  "Error: db: CONFLICT: taken",
  "app: skipped (a dependency failed)",
  "vm: check passed: port 22",
  "vm: check failed: http: 503",
  "Rolling back 1 change(s) of this run (db failed)…",
  "  vm: delete done",
  "  net: restore failed: gone",
  "Rollback complete.",
  "Rollback incomplete: state records what remains.",
  "",
  "Apply failed and was rolled back: 1 succeeded, 1 failed, 1 skipped.",
  "",
  "Apply complete! 3 change(s) in 900ms.",
  "",
  "Apply failed: 0 succeeded, 1 failed, 0 skipped.",
  "vm: changed outside mcp-iac (size, tags)",
  "rule: deleted outside mcp-iac",
  "offline planner",
  "a web app",
  "Submission 1 has 2 problem(s); sent back to the model:",
  "  - bad ref",
  "  - bad type",
  "Submission 2 accepted.",
  "model anthropic:claude (plan) 2.5s, 100 in (40 cached) / 20 out",
  "Spec net: 3 resource(s) (offline).",
  "Policies (plan): no findings.",
  "MANDATORY baseline/public-db db: public: public",
  "advisory  baseline/tags: no tags",
  "Blocked by mandatory policy (deployment).",
  "Recovery 1 (rules): retry — transient",
  "Remembered this deployment as pattern p1 with 2 lesson(s).",
  "Remembered this deployment as pattern p2.",
  'Reusing remembered pattern p1 (similarity 0.91) from: "a web app"',
];

const CHAT = [
  "sandbox profile",
  "Warning: careful",
  "Reconciling 2 operation(s) left pending by an interrupted run…",
  "  vm (create): adopted",
  "Applying 3 change(s), 2 at a time…",
  "↻ db: THROTTLED: slow down; retrying in 1.5s",
  "✓ vm created in 1.2s [id=i-1]",
  "✓ old destroyed in 20ms",
  "✗ db: CONFLICT: taken",
  "– app skipped (a dependency failed)",
  "  vm: check passed: port 22",
  "✗ vm: check failed: http: 503",
  "Rolling back 1 change(s) of this run (db failed)…",
  "  ↺ vm: delete done",
  "  ✗ net: restore failed: gone",
  "Rollback complete.",
  "Rollback incomplete: state records what remains.",
  "Apply failed and was rolled back: 1 succeeded, 1 failed, 1 skipped.",
  "Apply complete: 3 change(s) in 900ms.",
  "Apply failed: 0 succeeded, 1 failed, 0 skipped.",
  "vm: changed outside mcp-iac (size, tags)",
  "rule: deleted outside mcp-iac",
  "offline planner",
  "a web app",
  "Submission 1 has 2 problem(s); sent back to the model:",
  "  - bad ref",
  "  - bad type",
  "Submission 2 accepted.",
  "model anthropic:claude (plan) 2.5s, 100 in (40 cached) / 20 out",
  "Spec net: 3 resource(s) (offline).",
  "Policies (plan): no findings.",
  "MANDATORY baseline/public-db db: public: public",
  "advisory baseline/tags: no tags",
  "Blocked by mandatory policy (deployment).",
  "Recovery 1 (rules): retry — transient",
  "Remembered as pattern p1 with 2 lesson(s).",
  "Remembered as pattern p2.",
  'Reusing remembered pattern p1 (similarity 0.91) from: "a web app"',
];
