import { EXIT } from "../../agent/errors.ts";
import { usageError } from "../args.ts";
import { FILE_FLAG, requireFile } from "./shared.ts";
import type { CommandDefinition } from "./types.ts";

export const graphCommand: CommandDefinition = {
  name: "graph",
  usage: ["graph -f FILE [--format mermaid|dot]"],
  summary: "the spec's dependency graph as Mermaid or Graphviz text",
  flags: {
    ...FILE_FLAG,
    format: { type: "string", value: "mermaid|dot", help: "the graph language (default mermaid)" },
  },
  exitCodes: { 0: "printed", 2: "bad usage or spec" },
  async run(context) {
    const { parsed, out, io } = context;
    const { loadSpecFile } = await import("../../agent/engine/spec.ts");
    const { buildGraph } = await import("../../agent/engine/graph.ts");
    const { formatGraph } = await import("../graph-format.ts");
    const deployment = await loadSpecFile(requireFile(parsed));
    const format = parsed.flags["format"] ?? "mermaid";
    if (format !== "mermaid" && format !== "dot")
      throw usageError(`--format is mermaid or dot, not "${String(format)}"`);
    const text = formatGraph(buildGraph(deployment), format);
    if (parsed.global.json)
      out.result({ command: "graph", deployment: deployment.name, format, graph: text });
    else io.stdout.write(`${text}\n`);
    return EXIT.ok;
  },
};
