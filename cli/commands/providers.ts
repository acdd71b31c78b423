import { EXIT } from "../../agent/errors.ts";
import { withWorkspace } from "./shared.ts";
import type { CommandDefinition } from "./types.ts";

export const providersCommand: CommandDefinition = {
  name: "providers",
  usage: ["providers"],
  summary: "configured servers, their health and resource types",
  flags: {},
  exitCodes: { 0: "every server answers", 1: "a server is unavailable", 2: "bad config" },
  async run(context) {
    const { out } = context;
    return withWorkspace(context, async (workspace) => {
      const servers = workspace.clients.listServers();
      const report: (ReturnType<typeof workspace.clients.listServers>[number] &
        Awaited<ReturnType<typeof workspace.clients.health>>)[] = [];
      for (const server of servers) {
        const health = await workspace.clients.health(server.name);
        report.push({ ...server, ...health });
      }
      out.result({ command: "providers", source: workspace.loaded.source, servers: report }, () => {
        for (const entry of report) {
          const status = entry.ok
            ? entry.toolOnly
              ? "tool-only"
              : "ok"
            : `unavailable: ${entry.error ?? ""}`;
          out.line(`${entry.name.padEnd(14)} ${entry.transport.padEnd(16)} ${status}`);
          out.line(`  ${entry.target}`);
          for (const type of entry.types ?? []) out.line(`    ${type}`);
        }
      });
      return report.every((entry) => entry.ok) ? EXIT.ok : EXIT.failed;
    });
  },
};
