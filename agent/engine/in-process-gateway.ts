import { type Envelope, type ToolHandlers, type ToolName, toErrorBody } from "../../tools/protocol/index.ts";
import type { ProviderGateway } from "./gateway.ts";

/**
 * Providers' tool handlers called in this process, routed by the type's first segment: for tests
 * of the engine and agent without starting server processes.
 */
export function inProcessGateway(servers: ReadonlyMap<string, { tools: ToolHandlers }>): ProviderGateway {
  const handler = (server: string, tool: ToolName) => {
    const found = servers.get(server);
    if (!found) throw new Error(`no server ${server}`);
    return found.tools[tool] as (input: unknown) => Promise<unknown>;
  };
  return {
    serverFor: (type) => type.split(":")[0]!,
    async call(server, tool, input) {
      const metadata = { timestamp: new Date().toISOString(), duration: 0, server, version: "0" };
      try {
        return { success: true, data: await handler(server, tool)(input), metadata } as Envelope<never>;
      } catch (error) {
        return { success: false, error: toErrorBody(error), metadata } as Envelope<never>;
      }
    },
    describe: async (server) => (await handler(server, "describeResourceTypes")({})) as never,
  };
}
