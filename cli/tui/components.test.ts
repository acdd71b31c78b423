import { render } from "ink-testing-library";
import React from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RunEvent } from "../../agent/events.ts";
import { selectModel } from "../../agent/llm/select.ts";
import { ApprovalPrompt } from "./approval-prompt.ts";
import { Header } from "./header.ts";
import { InputLine } from "./input-line.ts";
import { Log } from "./log.ts";
import { Progress } from "./progress.ts";
import { nextTick, samplePlan, waitForFrame } from "./test-support.ts";
import { initialTranscript, reduceEvent } from "./transcript.ts";

const h = React.createElement;
const offline = selectModel(undefined, {}, {}).description;
const sandbox = { sandbox: true, source: "sandbox", servers: ["opnsense", "aws", "kubernetes", "docker"] };
const header = { where: sandbox, planner: offline, stateStore: "file /tmp/x/.mcp-iac/state" };

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
});

function mount(tree: React.ReactElement) {
  const instance = render(tree);
  unmount = instance.unmount;
  return instance;
}

describe("Header", () => {
  it("says the sandbox serves and which planner plans", () => {
    const frame = mount(h(Header, header)).lastFrame() ?? "";
    expect(frame).toContain("sandbox: mock providers (opnsense, aws, kubernetes, docker), nothing real");
    expect(frame).toContain("offline planner serves");
    expect(frame).toContain("file /tmp/x/.mcp-iac/state");
  });

  it("names the config file when one is used", () => {
    const where = { sandbox: false, source: "/srv/mcp-iac.config.yaml", servers: ["docker"] };
    const frame = mount(h(Header, { ...header, where })).lastFrame() ?? "";
    expect(frame).toContain("config /srv/mcp-iac.config.yaml (docker)");
    expect(frame).not.toContain("sandbox");
  });
});

describe("Log", () => {
  it("shows a run's events as lines: plan, progress, retries, failures, recovery", () => {
    const plan = samplePlan();
    const events: RunEvent[] = [
      { type: "planner.selected", planner: "offline", description: offline },
      { type: "planner.understood", summary: "Understood: a VPC and a database." },
      {
        type: "policy.findings",
        stage: "deployment",
        blocked: false,
        findings: [
          { policy: "baseline/tags", enforcement: "advisory", resource: "vpc", message: "add an owner tag" },
        ],
      },
      { type: "plan.ready", plan },
      { type: "apply.started", total: 2, parallelism: 4 },
      { type: "change.started", name: "vpc", action: "create", server: "aws", attempt: 1 },
      { type: "change.succeeded", name: "vpc", action: "create", id: "vpc-1", durationMs: 12 },
      {
        type: "change.retrying",
        name: "db",
        attempt: 1,
        delayMs: 1500,
        error: { code: "THROTTLED", message: "slow down", retryable: true },
      },
      {
        type: "change.failed",
        name: "db",
        action: "create",
        error: { code: "QUOTA_EXCEEDED", message: "DB instance quota reached", retryable: false },
      },
      { type: "recovery.decision", attempt: 1, action: "rollback", reason: "quota", by: "rules" },
    ];
    const transcript = events.reduce(reduceEvent, initialTranscript(offline));
    const frame = mount(h(Log, { entries: transcript.entries, epoch: 0, header })).lastFrame() ?? "";
    const lines = frame.split("\n").map((line) => line.trimEnd());
    // The header's planner is not repeated by planner.selected.
    expect(frame.split("offline planner serves").length).toBe(2);
    expect(lines).toContain("Understood: a VPC and a database.");
    expect(lines).toContain("advisory baseline/tags vpc: add an owner tag");
    expect(lines).toContain("Plan for shop:");
    expect(lines).toContain("  +  vpc (aws:vpc:vpc)");
    expect(lines).toContain("  +  db (aws:rds:instance)  [risk medium: stateful]");
    expect(frame).not.toContain("dns (opnsense:dns:override)");
    expect(lines).toContain(
      "Plan: 2 to add, 0 to change, 0 to replace, 0 to destroy. Risk: 1 touching stateful resources.",
    );
    expect(lines).toContain("✓ vpc created in 12ms [id=vpc-1]");
    expect(lines).toContain("↻ db: THROTTLED: slow down; retrying in 1.5s");
    expect(lines).toContain("✗ db: QUOTA_EXCEEDED: DB instance quota reached");
    expect(lines).toContain("Recovery 1 (rules): rollback — quota");
  });
});

describe("Progress", () => {
  it("shows a spinner line per change in flight, with its type and retry note", () => {
    const frame =
      mount(
        h(Progress, {
          goal: "a database",
          running: [
            { name: "vpc", action: "create", type: "aws:vpc:vpc", attempt: 1 },
            { name: "db", action: "replace", attempt: 2, retrying: "THROTTLED: slow down" },
          ],
        }),
      ).lastFrame() ?? "";
    expect(frame).toMatch(/^. Creating vpc \(aws:vpc:vpc\)$/m);
    expect(frame).toMatch(/^. Replacing db attempt 2 — THROTTLED: slow down$/m);
  });

  it("shows the goal while nothing is applied yet", () => {
    const frame = mount(h(Progress, { goal: "a database", running: [] })).lastFrame() ?? "";
    expect(frame).toMatch(/^. Working on "a database"…$/m);
  });
});

describe("ApprovalPrompt", () => {
  for (const [key, name, approved] of [
    ["y", "y", true],
    ["n", "n", false],
    ["\u001b", "Esc", false],
  ] as const) {
    it(`answers ${approved} on ${name}`, async () => {
      const onAnswer = vi.fn();
      const { lastFrame, stdin } = mount(h(ApprovalPrompt, { plan: samplePlan(), onAnswer }));
      const frame = lastFrame() ?? "";
      expect(frame).toContain("Deployment shop — Plan: 2 to add, 0 to change, 0 to replace, 0 to destroy.");
      expect(frame).toContain("Apply these changes? (y/yes or n)");
      await nextTick();
      stdin.write(key);
      await vi.waitFor(() => expect(onAnswer).toHaveBeenCalledTimes(1), { timeout: 5000 });
      expect(onAnswer).toHaveBeenCalledWith(approved);
    });
  }

  it("ignores other keys, and d asks for the full plan", async () => {
    const onAnswer = vi.fn();
    const onDetails = vi.fn();
    const { stdin, lastFrame } = mount(h(ApprovalPrompt, { plan: samplePlan(), onAnswer, onDetails }));
    expect(lastFrame()).toContain("d shows the full plan");
    await nextTick();
    stdin.write("x");
    stdin.write("d");
    await vi.waitFor(() => expect(onDetails).toHaveBeenCalledTimes(1), { timeout: 5000 });
    expect(onAnswer).not.toHaveBeenCalled();
  });
});

describe("InputLine", () => {
  it("edits a line and sends it on Enter, trimmed", async () => {
    const onSubmit = vi.fn();
    const { lastFrame, stdin } = mount(h(InputLine, { onSubmit, placeholder: "Describe what to deploy" }));
    expect(lastFrame()).toContain("Describe what to deploy");
    await nextTick();
    stdin.write(" a web ap");
    stdin.write("x");
    stdin.write("\u007f");
    stdin.write("p ");
    await waitForFrame(lastFrame, (frame) => frame.trimEnd().endsWith("›  a web app"), "the typed text");
    stdin.write("\r");
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledWith("a web app"), { timeout: 5000 });
    await waitForFrame(
      lastFrame,
      (frame) => frame.includes("Describe what to deploy"),
      "an empty line again",
    );
  });

  it("sends a chunk that ends in Enter, as fast typing brings it", async () => {
    const onSubmit = vi.fn();
    const { stdin } = mount(h(InputLine, { onSubmit }));
    await nextTick();
    stdin.write("a web\napp\r");
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledWith("a web app"), { timeout: 5000 });
  });

  it("sends nothing for an empty line, and Esc clears", async () => {
    const onSubmit = vi.fn();
    const { lastFrame, stdin } = mount(h(InputLine, { onSubmit }));
    await nextTick();
    stdin.write("oops");
    await waitForFrame(lastFrame, (frame) => frame.includes("oops"), "the typed text");
    stdin.write("\u001b");
    await waitForFrame(lastFrame, (frame) => !frame.includes("oops"), "the cleared line");
    stdin.write("\r");
    stdin.write("   ");
    stdin.write("\r");
    await nextTick();
    expect(onSubmit).not.toHaveBeenCalled();
  });
});
