import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runConformanceCommand } from "./index.ts";

const PROVIDERS = join(import.meta.dirname, "../providers");
const MOCK = join(PROVIDERS, "mock/run.ts");
const DOCKER = join(PROVIDERS, "docker/run.ts");

/** Runs the command in a fresh temporary folder (where a provider's relative files and state go). */
async function runInTemp(folders: string[], argv: string[], server: string[]) {
  const cwd = await mkdtemp(join(tmpdir(), "mcp-iac-conformance-provider-"));
  folders.push(cwd);
  let stdout = "";
  const code = await runConformanceCommand(
    [...argv, "--", "/bin/sh", "-c", 'cd "$0" && exec "$@"', cwd, ...server],
    {
      stdout: (text) => {
        stdout += text;
      },
      stderr: () => {},
    },
  );
  return { code, stdout, lastLine: stdout.trimEnd().split("\n").at(-1) };
}

describe("the built-in providers pass the conformance kit over stdio", () => {
  const folders: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  it.skipIf(!existsSync(MOCK))("mock", { timeout: 300_000 }, async () => {
    const result = await runInTemp(folders, [], [process.execPath, MOCK]);
    expect(result.stdout).not.toContain("✗");
    expect(result.lastLine).toMatch(/^\d+ passed, 0 failed$/);
    expect(result.code).toBe(0);
  });

  it.skipIf(!existsSync(DOCKER))(
    "docker (network and volume types; skipped when no engine answers)",
    { timeout: 300_000 },
    async (context) => {
      const { ensureDockerEngine } = await import("../../test/docker/engine.ts");
      const engine = await ensureDockerEngine();
      if ("skipped" in engine) {
        context.skip(`no Docker engine: ${engine.skipped}`);
        return;
      }
      cleanups.push(() => engine.stop());
      const before = process.env.DOCKER_HOST;
      // The server inherits our environment, so this is the engine it talks to.
      process.env.DOCKER_HOST = engine.host;
      try {
        // The image and container examples need a build context and an image that only a registry has
        // (tests never pull), so the kit runs on the two self-contained types.
        const types = ["--type", "docker:network:create", "--type", "docker:volume:create"];
        const result = await runInTemp(folders, types, [process.execPath, DOCKER]);
        expect(result.stdout).not.toContain("✗");
        expect(result.stdout).toContain(
          "✓ docker:volume:create: destroyDeployment removes it and getResource answers NOT_FOUND",
        );
        expect(result.lastLine).toMatch(/^\d+ passed, 0 failed$/);
        expect(result.code).toBe(0);
      } finally {
        if (before === undefined) delete process.env.DOCKER_HOST;
        else process.env.DOCKER_HOST = before;
      }
    },
  );
});
