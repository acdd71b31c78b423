import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { summaryLine } from "./report.ts";
import { type ConformanceOptions, runConformance } from "./run-conformance.ts";

const USAGE = "usage: provider test [--type TYPE]... [--deployment-id ID] -- COMMAND [ARGS]";

export interface CommandIo {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

/** Leading options, up to an optional `--`; everything after is the server's command line. */
function parseArgv(argv: string[]): { options: ConformanceOptions; command: string[] } | { error: string } {
  const options: ConformanceOptions = {};
  let index = 0;
  while (index < argv.length) {
    const token = argv[index];
    if (token === "--") {
      index++;
      break;
    }
    if (token === "--type" || token === "--deployment-id") {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith("--")) return { error: `${token} needs a value` };
      if (token === "--type") options.types = [...(options.types ?? []), value];
      else options.deploymentId = value;
      index += 2;
      continue;
    }
    break;
  }
  const command = argv.slice(index);
  if (command.length === 0 || command[0] === "") return { error: "no server command given" };
  return { options, command };
}

/**
 * Spawns `COMMAND [ARGS]` as a stdio MCP server (inheriting this environment), runs the conformance
 * suite against it and prints a report that ends with `N passed, N failed`. Returns the exit code:
 * 0 when nothing failed, 1 when something did, 2 for bad usage.
 */
export async function runConformanceCommand(argv: string[], io: CommandIo = {}): Promise<number> {
  const out = io.stdout ?? ((text: string) => process.stdout.write(text));
  const err = io.stderr ?? ((text: string) => process.stderr.write(text));
  const parsed = parseArgv(argv);
  if ("error" in parsed) {
    err(`${parsed.error}\n${USAGE}\n`);
    return 2;
  }
  const [command, ...args] = parsed.command as [string, ...string[]];
  let serverStderr = "";
  const connect = async () => {
    const transport = new StdioClientTransport({
      command,
      args,
      env: Object.fromEntries(
        Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
      stderr: "pipe",
    });
    // Keep the end of the server's stderr: it explains a server that fails to start.
    transport.stderr?.on("data", (chunk: Buffer) => {
      serverStderr = (serverStderr + chunk.toString()).slice(-4_000);
    });
    const client = new Client({ name: "mcp-iac-conformance", version: "0.1.0" });
    try {
      await client.connect(transport);
    } catch (error) {
      await transport.close().catch(() => undefined);
      const tail = serverStderr.trim();
      throw new Error(
        `could not start ${parsed.command.join(" ")}: ${error instanceof Error ? error.message : String(error)}` +
          (tail ? `\nserver stderr:\n${tail}` : ""),
      );
    }
    return client;
  };
  out(`Testing ${parsed.command.join(" ")}\n`);
  const report = await runConformance(connect, { ...parsed.options, log: (line) => out(`${line}\n`) });
  out("\n");
  if (report.skipped > 0) out(`${report.skipped} skipped\n`);
  out(`${summaryLine(report)}\n`);
  return report.failed === 0 ? 0 : 1;
}
