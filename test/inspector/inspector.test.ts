import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { TOOL_NAMES } from "../../tools/protocol/index.ts";
import { ensureDockerEngine } from "../docker/engine.ts";
import { AGENT } from "../e2e/harness.ts";

/**
 * Drives each built-in provider with the MCP Inspector's CLI mode, a client we did not write, the
 * way its README says: `mcp-inspector --cli <command> <args> --method ...`. Everything runs over
 * stdio on this machine; the Inspector needs no network in CLI mode.
 */

const require = createRequire(import.meta.url);
const INSPECTOR_PACKAGE = require.resolve("@modelcontextprotocol/inspector/package.json");
const INSPECTOR_BIN = join(
  dirname(INSPECTOR_PACKAGE),
  (require(INSPECTOR_PACKAGE) as { bin: Record<string, string> }).bin["mcp-inspector"] ?? "cli/build/cli.js",
);

interface EnvelopeOut {
  success: boolean;
  data?: Record<string, unknown>;
  error?: { code: string; message: string; retryable: boolean };
  metadata: { timestamp: string; duration: number; server: string; version: string };
}

interface CallOut {
  content: { type: string; text: string }[];
  structuredContent: EnvelopeOut;
  isError?: boolean;
}

const workDirs: string[] = [];
afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the Inspector CLI against `agent provider NAME` and parses the one JSON document it prints. */
async function inspector<T>(
  provider: string,
  method: string[],
  env: Record<string, string> = {},
): Promise<T> {
  // Providers keep their worlds and records under the working folder: a fresh one per run.
  const cwd = mkdtempSync(join(tmpdir(), "mcp-iac-inspector-"));
  workDirs.push(cwd);
  // The Inspector gives the server only the environment it is told (-e), like any MCP client.
  const serverEnv = { DOCKER_PROVIDER_PULL: "never", ...env };
  const envFlags = Object.entries(serverEnv).flatMap(([key, value]) => ["-e", `${key}=${value}`]);
  const result = await execa(
    process.execPath,
    [
      INSPECTOR_BIN,
      "--cli",
      process.execPath,
      AGENT,
      "provider",
      provider,
      "--cwd",
      cwd,
      ...envFlags,
      ...method,
    ],
    {
      cwd,
      env: {
        // The launcher starts its CLI with the `node` on PATH: make that the Node running these tests.
        PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
        NO_COLOR: "1",
        // Its server catalog goes into the throwaway folder, not the user's home.
        MCP_CATALOG_PATH: join(cwd, "inspector-catalog.json"),
      },
      reject: false,
      stdin: "ignore",
      timeout: 60_000,
    },
  );
  // Exit 5 is the CLI saying the tool answered isError; the answer is still printed first.
  const toolError = result.exitCode === 5 && /tool_is_error/.test(`${result.stdout}${result.stderr}`);
  if (result.exitCode !== 0 && !toolError) {
    throw new Error(
      `inspector ${method.join(" ")} on ${provider} exited ${result.exitCode}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  try {
    return JSON.parse(firstJsonDocument(String(result.stdout))) as T;
  } catch {
    throw new Error(
      `inspector printed no JSON document:\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
    );
  }
}

async function toolNames(provider: string, env?: Record<string, string>): Promise<string[]> {
  const listed = await inspector<{ tools: { name: string; inputSchema: { type: string } }[] }>(
    provider,
    ["--method", "tools/list"],
    env,
  );
  for (const tool of listed.tools) expect(tool.inputSchema.type, tool.name).toBe("object");
  return listed.tools.map((tool) => tool.name);
}

async function callTool(
  provider: string,
  tool: string,
  args: Record<string, string> = {},
  env?: Record<string, string>,
): Promise<CallOut> {
  const toolArgs = Object.entries(args).flatMap(([key, value]) => ["--tool-arg", `${key}=${value}`]);
  return inspector<CallOut>(provider, ["--method", "tools/call", "--tool-name", tool, ...toolArgs], env);
}

/** The iac.mcp/v1 envelope, both as structured content and as the same JSON in text content. */
function expectEnvelope(result: CallOut, server: string): EnvelopeOut {
  const envelope = result.structuredContent;
  expect(envelope.metadata).toMatchObject({ server, version: expect.any(String) });
  expect(Number.isNaN(Date.parse(envelope.metadata.timestamp))).toBe(false);
  expect(result.content[0]?.type).toBe("text");
  expect(JSON.parse(result.content[0]?.text ?? "null")).toEqual(envelope);
  expect(result.isError ?? false).toBe(!envelope.success);
  return envelope;
}

async function describedTypes(provider: string, env?: Record<string, string>): Promise<string[]> {
  const envelope = expectEnvelope(await callTool(provider, "describeResourceTypes", {}, env), provider);
  expect(envelope.success).toBe(true);
  expect(envelope.data?.protocol).toBe("iac.mcp/v1");
  const types = envelope.data?.types as { type: string; properties: { type: string } }[];
  for (const info of types) expect(info.properties.type, info.type).toBe("object");
  return types.map((info) => info.type);
}

describe("the MCP Inspector CLI drives the mock provider", () => {
  it("lists the ten iac.mcp/v1 tools", async () => {
    expect((await toolNames("mock")).sort()).toEqual([...TOOL_NAMES].sort());
  });

  it("describes the sandbox catalog", async () => {
    const types = await describedTypes("mock");
    for (const type of [
      "opnsense:network:vlan",
      "aws:ec2:instance",
      "kubernetes:apps:deployment",
      "docker:container:run",
    ])
      expect(types).toContain(type);
  });

  it("validates a spec passed as a JSON tool argument", async () => {
    const resources = [
      { type: "opnsense:network:vlan", name: "good", properties: { tag: 150, interface: "igc2" } },
      { type: "opnsense:network:vlan", name: "bad", properties: { tag: 99999, interface: "igc2" } },
    ];
    const envelope = expectEnvelope(
      await callTool("mock", "validateConfig", { resources: JSON.stringify(resources) }),
      "mock",
    );
    expect(envelope.success).toBe(true);
    expect(envelope.data?.valid).toBe(false);
    expect(envelope.data?.issues).toEqual([
      expect.objectContaining({ resource: "bad", path: "properties.tag", severity: "error" }),
    ]);
  });

  it("sees a failed call as isError with the envelope's error", async () => {
    const result = await callTool("mock", "getResource", {
      type: "opnsense:network:vlan",
      id: "no-such-vlan",
    });
    const envelope = expectEnvelope(result, "mock");
    expect(envelope.success).toBe(false);
    expect(result.isError).toBe(true);
    expect(envelope.error?.code).toBe("NOT_FOUND");
  });
});

describe("the MCP Inspector CLI drives the local provider", () => {
  it("lists the ten iac.mcp/v1 tools", async () => {
    expect((await toolNames("local")).sort()).toEqual([...TOOL_NAMES].sort());
  });

  it("describes its types", async () => {
    const types = await describedTypes("local");
    expect(types).toEqual(expect.arrayContaining(["local:file:file", "local:process:service"]));
    expect(types.every((type) => type.startsWith("local:"))).toBe(true);
  });
});

describe("the MCP Inspector CLI drives the docker provider with no engine", () => {
  const offline = { DOCKER_HOST: "unix:///nonexistent/mcp-iac-inspector.sock" };

  it("lists its tools and describes its types offline", async () => {
    expect((await toolNames("docker", offline)).sort()).toEqual([...TOOL_NAMES].sort());
    expect((await describedTypes("docker", offline)).sort()).toEqual([
      "docker:container:run",
      "docker:image:build",
      "docker:network:create",
      "docker:volume:create",
    ]);
  });

  it("answers engine tools with a retryable UNAVAILABLE", async () => {
    const result = await callTool("docker", "listResources", {}, offline);
    const envelope = expectEnvelope(result, "docker");
    expect(envelope.success).toBe(false);
    expect(envelope.error).toMatchObject({ code: "UNAVAILABLE", retryable: true });
    expect(envelope.error?.message).toContain(offline.DOCKER_HOST);
  });
});

const engine = await ensureDockerEngine();
if ("skipped" in engine)
  console.warn(`inspector against the docker provider with an engine skipped: ${engine.skipped}`);

describe.skipIf("skipped" in engine)("the MCP Inspector CLI drives the docker provider on an engine", () => {
  afterAll(async () => {
    if (!("skipped" in engine)) await engine.stop();
  });

  it("lists resources of a deployment that does not exist as none", async () => {
    if ("skipped" in engine) return;
    const env = { DOCKER_HOST: engine.host };
    expect((await describedTypes("docker", env)).length).toBe(4);
    const envelope = expectEnvelope(
      await callTool(
        "docker",
        "listResources",
        { filter: JSON.stringify({ deploymentId: "inspector-nobody-has-this" }) },
        env,
      ),
      "docker",
    );
    expect(envelope.success).toBe(true);
    expect(envelope.data?.resources).toEqual([]);
  });
});

/** The first complete JSON value in a text (the CLI may print an error object after the result). */
function firstJsonDocument(text: string): string {
  const start = text.search(/[[{]/);
  if (start === -1) return text;
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === "\\") index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "{" || char === "[") depth++;
    else if (char === "}" || char === "]") {
      depth--;
      if (depth === 0) return text.slice(start, index + 1);
    }
  }
  return text;
}
