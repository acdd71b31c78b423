import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import React from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SANDBOX_PREFIXES } from "../../agent/config.ts";
import { scaled } from "../../test/timeouts.ts";
import { ProviderClients } from "../../tools/client/index.ts";
import type { ListedResource } from "../../tools/protocol/index.ts";
import { selfCommand } from "../workspace.ts";
import { App, INTERRUPTED } from "./app.ts";
import { openSession, type TuiSession } from "./session.ts";
import { nextTick, waitForFrame } from "./test-support.ts";

const h = React.createElement;
const GOAL = "Deploy a web application with load balancing and database";
// A first run spawns four provider processes; give it room on a slow machine.
const RUN_TIMEOUT = 45_000;

let session: TuiSession | undefined;
let unmount: (() => void) | undefined;
afterEach(async () => {
  unmount?.();
  unmount = undefined;
  await session?.close();
  session = undefined;
});

async function world(dir: string, deployment: string): Promise<ListedResource[]> {
  const clients = new ProviderClients(
    Object.fromEntries(SANDBOX_PREFIXES.map((prefix) => [prefix, { builtin: "mock" }])),
    { cwd: dir, builtinCommand: selfCommand() },
  );
  try {
    const all: ListedResource[] = [];
    for (const prefix of SANDBOX_PREFIXES) {
      const envelope = await clients.call(prefix, "listResources", { filter: { deploymentId: deployment } });
      all.push(...((envelope.data as { resources?: ListedResource[] } | undefined)?.resources ?? []));
    }
    return all;
  } finally {
    await clients.close();
  }
}

describe("the TUI app over the sandbox's real stdio mock providers and the offline planner", () => {
  it(
    "declines without applying, applies on y, lists state and memory, and exits on Ctrl-C",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "mcp-iac-tui-"));
      session = await openSession({ global: { cwd: dir, json: false, yes: false }, env: {} });
      const onExit = vi.fn();
      const instance = render(h(App, { session, onExit }));
      const { lastFrame, stdin } = instance;
      unmount = instance.unmount;
      const type = async (text: string) => {
        await waitForFrame(lastFrame, (frame) => frame.includes("› "), "the input line");
        stdin.write(text);
        await waitForFrame(
          lastFrame,
          (frame) => frame.includes(`›  ${text}`) || frame.includes(`› ${text}`),
          `"${text}" typed`,
        );
        stdin.write("\r");
      };

      const first = await waitForFrame(lastFrame, (frame) => frame.includes("mcp-iac"), "the header");
      expect(first).toContain("sandbox: mock providers");
      expect(first).toContain("offline planner serves");
      await nextTick();

      // 1. n declines: the run ends not approved, and state holds nothing (a refused run writes none).
      await type(GOAL);
      await waitForFrame(
        lastFrame,
        (frame) => frame.includes("Apply these changes? (y/yes or n)"),
        "the approval prompt",
        RUN_TIMEOUT,
      );
      const asked = lastFrame() ?? "";
      expect(asked).toContain(`› ${GOAL}`);
      expect(asked).toMatch(/^ {2}\+ {2}\S+ \(aws:rds:instance\)/m);
      expect(asked).toMatch(/^Plan: \d+ to add, 0 to change, 0 to replace, 0 to destroy\./m);
      stdin.write("n");
      await waitForFrame(
        lastFrame,
        (frame) => frame.includes("Not approved: nothing was applied."),
        "the not-approved outcome",
      );
      await type("/state");
      await waitForFrame(
        lastFrame,
        (frame) => frame.includes("No deployments in"),
        "no deployments in /state",
      );

      // 2. The same goal again; Ctrl-C while it waits only asks to confirm, and y approves.
      await type(GOAL);
      await waitForFrame(
        lastFrame,
        (frame) =>
          frame.split("Apply these changes? (y/yes or n)").length === 2 && frame.includes("Plan for"),
        "the second approval prompt",
        RUN_TIMEOUT,
      );
      stdin.write("\u0003");
      await waitForFrame(
        lastFrame,
        (frame) => frame.includes("Press Ctrl-C again to exit"),
        "the exit confirmation",
      );
      expect(onExit).not.toHaveBeenCalled();
      stdin.write("y");
      const done = await waitForFrame(
        lastFrame,
        (frame) => /^Done\.$/m.test(frame),
        "the Done outcome",
        RUN_TIMEOUT,
      );
      expect(done).toContain("Approved.");
      expect(done).toMatch(/^✓ \S+ created in /m);
      expect(done).toContain("Apply complete:");
      expect(done).not.toContain("Press Ctrl-C again to exit");
      expect(onExit).not.toHaveBeenCalled();

      // The world holds what the plan said, and state and memory say so too.
      const [deployment] = await session.listDeployments();
      expect(deployment).toBeDefined();
      const resources = await world(dir, deployment!.name);
      expect(resources.map((resource) => resource.type)).toEqual(
        expect.arrayContaining(["aws:rds:instance", "aws:vpc:vpc"]),
      );
      expect(resources.length).toBe(deployment!.resources);

      await type("/state");
      await waitForFrame(
        lastFrame,
        (frame) => new RegExp(`^${deployment!.name} +${deployment!.resources} resources`, "m").test(frame),
        "the deployment in /state",
      );
      await type("/memory");
      await waitForFrame(
        lastFrame,
        (frame) => /^pat-\S+ +\S+ +used 1× {2}"Deploy a web application/m.test(frame),
        "the pattern in /memory",
      );

      // 3. Mid-run, a second Ctrl-C leaves (130); the run still waiting is then declined by n.
      await type("a postgres database");
      await waitForFrame(
        lastFrame,
        (frame) => frame.includes("Apply these changes? (y/yes or n)"),
        "the third approval prompt",
        RUN_TIMEOUT,
      );
      stdin.write("\u0003");
      await waitForFrame(
        lastFrame,
        (frame) => frame.includes("Press Ctrl-C again to exit"),
        "the exit confirmation",
      );
      stdin.write("\u0003");
      await vi.waitFor(() => expect(onExit).toHaveBeenCalledWith(INTERRUPTED), { timeout: scaled(5000) });
      stdin.write("n");
      await waitForFrame(
        lastFrame,
        (frame) => frame.split("Not approved: nothing was applied.").length === 3,
        "the second not-approved outcome",
      );

      // Idle, Ctrl-C leaves at once.
      stdin.write("\u0003");
      await vi.waitFor(() => expect(onExit).toHaveBeenLastCalledWith(0), { timeout: scaled(5000) });
      expect(onExit).toHaveBeenCalledTimes(2);
    },
    scaled(180_000),
  );
});
