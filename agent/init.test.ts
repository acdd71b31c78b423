import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ensureDockerEngine } from "../test/docker/engine.ts";
import { loadConfig } from "./config.ts";
import { IacError } from "./errors.ts";
import { INIT_CONFIG_FILE, initConfig, initSummary } from "./init.ts";

// A socket path nothing listens on: connecting fails at once, as with an engine that is not running.
const NOWHERE = "unix:///nonexistent/mcp-iac-init-test.sock";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-init-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** What a user does by hand: uncomment the stanza for `server` and delete its mock line. */
function uncommentStanza(content: string, server: string): string {
  const lines = content.split("\n");
  const start = lines.indexOf(`  # ${server}:`);
  expect(start, `a commented ${server} stanza`).toBeGreaterThan(0);
  let end = start + 1;
  while (lines[end]?.startsWith("  #   ")) end++;
  const stanza = lines.slice(start, end).map((line) => line.replace(/^ {2}# /, "  "));
  const rest = [...lines.slice(0, start), ...stanza, ...lines.slice(end)];
  return rest.filter((line) => line !== `  ${server}: { builtin: mock }`).join("\n");
}

describe("agent init without a Docker engine", () => {
  it("keeps the mock for docker, says why, and the file loads", async () => {
    const cwd = tempDir();
    const result = await initConfig({ cwd, dockerHost: NOWHERE });
    expect(result).toMatchObject({
      file: join(cwd, INIT_CONFIG_FILE),
      written: true,
      dockerAnswers: false,
      dockerWhere: NOWHERE,
    });
    expect(result.dockerProblem).toBeTruthy();
    expect(readFileSync(result.file, "utf8")).toBe(result.content);
    expect(result.content).toContain(`No Docker engine answered at ${NOWHERE}`);
    expect(result.content).toContain("# docker: { builtin: docker }");

    const loaded = loadConfig({ cwd });
    expect(loaded.sandbox).toBe(false);
    expect(loaded.source).toBe(result.file);
    expect(loaded.config).toEqual({
      mcpServers: {
        docker: { builtin: "mock" },
        local: { builtin: "local" },
        opnsense: { builtin: "mock" },
        aws: { builtin: "mock" },
        kubernetes: { builtin: "mock" },
      },
      policies: ["builtin:baseline"],
      state: { backend: "file" },
    });
    expect(initSummary(result).join("\n")).toContain(`no Docker engine answers at ${NOWHERE}`);
  });

  it("follows DOCKER_HOST when no host is passed", async () => {
    const cwd = tempDir();
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = NOWHERE;
    try {
      const result = await initConfig({ cwd, dryRun: true });
      expect(result.dockerWhere).toBe(NOWHERE);
      expect(result.dockerAnswers).toBe(false);
      expect(result.written).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  it("serves kubernetes with the real provider when KUBECONFIG names a kubeconfig", async () => {
    const cwd = tempDir();
    const kubeconfig = join(cwd, "kubeconfig");
    writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\n");
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = kubeconfig;
    try {
      const result = await initConfig({ cwd, dockerHost: NOWHERE });
      expect(result.content).toContain(`A kubeconfig was found (${kubeconfig})`);
      expect(loadConfig({ cwd }).config.mcpServers.kubernetes).toEqual({ builtin: "kubernetes" });
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  it("leaves stanzas for OPNsense, AWS and Kubernetes that load once uncommented", async () => {
    const cwd = tempDir();
    const { content, file } = await initConfig({ cwd, dockerHost: NOWHERE });
    const expected = {
      opnsense: {
        command: "opnsense-iac-mcp",
        env: {
          OPNSENSE_URL: "https://fw.lan",
          OPNSENSE_API_KEY: "your-api-key",
          OPNSENSE_API_SECRET: "your-api-secret",
        },
      },
      aws: { builtin: "aws", env: { AWS_PROFILE: "default", AWS_REGION: "eu-central-1" } },
      kubernetes: { builtin: "kubernetes", env: { KUBECONFIG: "/home/you/.kube/config" } },
    };
    for (const [server, entry] of Object.entries(expected)) {
      writeFileSync(file, uncommentStanza(content, server));
      expect(loadConfig({ cwd }).config.mcpServers[server], server).toEqual(entry);
    }
  });

  it("leaves model lines that load once uncommented", async () => {
    const cwd = tempDir();
    const { content, file } = await initConfig({ cwd, dockerHost: NOWHERE });
    const modelLines = content.split("\n").filter((line) => line.startsWith("# model: "));
    expect(modelLines).toHaveLength(3);
    const models = modelLines.map((line) => {
      writeFileSync(file, content.replace(line, line.slice(2)));
      return loadConfig({ cwd }).config.model;
    });
    expect(models).toEqual([
      { provider: "anthropic", name: "claude-sonnet-4-6" },
      { provider: "openai", name: "gpt-4.1" },
      { provider: "openai", name: "llama3.1", baseURL: "http://127.0.0.1:11434/v1" },
    ]);
  });

  it("refuses to overwrite a config unless forced", async () => {
    const cwd = tempDir();
    const file = join(cwd, INIT_CONFIG_FILE);
    writeFileSync(file, "mcpServers: { docker: { builtin: mock } }\n");
    const refused = await initConfig({ cwd, dockerHost: NOWHERE }).catch((error: unknown) => error);
    expect(IacError.isInstance(refused)).toBe(true);
    expect(refused).toMatchObject({ code: "CONFIG_EXISTS", exitCode: 2 });
    expect((refused as IacError).message).toContain(file);
    expect((refused as IacError).hint).toContain("--force");
    expect(readFileSync(file, "utf8")).toBe("mcpServers: { docker: { builtin: mock } }\n");

    const forced = await initConfig({ cwd, dockerHost: NOWHERE, force: true });
    expect(forced.written).toBe(true);
    expect(readFileSync(file, "utf8")).toBe(forced.content);
  });

  it("refuses, even forced, when another config file name already configures the folder", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "mcp-iac.config.json"), '{"mcpServers":{"docker":{"builtin":"mock"}}}');
    const refused = await initConfig({ cwd, dockerHost: NOWHERE, force: true }).catch(
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: "CONFIG_EXISTS", exitCode: 2 });
    expect((refused as IacError).hint).toContain("mcp-iac.config.json");
    expect(loadConfig({ cwd }).source).toBe(join(cwd, "mcp-iac.config.json"));
  });

  it("says plainly when the folder cannot be written", async () => {
    const missing = join(tempDir(), "no", "such", "folder");
    await expect(initConfig({ cwd: missing, dockerHost: NOWHERE })).rejects.toMatchObject({
      code: "INIT_WRITE_FAILED",
      exitCode: 2,
    });
  });
});

const engine = await ensureDockerEngine();
if ("skipped" in engine) console.warn(`agent init with a Docker engine skipped: ${engine.skipped}`);

describe.skipIf("skipped" in engine)("agent init with a Docker engine", () => {
  afterAll(async () => {
    if (!("skipped" in engine)) await engine.stop();
  });

  it("mounts the real Docker provider, pinned to the engine that answered", async () => {
    if ("skipped" in engine) return;
    const cwd = tempDir();
    const result = await initConfig({ cwd, dockerHost: engine.host });
    expect(result).toMatchObject({ dockerAnswers: true, dockerWhere: engine.host, written: true });
    expect(result.dockerProblem).toBeUndefined();
    const { config } = loadConfig({ cwd });
    const expectedDocker =
      engine.host === "unix:///var/run/docker.sock"
        ? { builtin: "docker" }
        : { builtin: "docker", env: { DOCKER_HOST: engine.host } };
    expect(config.mcpServers.docker).toEqual(expectedDocker);
    expect(config.mcpServers.local).toEqual({ builtin: "local" });
    for (const prefix of ["opnsense", "aws", "kubernetes"])
      expect(config.mcpServers[prefix], prefix).toEqual({ builtin: "mock" });
    expect(initSummary(result).join("\n")).toContain("the real Docker provider");
  });
});
