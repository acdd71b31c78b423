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
    const { openRoot } = await import("../workspace.ts");
    const { agentMcpServerFor } = await import("../../agent/mcp-server.ts");
    const { serveStdio } = await import("../../tools/protocol/server.ts");
    const { packageVersion } = await import("../version.ts");
    const root = openRoot(parsed.global);
    const server = await agentMcpServerFor(root, {
      allowApply: Boolean(parsed.flags["allow-apply"]),
      allowDestroy: Boolean(parsed.flags["allow-destroy"]),
      version: packageVersion(),
    });
    await serveStdio(server, () => root.close());
    return -1;
  },
};
