import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runConformanceCommand } from "./index.ts";

const LOCAL = join(import.meta.dirname, "../providers/local/run.ts");
const TINY = join(import.meta.dirname, "fixtures/tiny-server.ts");

async function run(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runConformanceCommand(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr, lastLine: stdout.trimEnd().split("\n").at(-1) };
}

describe("runConformanceCommand", () => {
  const folders: string[] = [];
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  it("passes the local provider over stdio, inheriting the environment, and ends with the summary line", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "mcp-iac-conformance-cmd-"));
    folders.push(cwd);
    const stateDir = join(cwd, "state");
    // The child inherits our environment: the local provider must keep its record where this says.
    process.env.LOCAL_PROVIDER_STATE_DIR = stateDir;
    try {
      // The shell moves the provider into the temporary folder, where its example files go.
      const result = await run([
        "--",
        "/bin/sh",
        "-c",
        'cd "$0" && exec "$1" "$2"',
        cwd,
        process.execPath,
        LOCAL,
      ]);
      expect(result.stdout).not.toContain("✗");
      expect(result.lastLine).toMatch(/^\d+ passed, 0 failed$/);
      expect(result.code).toBe(0);
      const record = JSON.parse(await readFile(join(stateDir, "records.json"), "utf8"));
      expect(record.resources).toEqual([]);
    } finally {
      delete process.env.LOCAL_PROVIDER_STATE_DIR;
    }
  });

  it("fails a provider that finds bogus ids, naming the checks", async () => {
    const result = await run(["--type", "tiny:note:note", "--", process.execPath, TINY, "bogus-id-found"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("✗ tiny:note:note: getResource of a bogus id answers NOT_FOUND");
    expect(result.stdout).toMatch(/getResource of a bogus id succeeded/);
    expect(result.lastLine).toMatch(/^\d+ passed, 3 failed$/);
  });

  it("takes the command without a leading --", async () => {
    const result = await run([process.execPath, TINY]);
    expect(result.lastLine).toMatch(/^\d+ passed, 0 failed$/);
    expect(result.code).toBe(0);
  });

  it("reports a command that cannot start", async () => {
    const result = await run(["--", join(tmpdir(), "no-such-provider-binary")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ connect to the provider\n\s+could not start/);
    expect(result.lastLine).toBe("0 passed, 1 failed");
  });

  it("answers bad usage with exit code 2", async () => {
    expect((await run([])).code).toBe(2);
    const missingValue = await run(["--type"]);
    expect(missingValue.code).toBe(2);
    expect(missingValue.stderr).toMatch(/--type needs a value/);
  });
});
