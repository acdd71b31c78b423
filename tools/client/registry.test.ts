import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ClientsClosedError,
  ProviderClients,
  ProviderUnavailableError,
  type ServerEntry,
  UnknownServerError,
  UnknownTypeError,
} from "./index.ts";
import { clientOptions, fixtureEntry, isAlive, spawned } from "./test-helpers.ts";

let dir: string;
let log: string;
const open: ProviderClients[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mcp-iac-client-"));
  log = join(dir, "spawn.log");
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((clients) => clients.close()));
  rmSync(dir, { recursive: true, force: true });
});

function clients(servers: Record<string, ServerEntry>, options = clientOptions()): ProviderClients {
  const created = new ProviderClients(servers, options);
  open.push(created);
  return created;
}

function logged(env: Record<string, string> = {}): ServerEntry {
  return fixtureEntry({ FIXTURE_SPAWN_LOG: log, ...env });
}

async function failure(promise: Promise<unknown>): Promise<ProviderUnavailableError> {
  try {
    await promise;
  } catch (error) {
    if (ProviderUnavailableError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a ProviderUnavailableError");
}

async function pidOf(providers: ProviderClients, server: string): Promise<number> {
  const envelope = await providers.call(server, "getResource", { type: `${server}:thing:item`, id: "pid" });
  return envelope.data?.outputs["pid"] as number;
}

describe("ProviderClients over stdio", () => {
  it("starts a server only when first needed, once, even for concurrent callers", async () => {
    const providers = clients({ alpha: logged(), beta: logged() });
    expect(await providers.serverFor("alpha:thing:item")).toBe("alpha");
    expect(spawned(log)).toEqual([]);
    expect(providers.listServers().map((info) => [info.name, info.started])).toEqual([
      ["alpha", false],
      ["beta", false],
    ]);

    const [first, second] = await Promise.all([
      providers.call("alpha", "listResources", {}),
      providers.call("alpha", "describeResourceTypes", {}),
    ]);
    expect(first.success && second.success).toBe(true);
    expect(second.data?.types.map((info) => info.type)).toEqual(["alpha:thing:item"]);
    expect(spawned(log)).toEqual(["alpha"]);
    expect(providers.listServers().find((info) => info.name === "alpha")?.started).toBe(true);
  });

  it("routes by prefix, falls back to describeResourceTypes, and names an unserved type", async () => {
    const providers = clients({
      alpha: logged(),
      legacy: logged({ FIXTURE_EXTRA_TYPES: "custom:widget:part" }),
    });
    expect(await providers.serverFor("alpha:anything:at-all")).toBe("alpha");
    expect(await providers.serverFor("custom:widget:part")).toBe("legacy");
    // Fallback asks servers in config order: alpha, then legacy.
    expect(spawned(log)).toEqual(["alpha", "legacy"]);

    const error = await providers.serverFor("nope:x:y").then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(UnknownTypeError.isInstance(error)).toBe(true);
    expect((error as UnknownTypeError).message).toContain("nope:x:y");
    expect((error as UnknownTypeError).message).toContain("configured: alpha, legacy");
    expect(() => providers.pidOf("gamma")).toThrow(UnknownServerError);
  });

  it("returns a provider-reported failure as an envelope, not an exception", async () => {
    const providers = clients({ alpha: logged() });
    const envelope = await providers.call("alpha", "getResource", { type: "alpha:thing:item", id: "fail" });
    expect(envelope.success).toBe(false);
    expect(envelope.error).toEqual({ code: "THROTTLED", message: "slow down", retryable: true });
    expect(envelope.metadata.server).toBe("alpha");

    const missing = await providers.call("alpha", "getResource", { type: "alpha:thing:item", id: "none" });
    expect(missing.error?.code).toBe("NOT_FOUND");
  });

  it("validates data and applies the protocol's defaults on success", async () => {
    const providers = clients({ alpha: logged() });
    const plan = await providers.call("alpha", "planDeployment", {
      deploymentId: "d1",
      resources: [{ type: "alpha:thing:item", name: "one", properties: { size: 2 } }],
    });
    expect(plan.success).toBe(true);
    expect(plan.data?.changes).toEqual([
      { name: "one", type: "alpha:thing:item", action: "create", after: { size: 2 }, diff: [] },
    ]);
  });

  it("reports a call that outlives its timeout, by server name, and keeps the server", async () => {
    const providers = clients({ alpha: logged() });
    const pid = await pidOf(providers, "alpha");
    const error = await failure(
      providers.call("alpha", "getResource", { type: "alpha:thing:item", id: "hang" }, { timeoutMs: 200 }),
    );
    expect(error.reason).toBe("timeout");
    expect(error.server).toBe("alpha");
    expect(error.tool).toBe("getResource");
    expect(error.message).toContain('"alpha"');
    expect(error.message).toContain("timeout");
    expect(await pidOf(providers, "alpha")).toBe(pid);
  });

  it("reports a crash mid-call by name with its exit code and stderr, then restarts on the next call", async () => {
    const providers = clients({ alpha: logged() });
    const before = await pidOf(providers, "alpha");
    const error = await failure(
      providers.call("alpha", "getResource", { type: "alpha:thing:item", id: "crash" }),
    );
    expect(error.reason).toBe("crashed");
    expect(error.server).toBe("alpha");
    expect(error.exit).toEqual({ code: 1, signal: null });
    expect(error.message).toContain(
      'provider server "alpha" crashed during getResource: it exited with code 1',
    );
    expect(error.stderr).toContain("fixture: crashing on purpose");
    expect(isAlive(before)).toBe(false);

    const after = await pidOf(providers, "alpha");
    expect(after).not.toBe(before);
    expect(spawned(log)).toEqual(["alpha", "alpha"]);
  });

  it("says which command could not be found", async () => {
    const providers = clients({ ghost: { command: "/nonexistent/mcp-iac-no-such-binary" } });
    const error = await failure(providers.call("ghost", "describeResourceTypes", {}));
    expect(error.reason).toBe("start-failed");
    expect(error.message).toBe(
      'could not start provider server "ghost": command "/nonexistent/mcp-iac-no-such-binary" was not found ' +
        "(is it installed and on PATH?); check mcpServers.ghost.command",
    );
    const health = await providers.health("ghost");
    expect(health).toEqual({ ok: false, error: error.message, tools: [] });
  });

  it("reports a server that exits before the handshake, with its exit code", async () => {
    const providers = clients({
      early: {
        command: process.execPath,
        args: ["-e", "process.stderr.write('boom: no config\\n'); process.exit(3)"],
      },
      nowhere: { command: process.execPath, args: [], cwd: join(dir, "missing") },
    });
    const error = await failure(providers.call("early", "describeResourceTypes", {}));
    expect(error.reason).toBe("start-failed");
    expect(error.message).toContain("exited with code 3 before finishing the MCP handshake");
    expect(error.stderr).toContain("boom: no config");
    const folder = await failure(providers.describe("nowhere"));
    expect(folder.message).toContain(`working folder ${join(dir, "missing")} does not exist`);
  });

  it("names a server that prints garbage instead of MCP, quoting it, without waiting out the start timeout", async () => {
    const providers = clients({
      chatty: {
        command: process.execPath,
        args: ["-e", "process.stdout.write('Listening on port 8080\\n'); setTimeout(() => {}, 120000)"],
      },
    });
    const error = await failure(providers.call("chatty", "describeResourceTypes", {}));
    expect(error.reason).toBe("start-failed");
    expect(error.message).toContain('"chatty"');
    expect(error.message).toContain('wrote "Listening on port 8080" on stdout, which is not MCP');
    expect(error.message).not.toContain("did not finish the MCP handshake within");
  });

  it("gives a built-in the agent's environment and any other server only the minimal one", async () => {
    process.env["MCP_IAC_CLIENT_TEST_INHERITED"] = "from-the-agent";
    try {
      const providers = clients({
        mock: { builtin: "mock", args: ["--flag"], env: { EXTRA: "builtin-extra" } },
        plain: fixtureEntry({ EXTRA: "plain-extra" }),
      });
      const read = async (server: string, id: string) =>
        (await providers.call(server, "getResource", { type: `${server}:thing:item`, id })).data?.outputs;

      expect((await read("mock", "env:MCP_IAC_CLIENT_TEST_INHERITED"))?.["value"]).toBe("from-the-agent");
      expect((await read("mock", "env:EXTRA"))?.["value"]).toBe("builtin-extra");
      expect((await read("mock", "env:MCP_IAC_SERVER_NAME"))?.["value"]).toBe("mock");
      expect((await read("mock", "argv"))?.["argv"]).toEqual(["provider", "mock", "--flag"]);

      expect((await read("plain", "env:MCP_IAC_CLIENT_TEST_INHERITED"))?.["value"]).toBeNull();
      expect((await read("plain", "env:EXTRA"))?.["value"]).toBe("plain-extra");
      expect((await read("plain", "env:MCP_IAC_SERVER_NAME"))?.["value"]).toBe("plain");
      expect((await read("plain", "env:PATH"))?.["value"]).toBe(process.env["PATH"]);
    } finally {
      delete process.env["MCP_IAC_CLIENT_TEST_INHERITED"];
    }
  });

  it("redacts the server's own env values from its stderr tail", async () => {
    const providers = clients({
      alpha: logged({
        API_TOKEN: "tok-very-secret-42",
        FIXTURE_STDERR_BANNER: "connecting with {API_TOKEN}",
      }),
    });
    const error = await failure(
      providers.call("alpha", "getResource", { type: "alpha:thing:item", id: "crash" }),
    );
    expect(error.stderr).toContain("connecting with [redacted]");
    expect(error.message).not.toContain("tok-very-secret-42");
  });

  it("close() ends every child, even one that ignores SIGTERM, and is idempotent", async () => {
    const providers = clients({
      alpha: logged(),
      stubborn: logged({ FIXTURE_STUBBORN: "1" }),
      idle: logged(),
    });
    const pids = [await pidOf(providers, "alpha"), await pidOf(providers, "stubborn")];
    expect(pids.every(isAlive)).toBe(true);
    await Promise.all([providers.close(), providers.close()]);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    await providers.close();
    expect(spawned(log)).toEqual(["alpha", "stubborn"]);
    await expect(providers.call("alpha", "listResources", {})).rejects.toBeInstanceOf(ClientsClosedError);
  });

  it("close() during a start still ends the child being started", async () => {
    const providers = clients({ alpha: logged() });
    const call = providers.call("alpha", "listResources", {}).then(
      () => "answered",
      (error: unknown) => (error as Error).name,
    );
    await providers.close();
    expect(["answered", "ClientsClosedError"]).toContain(await call);
    const pid = Number(readFileSync(log, "utf8").split(" ")[1]);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  });

  it("restarts a server that died while idle", async () => {
    const providers = clients({ alpha: logged() });
    const before = await pidOf(providers, "alpha");
    process.kill(before, "SIGKILL");
    // Wait until the client has seen the connection close.
    for (let attempt = 0; attempt < 200 && providers.listServers()[0]?.started; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(providers.listServers()[0]?.started).toBe(false);
    const after = await pidOf(providers, "alpha");
    expect(after).not.toBe(before);
  });

  it("leaves no child behind when the agent exits without close()", async () => {
    const parent = fileURLToPath(new URL("./fixtures/forgetful-parent.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [parent], { cwd: dir });
    const pid = (JSON.parse(stdout.trim()) as { pid: number }).pid;
    expect(typeof pid).toBe("number");
    // The exit hook has sent SIGKILL; give the kernel a moment to finish it off.
    for (let attempt = 0; attempt < 100 && isAlive(pid); attempt++)
      await new Promise((r) => setTimeout(r, 50));
    expect(isAlive(pid)).toBe(false);
  });

  it("health lists the tools and types of a provider", async () => {
    const providers = clients({ alpha: logged() });
    const health = await providers.health("alpha");
    expect(health.ok).toBe(true);
    expect(health.types).toEqual(["alpha:thing:item"]);
    expect(health.tools).toHaveLength(10);
    expect(providers.listServers()[0]).toMatchObject({
      name: "alpha",
      kind: "stdio",
      transport: "stdio",
      started: true,
      timeoutMs: 30_000,
    });
  });
});
