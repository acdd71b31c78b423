import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../agent/events.ts";
import { samplePlan } from "./test-support.ts";
import { type Entry, initialTranscript, reduceEvent, transcriptReducer } from "./transcript.ts";

const texts = (entries: Entry[]) => entries.flatMap((entry) => (entry.kind === "line" ? [entry.text] : []));
const run = (events: RunEvent[], planner = "offline planner") =>
  events.reduce(reduceEvent, initialTranscript(planner));

describe("the transcript reducer", () => {
  it("shows a long change's latest progress beside it", () => {
    const view = run([
      { type: "plan.ready", plan: samplePlan() },
      { type: "change.started", name: "db", action: "create", server: "aws", attempt: 1 },
      { type: "change.progress", name: "db", message: "IN_PROGRESS (poll 3)" },
      { type: "change.progress", name: "db", message: "IN_PROGRESS (poll 4)" },
    ]);
    expect(view.running).toEqual([
      {
        name: "db",
        action: "create",
        attempt: 1,
        type: "aws:rds:instance",
        progress: "IN_PROGRESS (poll 4)",
      },
    ]);
  });

  it("tracks changes in flight: started, retrying, then done or failed", () => {
    const started = run([
      { type: "plan.ready", plan: samplePlan() },
      { type: "change.started", name: "vpc", action: "create", server: "aws", attempt: 1 },
      { type: "change.started", name: "db", action: "create", server: "aws", attempt: 1 },
      {
        type: "change.retrying",
        name: "db",
        attempt: 1,
        delayMs: 200,
        error: { code: "THROTTLED", message: "slow down", retryable: true },
      },
    ]);
    expect(started.running).toEqual([
      { name: "vpc", action: "create", attempt: 1, type: "aws:vpc:vpc" },
      {
        name: "db",
        action: "create",
        attempt: 1,
        type: "aws:rds:instance",
        retrying: "THROTTLED: slow down; retrying in 200ms",
      },
    ]);
    const settled = [
      { type: "change.succeeded", name: "vpc", action: "create", durationMs: 1500 },
      { type: "change.started", name: "db", action: "create", server: "aws", attempt: 2 },
    ].reduce((view, event) => reduceEvent(view, event as RunEvent), started);
    expect(settled.running).toEqual([{ name: "db", action: "create", attempt: 2, type: "aws:rds:instance" }]);
    expect(texts(settled.entries)).toContain("✓ vpc created in 1.5s");
    const finished = reduceEvent(settled, {
      type: "apply.finished",
      outcome: "failed",
      succeeded: 1,
      failed: 1,
      skipped: 0,
      durationMs: 2000,
    });
    expect(finished.running).toEqual([]);
    expect(texts(finished.entries)).toContain("Apply failed: 1 succeeded, 1 failed, 0 skipped.");
  });

  it("logs planner.selected only when it differs from what the header says", () => {
    const same = run([{ type: "planner.selected", planner: "offline", description: "offline planner" }]);
    expect(same.entries).toHaveLength(1);
    const other = run([{ type: "planner.selected", planner: "memory", description: "memory reuse" }]);
    expect(texts(other.entries)).toEqual(["memory reuse"]);
  });

  it("says a blocking policy result and a rollback plainly", () => {
    const view = run([
      {
        type: "policy.findings",
        stage: "deployment",
        blocked: true,
        findings: [
          {
            policy: "baseline/database-not-public",
            enforcement: "mandatory",
            resource: "db",
            path: "properties.publiclyAccessible",
            message: "must be false",
          },
        ],
      },
      { type: "rollback.started", reason: "db failed", changes: 2 },
      { type: "rollback.change", name: "vpc", action: "delete", status: "succeeded" },
      { type: "rollback.finished", ok: true },
    ]);
    expect(texts(view.entries)).toEqual([
      "MANDATORY baseline/database-not-public db: properties.publiclyAccessible: must be false",
      "Blocked by mandatory policy (deployment).",
      "Rolling back 2 change(s) of this run (db failed)…",
      "  ↺ vpc: delete done",
      "Rollback complete.",
    ]);
  });

  it("gives every entry a new id, and /clear starts a new epoch with only the header", () => {
    const view = transcriptReducer(run([{ type: "notice", level: "warn", message: "careful" }]), {
      type: "append",
      entries: [{ kind: "goal", text: "a vpc" }],
    });
    expect(view.entries.map((entry) => entry.id)).toEqual([0, 1, 2]);
    expect(texts(view.entries)).toEqual(["Warning: careful"]);
    const cleared = transcriptReducer(view, { type: "clear" });
    expect(cleared.epoch).toBe(1);
    expect(cleared.entries).toEqual([{ kind: "header", id: 3 }]);
  });
});
