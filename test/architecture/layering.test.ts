import { describe, expect, it } from "vitest";
import { cyclesOf } from "./cycles.ts";
import { type ImportEdge, importsOf, productFiles } from "./source-files.ts";

/**
 * The house rules of ARCHITECTURE.md, held by a test: each rule names the files it governs and
 * what they may not import; a failure lists every offending `file:line → import`.
 */
const files = productFiles();
const edges = new Map<string, ImportEdge[]>(files.map((file) => [file, importsOf(file)]));

const UI_PACKAGE = /^(ink|react)($|\/)|^ink-/;
const inCli = (file: string) => file.startsWith("cli/");
/** A provider server: everything under tools/providers/<name>/. */
const inProvider = (file: string) => /^tools\/providers\/[^/]+\//.test(file);

/**
 * Breaks of the rules that exist today, each with the work that removes it (issue 13). Keyed on
 * `file → import` (no line numbers); an entry that no longer breaks a rule fails the test, so the
 * list only shrinks.
 */
const KNOWN: Record<string, string> = {
  "agent/engine/test-gateway.ts → ../events.ts":
    "the engine's test rig collects the run's events for the operation-level tests above it (a type)",
  "evals/command.ts → ../cli/args.ts":
    "`agent eval` parses its flags with the CLI's helpers; moves to cli/commands/",
};
const excused = new Set<string>();

function offenders(
  governs: (file: string) => boolean,
  forbidden: (edge: ImportEdge, file: string) => boolean,
): string[] {
  const found: string[] = [];
  for (const [file, imports] of edges) {
    if (!governs(file)) continue;
    for (const edge of imports) {
      if (!forbidden(edge, file)) continue;
      const key = `${file} → ${edge.specifier}`;
      if (key in KNOWN) excused.add(key);
      else found.push(`${file}:${edge.line} → ${edge.specifier}`);
    }
  }
  return found;
}

describe("layering", () => {
  it("finds the product code (guards the rules below against an empty file list)", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain("agent/run.ts");
    expect(files.some((file) => file.endsWith(".test.ts"))).toBe(false);
  });

  it("only cli/ imports Ink or React", () => {
    expect(
      offenders(
        (file) => !inCli(file),
        (edge) => UI_PACKAGE.test(edge.specifier),
      ),
    ).toEqual([]);
  });

  it("nothing below cli/ imports cli/ (only the bin entry sits above it)", () => {
    const importsCli = (edge: ImportEdge) => edge.target?.startsWith("cli/") ?? false;
    expect(offenders((file) => !inCli(file) && !file.startsWith("bin/"), importsCli)).toEqual([]);
  });

  it("a provider imports only its own folder, tools/protocol and core (and packages)", () => {
    const allowed = (edge: ImportEdge, file: string) => {
      const target = edge.target;
      if (target === undefined) return true;
      const own = file.split("/").slice(0, 3).join("/");
      return (
        target.startsWith(`${own}/`) || target.startsWith("tools/protocol/") || target.startsWith("core/")
      );
    };
    expect(offenders(inProvider, (edge, file) => !allowed(edge, file))).toEqual([]);
  });

  it("core/ is the bottom layer: it imports nothing of ours outside itself", () => {
    const outside = (edge: ImportEdge) => edge.target !== undefined && !edge.target.startsWith("core/");
    expect(offenders((file) => file.startsWith("core/"), outside)).toEqual([]);
  });

  it("tools/protocol, the standard providers build on, imports only itself and core", () => {
    const outside = (edge: ImportEdge) =>
      edge.target !== undefined &&
      !edge.target.startsWith("tools/protocol/") &&
      !edge.target.startsWith("core/");
    expect(offenders((file) => file.startsWith("tools/protocol/"), outside)).toEqual([]);
  });

  it("tools/ (client, protocol, providers, conformance) imports nothing of agent/, cli/ or the layers between", () => {
    const above = (edge: ImportEdge) =>
      edge.target !== undefined && !edge.target.startsWith("tools/") && !edge.target.startsWith("core/");
    expect(offenders((file) => file.startsWith("tools/"), above)).toEqual([]);
  });

  it("the engine imports of agent/ only itself and state (events and spec errors are its own)", () => {
    const above = ({ target = "" }: ImportEdge) =>
      target.startsWith("agent/") &&
      !target.startsWith("agent/engine/") &&
      !target.startsWith("agent/state/");
    expect(offenders((file) => file.startsWith("agent/engine/"), above)).toEqual([]);
  });

  it("the engine does not import the run above it", () => {
    const run = (edge: ImportEdge) => edge.target === "agent/run.ts";
    expect(offenders((file) => file.startsWith("agent/engine/"), run)).toEqual([]);
  });

  it("product code has no import cycle (type-only imports are erased, so they do not count)", () => {
    const graph = new Map<string, string[]>();
    for (const [file, imports] of edges) {
      graph.set(
        file,
        imports.filter((edge) => edge.target !== undefined && !edge.typeOnly).map((edge) => edge.target!),
      );
    }
    expect(cyclesOf(graph).map((cycle) => cycle.join(" ↔ "))).toEqual([]);
  });
});

describe("known breaks", () => {
  it("each still breaks a rule; a fixed one must leave the list", () => {
    // Runs after the rules above (vitest keeps file order), which record what they excused.
    expect(Object.keys(KNOWN).filter((key) => !excused.has(key))).toEqual([]);
  });
});

describe("cyclesOf", () => {
  it("finds each cycle once, a self-import too, and nothing in a graph without one", () => {
    const graph = new Map<string, string[]>([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", ["e"]],
      ["e", []],
      ["f", ["f"]],
      ["g", ["missing"]],
    ]);
    expect(cyclesOf(graph)).toEqual([["a", "b", "c"], ["f"]]);
    expect(
      cyclesOf(
        new Map([
          ["x", ["y"]],
          ["y", []],
        ]),
      ),
    ).toEqual([]);
  });
});
