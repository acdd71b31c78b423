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
