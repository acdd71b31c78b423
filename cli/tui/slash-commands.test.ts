import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSession, type TuiSession } from "./session.ts";
import { runSlashCommand } from "./slash-commands.ts";

let session: TuiSession | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

const lines = (action: Awaited<ReturnType<typeof runSlashCommand>>) =>
  action.type === "say" ? action.entries.map((entry) => (entry.kind === "line" ? entry.text : "")) : [];

describe("slash commands", () => {
  it("answer from a fresh sandbox session", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-iac-tui-"));
    session = await openSession({ global: { cwd: dir, json: false, yes: false }, env: {} });
    expect(lines(await runSlashCommand("/help", session))).toContain("/state    deployments in state");
    expect(lines(await runSlashCommand("/state", session))).toEqual([
      `No deployments in ${session.stateStore}.`,
    ]);
    expect(lines(await runSlashCommand("/memory", session))).toEqual([
      `No remembered patterns (${session.memoryStore}).`,
    ]);
    expect(await runSlashCommand("/clear", session)).toEqual({ type: "clear" });
    expect(await runSlashCommand("/EXIT", session)).toEqual({ type: "exit" });
    expect(lines(await runSlashCommand("/deploy now", session))).toEqual([
      "Unknown command /deploy now; /help lists the commands.",
    ]);
  });
});

describe("the README's slash commands, with their arguments", () => {
  it("/providers, /state NAME, /memory forget X, /allow-destroy and /destroy NAME", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-iac-tui-"));
    session = await openSession({ global: { cwd: dir, json: false, yes: false }, env: {} });
    const providers = lines(await runSlashCommand("/providers", session));
    expect(providers.find((line) => line.startsWith("opnsense"))).toMatch(/types: .*opnsense:network:vlan/);
    expect(providers).toHaveLength(4);

    // A deployment to show and destroy: a goal run, approved.
    const report = await session.runGoal("deploy a postgres database", {
      approve: async () => true,
      onEvent: () => {},
    });
    expect(report.outcome).toBe("succeeded");
    const name = report.spec!.name;
    const shown = lines(await runSlashCommand(`/state ${name}`, session));
    expect(shown[0]).toMatch(new RegExp(`^${name}: v\\d+, \\d+ resources`));
    expect(shown.join("\n")).toMatch(/aws:rds:instance/);
    expect(lines(await runSlashCommand("/state nope", session))[0]).toMatch(/^No deployment named nope/);

    const run = async (text: string, approve: boolean) => {
      const action = await runSlashCommand(text, session!);
      if (action.type !== "run") throw new Error(`${text} did not start a run`);
      const asked: string[] = [];
      const entries = await action.work({
        approve: async (plan) => {
          asked.push(plan.deployment);
          return approve;
        },
        onEvent: () => {},
      });
      return { asked, said: entries.map((entry) => (entry.kind === "line" ? entry.text : "")) };
    };
    // The database is stateful: blocked until /allow-destroy, then asked, then gone.
    const blocked = await run(`/destroy ${name}`, true);
    expect(blocked.asked).toEqual([]);
    expect(blocked.said[0]).toMatch(/^Blocked: .*Type \/allow-destroy/);
    expect(lines(await runSlashCommand("/allow-destroy", session))[0]).toMatch(/next run may delete/);
    const declined = await run(`/destroy ${name}`, false);
    expect(declined.asked).toEqual([name]);
    expect(declined.said).toEqual(["Not approved: nothing was deleted."]);
    // The allowance was spent by that run.
    expect((await run(`/destroy ${name}`, true)).said[0]).toMatch(/^Blocked/);
    await runSlashCommand("/allow-destroy", session);
    expect((await run(`/destroy ${name}`, true)).said[0]).toMatch(/^Destroyed \d+ resource\(s\)/);

    const patterns = await session.listPatterns();
    expect(patterns.length).toBeGreaterThan(0);
    const id = patterns[0]!.id.slice(0, 8);
    expect(lines(await runSlashCommand(`/memory forget ${id}`, session))).toEqual([
      `Forgot 1 pattern(s) matching ${id}.`,
    ]);
  });
});
