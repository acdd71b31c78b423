import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runConformanceCommand } from "./index.ts";

const PROVIDERS = join(import.meta.dirname, "../providers");
const MOCK = join(PROVIDERS, "mock/run.ts");
const DOCKER = join(PROVIDERS, "docker/run.ts");
const DOCKER_TYPES = [
  "docker:container:run",
  "docker:image:build",
  "docker:network:create",
  "docker:volume:create",
];

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

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
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
    "docker, all four types (skipped when no engine answers)",
    { timeout: 300_000 },
    async (context) => {
      const { ensureDockerEngine } = await import("../../test/docker/engine.ts");
      const { busyboxMissing, ensureLocalBusyboxImage } = await import("../../test/docker/busybox-image.ts");
      const missing = busyboxMissing();
      if (missing) {
        context.skip(`no busybox to build images from: ${missing}`);
        return;
      }
      const engine = await ensureDockerEngine();
      if ("skipped" in engine) {
        context.skip(`no Docker engine: ${engine.skipped}`);
        return;
      }
      cleanups.push(() => engine.stop());
      // The container examples run busybox:latest; tests never pull, so a stand-in is built FROM scratch.
      const busybox = await ensureLocalBusyboxImage(engine.host, "busybox:latest");
      cleanups.unshift(() => busybox.release());
      const before = { host: process.env.DOCKER_HOST, pull: process.env.DOCKER_PROVIDER_PULL };
      // The server inherits our environment, so this is the engine it talks to, and it never pulls.
      process.env.DOCKER_HOST = engine.host;
      process.env.DOCKER_PROVIDER_PULL = "never";
      try {
        const result = await runInTemp(folders, [], [process.execPath, DOCKER]);
        expect(result.stdout).not.toContain("✗");
        for (const type of DOCKER_TYPES) {
          expect(result.stdout).toContain(`✓ ${type}: create through planDeployment and applyDeployment`);
          expect(result.stdout).toContain(
            `✓ ${type}: destroyDeployment removes it and getResource answers NOT_FOUND`,
          );
        }
        // Image examples replace (images are immutable); container examples update restart in place.
        for (const type of ["docker:image:build", "docker:container:run"])
          expect(result.stdout).toContain(`✓ ${type}: an update to examples[1] round-trips`);
        expect(result.lastLine).toMatch(/^\d+ passed, 0 failed$/);
        expect(result.code).toBe(0);
      } finally {
        restoreEnv("DOCKER_HOST", before.host);
        restoreEnv("DOCKER_PROVIDER_PULL", before.pull);
      }
    },
  );
});
