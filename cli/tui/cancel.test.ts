import { render } from "ink-testing-library";
import React from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { GoalReport } from "../../agent/run.ts";
import { App } from "./app.ts";
import type { RunHooks, TuiSession } from "./session.ts";
import { nextTick, waitForFrame } from "./test-support.ts";

const h = React.createElement;

/** A session whose goal runs until its signal fires, then ends cancelled as runGoal does. */
function session(seen: { signal?: AbortSignal }): TuiSession {
  return {
    where: { sandbox: true, source: "sandbox", servers: ["aws"] },
    planner: "offline planner serves",
    stateStore: "file /tmp/state",
    autoApprove: false,
    memoryStore: "file /tmp/memory.json",
    runGoal: (goal: string, hooks: RunHooks) => {
      seen.signal = hooks.signal;
      hooks.onEvent({ type: "notice", level: "info", message: "working on it" });
      return new Promise<GoalReport>((resolve) => {
        hooks.signal?.addEventListener("abort", () =>
          resolve({
            goal,
            planner: { kind: "offline", description: "offline" },
            findings: { deployment: [], plan: [] },
            approved: false,
            attempts: [],
            recovery: [],
            modelCalls: [],
            tokens: { input: 0, output: 0, cached: 0 },
            outcome: "cancelled",
            reason: "cancelled before anything was applied",
            exitCode: 130,
          }),
        );
      });
    },
    listDeployments: async () => [],
    showDeployment: async () => undefined,
    listPatterns: async () => [],
    forgetPattern: async () => 0,
    describeProviders: async () => [],
    destroy: async () => ({ outcome: "nothing-to-do", destroyed: 0 }),
    allowDestroyOnce: () => {},
    close: async () => {},
  };
}

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
});

describe("Ctrl-C in the TUI", () => {
  it("while a run works cancels it and the prompt comes back; at the prompt it leaves", async () => {
    const seen: { signal?: AbortSignal } = {};
    const onExit = vi.fn();
    const instance = render(h(App, { session: session(seen), onExit }));
    unmount = instance.unmount;
    const { lastFrame, stdin } = instance;
    await waitForFrame(lastFrame, (frame) => frame.includes("› "), "the input line");
    await nextTick();
    stdin.write("a database please");
    await waitForFrame(lastFrame, (frame) => frame.includes("a database please"), "the goal typed");
    stdin.write("\r");
    await waitForFrame(lastFrame, (frame) => frame.includes("working on it"), "the run's first event");
    expect(seen.signal?.aborted).toBe(false);

    stdin.write("\u0003");
    const cancelled = await waitForFrame(
      lastFrame,
      (frame) => /^Cancelled: cancelled before anything was applied\.$/m.test(frame),
      "the cancelled outcome",
    );
    expect(seen.signal?.aborted).toBe(true);
    expect(cancelled).toContain("Cancelling: nothing new starts");
    expect(onExit).not.toHaveBeenCalled();
    await waitForFrame(
      lastFrame,
      (frame) => frame.includes("Describe what to deploy") && !frame.includes("Press Ctrl-C again"),
      "the prompt back",
    );
    await nextTick();

    stdin.write("\u0003");
    await vi.waitFor(() => expect(onExit).toHaveBeenCalledWith(0));
  });
});
