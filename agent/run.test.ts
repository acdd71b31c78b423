import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../memory/index.ts";
import { loadPolicies } from "../policies/index.ts";
import { createMockProvider } from "../tools/providers/mock/provider.ts";
import { inProcessGateway } from "./engine/in-process-gateway.ts";
import { type StampedEvent, stampEvents } from "./events.ts";
import { createScriptedModel } from "./llm/scripted.ts";
import type { LanguageModel } from "./llm/types.ts";
import { type GoalRequest, runGoal } from "./run.ts";
import { SecretScrubber } from "./secrets.ts";
import { createFileBackend } from "./state/index.ts";

const PREFIXES = ["opnsense", "aws", "kubernetes", "docker"];
const GOAL = "a postgres database";

/** runGoal over in-process mock providers, file state and memory in a fresh folder. */
async function run(
  request: Partial<GoalRequest> & {
    model?: LanguageModel;
    mockEnv?: Record<string, string>;
    onEvent?: (event: StampedEvent) => void;
  } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-run-"));
  const mocks = new Map(
    PREFIXES.map((prefix) => [
      prefix,
      createMockProvider({
        env: request.mockEnv ?? {},
        mountName: prefix,
        worldFile: join(dir, `${prefix}.world.json`),
      }),
    ]),
  );
  const events: StampedEvent[] = [];
  const state = createFileBackend(join(dir, ".mcp-iac"));
  const memory = createMemoryStore({ file: join(dir, "memory.json") });
  const { model, mockEnv: _mockEnv, onEvent, ...rest } = request;
  try {
    const report = await runGoal(
      {
        workspace: {
          gateway: inProcessGateway(mocks),
          state,
          emit: stampEvents((event) => {
            events.push(event);
            onEvent?.(event);
          }),
        },
        servers: PREFIXES,
        policies: await loadPolicies(["builtin:baseline"], { cwd: dir }),
        memory,
        model,
        modelDescription: model ? "scripted" : "offline planner",
        scrubber: new SecretScrubber(),
      },
      { goal: GOAL, approve: async () => true, ...rest },
    );
    const stored = await Promise.all((await state.list()).map((entry) => state.read(entry.name)));
    return { report, events, deployments: await state.list(), stored };
  } finally {
    await memory.close();
  }
}

describe("runGoal with an AbortSignal", () => {
  it("a signal already aborted: the run ends cancelled (exit 130) before planning, state untouched", async () => {
    const controller = new AbortController();
    controller.abort();
    const { report, events, deployments } = await run({ signal: controller.signal });
    expect(report.outcome).toBe("cancelled");
    expect(report.exitCode).toBe(130);
    expect(report.plan).toBeUndefined();
    expect(events.some((event) => event.type === "plan.ready")).toBe(false);
    expect(deployments).toEqual([]);
  });

  it("a cancel while approval is asked: nothing applied, no state written, the run ends cancelled", async () => {
    const controller = new AbortController();
    const { report, events, deployments } = await run({
      signal: controller.signal,
      // The person presses Ctrl-C instead of answering: the question is never answered.
      approve: () => {
        controller.abort();
        return new Promise<boolean>(() => {});
      },
    });
    expect(report.outcome).toBe("cancelled");
    expect(report.reason).toMatch(/^cancelled/);
    expect(report.plan?.changes.length).toBeGreaterThan(0);
    expect(report.attempts).toEqual([]);
    expect(events.some((event) => event.type === "apply.started")).toBe(false);
    expect(deployments).toEqual([]);
  });

  it("a cancel mid-apply: in-flight changes finish and are recorded, nothing new starts, state holds what exists", async () => {
    const controller = new AbortController();
    let startedAfterAbort = 0;
    const { report, events, stored } = await run({
      goal: "deploy a web app with a load balancer and a postgres database",
      parallelism: 1,
      mockEnv: { MOCK_LATENCY_MS: "20" },
      onEvent: (event) => {
        if (controller.signal.aborted && event.type === "change.started") startedAfterAbort++;
        if (event.type === "change.succeeded") controller.abort();
      },
      signal: controller.signal,
    });
    expect(report.outcome).toBe("cancelled");
    expect(report.exitCode).toBe(130);
    expect(startedAfterAbort).toBe(0);
    const created = events.filter((event) => event.type === "change.succeeded").map((event) => event.name);
    expect(created).toHaveLength(1);
    expect(report.plan!.changes.length).toBeGreaterThan(created.length);
    // State equals what the providers made: the one finished create, and nothing pending.
    const document = stored[0]!;
    expect(Object.keys(document.resources)).toEqual(created);
    expect(Object.keys(document.pending ?? {})).toEqual([]);
  });

  it("without a cancel the same goal applies (the cancel above is what stopped it)", async () => {
    const { report, deployments } = await run();
    expect(report.outcome).toBe("succeeded");
    expect(deployments).toHaveLength(1);
  });
});

describe("the run's events", () => {
  it("are numbered 1, 2, 3… and timed by the sink, whichever layer emitted them", async () => {
    const { events } = await run({ dryRun: true });
    expect(events.length).toBeGreaterThan(3);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    for (const event of events) expect(Number.isNaN(Date.parse(event.ts))).toBe(false);
  });

  it("carry the planner's look-ups, nudges and model calls as kinds of the one union", async () => {
    const spec = {
      name: "db",
      resources: [
        {
          type: "aws:rds:instance",
          name: "db",
          properties: {
            engine: "postgres",
            instanceClass: "db.t3.micro",
            allocatedStorage: 20,
            backupRetentionDays: 7,
            publiclyAccessible: false,
          },
        },
      ],
    };
    const model = createScriptedModel([
      { content: [{ type: "text", text: "A database, then." }], stopReason: "end" },
      {
        content: [
          {
            type: "tool_call",
            id: "c1",
            name: "describe_resource_types",
            input: { types: ["aws:rds:instance"] },
          },
        ],
        stopReason: "tool_use",
      },
      {
        content: [{ type: "tool_call", id: "c2", name: "submit_deployment", input: { spec } }],
        stopReason: "tool_use",
      },
    ]);
    const { report, events } = await run({ model, dryRun: true });
    expect(report.outcome).toBe("planned");
    const kinds = events.map((event) => event.type);
    expect(kinds).toContain("planner.nudge");
    expect(events).toContainEqual(
      expect.objectContaining({ type: "planner.tool", name: "describe_resource_types", isError: false }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ type: "planner.submission", attempt: 1, accepted: true, messages: [] }),
    );
    const calls = events.filter((event) => event.type === "model.call");
    expect(calls).toHaveLength(3);
    expect(calls.map((call) => call.turn)).toEqual([1, 2, 3]);
    expect(calls[0]).toMatchObject({ provider: "scripted", purpose: "plan", prompt: expect.any(String) });
    expect(report.modelCalls).toHaveLength(3);
  });
});
