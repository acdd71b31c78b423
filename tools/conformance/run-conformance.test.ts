import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalProvider } from "../providers/local/server.ts";
import { type Defect, type TinyNote, tinyProvider } from "./fixtures/tiny-provider.ts";
import { type ConformanceReport, runConformance } from "./index.ts";

function inMemory(makeServer: () => McpServer) {
  return async () => {
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await makeServer().connect(serverTransport);
    const client = new Client({ name: "conformance-test", version: "0.0.0" });
    await client.connect(clientTransport);
    return client;
  };
}

const failedNames = (report: ConformanceReport) =>
  report.results.filter((result) => !result.ok).map((result) => result.name);

describe("runConformance", () => {
  const folders: string[] = [];
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  it("passes the local provider in memory, and leaves nothing behind", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "mcp-iac-conformance-"));
    folders.push(cwd);
    const provider = createLocalProvider({ cwd, stopGraceMs: 1_000 });
    const lines: string[] = [];
    const report = await runConformance(inMemory(provider.server), { log: (line) => lines.push(line) });
    expect(failedNames(report)).toEqual([]);
    expect(report.failed).toBe(0);
    expect(report.passed).toBe(report.results.length - report.skipped);
    for (const type of ["local:file:file", "local:command:run", "local:process:service"]) {
      expect(report.results.map((result) => result.name)).toContain(
        `${type}: destroyDeployment removes it and getResource answers NOT_FOUND`,
      );
    }
    expect(lines.filter((line) => line.includes("✓"))).toHaveLength(report.passed);
    const left = await provider.tools.listResources({});
    expect(left.resources).toEqual([]);
  });

  it("passes a correct tiny provider, and runs only the asked types", async () => {
    const report = await runConformance(
      inMemory(() => tinyProvider()),
      {
        types: ["tiny:note:note", "tiny:absent:type"],
        deploymentId: "fixed-id",
      },
    );
    expect(failedNames(report)).toEqual(["tiny:absent:type: described by the provider"]);
    expect(report.results.some((result) => result.name.startsWith("tiny:note:note: an update"))).toBe(true);
  });

  const defects: [Defect, string[]][] = [
    [
      "isError-never-set",
      [
        "tiny:note:note: destroyDeployment removes it and getResource answers NOT_FOUND",
        "tiny:note:note: getResource of a bogus id answers NOT_FOUND",
        "an unknown type gets a standard error code",
        "every answer is a valid iac.mcp/v1 envelope",
      ],
    ],
    [
      "text-differs",
      [
        "describeResourceTypes: announces protocol iac.mcp/v1",
        "tiny:note:note: create through planDeployment and applyDeployment",
        "tiny:note:note: destroyDeployment removes it and getResource answers NOT_FOUND",
        "every answer is a valid iac.mcp/v1 envelope",
      ],
    ],
    [
      "bogus-id-found",
      [
        "tiny:note:note: destroyDeployment removes it and getResource answers NOT_FOUND",
        "tiny:note:note: getResource of a bogus id answers NOT_FOUND",
        "an unknown type gets a standard error code",
      ],
    ],
    ["tool-missing", ["tools: the ten iac.mcp/v1 tools are listed"]],
    ["unknown-rejected", ["tiny:note:note: planDeployment tolerates an $unknown value (in text)"]],
    [
      "read-adds-property",
      [
        "tiny:note:note: a re-plan against the created state is noop (with and without refresh)",
        "tiny:note:note: an update to examples[1] round-trips",
      ],
    ],
    [
      "bad-data",
      [
        "tiny:note:note: listResources and getDeploymentState find it by name",
        "tiny:note:note: a create sent twice with one operationId makes one resource",
        "every answer is a valid iac.mcp/v1 envelope",
      ],
    ],
    ["operation-ignored", ["tiny:note:note: a create sent twice with one operationId makes one resource"]],
  ];

  it.each(defects)("reports a provider with the defect %s", async (defect, expected) => {
    const notes = new Map<string, TinyNote>();
    const report = await runConformance(inMemory(() => tinyProvider(defect, notes)));
    const failed = failedNames(report);
    for (const name of expected) expect(failed).toContain(name);
    // The rest still passes: one defect does not drown the report.
    if (defect !== "text-differs") expect(report.failed).toBe(expected.length);
    expect(report.failed).toBeGreaterThan(0);
    // Whatever the defect, the kit destroyed what it created.
    expect([...notes.keys()]).toEqual([]);
  });

  it("reports a provider it cannot connect to as one failure", async () => {
    const report = await runConformance(async () => {
      throw new Error("no such server");
    });
    expect(report).toMatchObject({
      passed: 0,
      failed: 1,
      results: [{ name: "connect to the provider", message: "no such server" }],
    });
  });
});
