import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { scaled } from "../timeouts.ts";
import { AGENT, tempProject, worldResources } from "./harness.ts";

const hasScript = await new Promise<boolean>((resolve) => {
  const probe = spawn("script", ["--version"], { stdio: "ignore" });
  probe.on("error", () => resolve(false));
  probe.on("exit", (code) => resolve(code === 0));
});

/**
 * The environment of a person at a terminal. Ink draws only static output when it sees CI set (as
 * .ci/run does), so the TUI under test must not inherit it.
 */
function personAtTerminal(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "" };
  delete env["CI"];
  delete env["CONTINUOUS_INTEGRATION"];
  return env;
}

/** Text as a person sees it: escape sequences and carriage returns removed. */
const ESCAPE_SEQUENCE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[a-zA-Z]`, "g");
const visible = (raw: string) => raw.replace(ESCAPE_SEQUENCE, "").replace(/\r/g, "");

describe.skipIf(!hasScript)("the TUI in a real pseudo-terminal (util-linux script)", () => {
  it("takes a goal, asks for approval, applies on y, and exits on Ctrl-C", {
    timeout: scaled(120_000),
  }, async () => {
    const dir = tempProject();
    const child = spawn(
      "script",
      ["-qfc", `stty cols 120 rows 40; "${process.execPath}" "${AGENT}"`, "/dev/null"],
      {
        cwd: dir,
        env: personAtTerminal(),
        stdio: ["pipe", "pipe", "pipe"],
        // Its own process group, so a failed test can stop script and the agent under it together.
        detached: true,
      },
    );
    let screen = "";
    child.stdout.on("data", (chunk: Buffer) => {
      screen += visible(chunk.toString());
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const waitFor = async (text: string | RegExp, what: string) => {
      const deadline = Date.now() + 45_000;
      while (!(typeof text === "string" ? screen.includes(text) : text.test(screen))) {
        if (Date.now() > deadline)
          throw new Error(`the TUI never showed ${what}; last screen:\n${screen.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await waitFor("Describe what to deploy", "its input line");
      expect(screen).toMatch(/sandbox/i);
      child.stdin.write("deploy a dns override pointing app.example.lan at 10.0.0.5\r");
      await waitFor("Apply these changes? (y/yes or n)", "the approval prompt");
      child.stdin.write("y");
      await waitFor("Done.", "the outcome");
      child.stdin.write("\x03");
      expect(await exited).toBe(0);
    } finally {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    const world = await worldResources(dir, "dns-override");
    expect(world.map((entry) => entry.type)).toEqual(["opnsense:service:dns:override"]);
  });
});
