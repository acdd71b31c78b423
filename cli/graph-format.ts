import type { ResourceGraph } from "../agent/engine/graph.ts";

function id(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, "_");
}

/** The dependency graph as Mermaid or Graphviz text; edges point from a dependency to its dependent. */
export function formatGraph(graph: ResourceGraph, format: "mermaid" | "dot"): string {
  const lines: string[] = [];
  if (format === "mermaid") {
    lines.push("graph LR");
    for (const name of graph.order) {
      const node = graph.nodes.get(name)!;
      lines.push(`  ${id(name)}["${name}<br/><small>${node.resource.type}</small>"]`);
    }
    for (const name of graph.order) {
      for (const dependency of graph.nodes.get(name)!.deps) lines.push(`  ${id(dependency)} --> ${id(name)}`);
    }
  } else {
    lines.push("digraph deployment {", "  rankdir=LR;", "  node [shape=box];");
    for (const name of graph.order) {
      const node = graph.nodes.get(name)!;
      lines.push(`  "${name}" [label="${name}\\n${node.resource.type}"];`);
    }
    for (const name of graph.order) {
      for (const dependency of graph.nodes.get(name)!.deps) lines.push(`  "${dependency}" -> "${name}";`);
    }
    lines.push("}");
  }
  return lines.join("\n");
}
