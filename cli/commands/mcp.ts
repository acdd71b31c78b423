import { ALLOW_DESTROY_FLAG } from "./shared.ts";
import type { CommandDefinition } from "./types.ts";

export const mcpCommand: CommandDefinition = {
  name: "mcp",
  usage: ["mcp [--allow-apply]"],
  summary: "serve the agent itself over stdio MCP (plan, state, policy check)",
  flags: {
    "allow-apply": { type: "boolean", help: "also serve apply and destroy" },
    ...ALLOW_DESTROY_FLAG,
  },
  exitCodes: { 2: "bad usage or config" },
  server: true,
  /** The agent as a stdio MCP server until its client goes away. */
  async run(context) {
    const { parsed } = context;
    const { loadConfig, ProviderClients } = await import("../../tools/client/index.ts");
    const { selfCommand, stateBackendFor } = await import("../workspace.ts");
    const { createAgentMcpServer } = await import("../../agent/mcp-server.ts");
    const { SecretScrubber, secretsFromConfig } = await import("../../agent/secrets.ts");
    const { policiesFor } = await import("../goal.ts");
    const { serveStdio } = await import("../../tools/protocol/server.ts");
    const { packageVersion } = await import("../version.ts");
    const cwd = parsed.global.cwd;
    const loaded = loadConfig({ cwd, configFile: parsed.global.config });
    const clients = new ProviderClients(loaded.config.mcpServers, { cwd, builtinCommand: selfCommand() });
    const state = stateBackendFor(loaded, cwd);
    const scrubber = new SecretScrubber();
    secretsFromConfig(
      loaded.config.mcpServers as Record<string, { env?: Record<string, string> }>,
      process.env,
      scrubber,
    );
    const server = createAgentMcpServer({
      workspace: (emit) => ({ gateway: clients, state, emit }),
      servers: clients.serverNames(),
      policies: await policiesFor(loaded, cwd, { allowDestroy: Boolean(parsed.flags["allow-destroy"]) }),
      allowApply: Boolean(parsed.flags["allow-apply"]),
      scrubber,
      version: packageVersion(),
    });
    await serveStdio(server, () => clients.close());
    return -1;
  },
};
