import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../memory/index.ts";
import { loadPolicies } from "../../policies/index.ts";
import type { ResourceTypeInfo } from "../../tools/protocol/index.ts";
import { createMockProvider } from "../../tools/providers/mock/provider.ts";
import { inProcessGateway } from "../engine/in-process-gateway.ts";
import { stampEvents } from "../events.ts";
import { createScriptedModel } from "../llm/scripted.ts";
import { planOffline } from "../planner/offline/index.ts";
import { runGoal } from "../run.ts";
import { SecretScrubber } from "../secrets.ts";
import { createFileBackend } from "../state/index.ts";
import { closedProperties, describeCatalog, redactSpec, serversFor } from "./catalog.ts";
import { createRunContext } from "./context.ts";
import type { AgentServices } from "./types.ts";

const PREFIXES = ["opnsense", "aws", "kubernetes", "docker"];

/** The four sandbox mocks in process, behind a gateway that records which servers were described. */
async function services(options: { model?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-catalog-"));
  const mocks = new Map(
    PREFIXES.map((prefix) => [
      prefix,
      createMockProvider({ env: {}, mountName: prefix, worldFile: join(dir, `${prefix}.world.json`) }),
    ]),
  );
  const gateway = inProcessGateway(mocks);
  const described: string[] = [];
  const recording = {
    ...gateway,
    describe: (server: string) => {
      described.push(server);
      return gateway.describe(server);
    },
  };
  const memory = createMemoryStore({ file: join(dir, "memory.json") });
  const built: AgentServices = {
    workspace: {
      gateway: recording,
      state: createFileBackend(join(dir, ".mcp-iac")),
      emit: stampEvents(() => {}),
    },
    servers: PREFIXES,
    policies: await loadPolicies(["builtin:baseline"], { cwd: dir }),
    memory,
    model: options.model ? createScriptedModel([]) : undefined,
    modelDescription: options.model ? "scripted" : "offline planner",
    scrubber: new SecretScrubber(),
  };
  const everyType = async () =>
    (await Promise.all(PREFIXES.map((prefix) => gateway.describe(prefix)))).flatMap((data) => data.types);
  return { services: built, described, memory, everyType };
}

describe("serversFor", () => {
  it("names the servers the types' prefixes name, in config order; every server when a prefix names none", () => {
    expect(serversFor(PREFIXES, ["docker:container:app", "aws:rds:instance", "aws:vpc:vpc"])).toEqual([
      "aws",
      "docker",
    ]);
    expect(serversFor(PREFIXES, [])).toEqual([]);
    expect(serversFor(PREFIXES, ["aws:rds:instance", "prod:apps:deployment"])).toEqual(PREFIXES);
  });
});

describe("describeCatalog", () => {
  it("with a model, describes every server at once: the model sees every schema", async () => {
    const { services: built, described, memory } = await services({ model: true });
    const catalog = await describeCatalog(createRunContext(built, { goal: "x", approve: async () => true }));
    expect([...described].sort()).toEqual([...PREFIXES].sort());
    expect(new Set([...catalog.typeInfo.keys()].map((type) => type.split(":")[0]))).toEqual(
      new Set(PREFIXES),
    );
    await memory.close();
  });

  it("without one, describes a server only when a type it serves is named, and each only once", async () => {
    const { services: built, described, memory } = await services();
    const catalog = await describeCatalog(createRunContext(built, { goal: "x", approve: async () => true }));
    expect(described).toEqual([]);
    await catalog.cover(["aws:rds:instance", "aws:vpc:vpc"]);
    expect(described).toEqual(["aws"]);
    expect(catalog.typeInfo.get("aws:rds:instance")?.secretProperties).toContain("password");
    expect([...catalog.typeInfo.keys()].every((type) => type.startsWith("aws:"))).toBe(true);
    await catalog.cover(["aws:ec2:instance"]);
    expect(described).toEqual(["aws"]);
    // A validated candidate's types are covered before its secret values are looked up (the engine's
    // own check describes through the gateway too, which the real clients answer from a cache).
    await catalog.validate({
      name: "d",
      resources: [{ type: "docker:container:run", name: "web", properties: { image: "nginx" } }],
    });
    expect(new Set(described)).toEqual(new Set(["aws", "docker"]));
    expect(catalog.typeInfo.has("docker:container:run")).toBe(true);
    await memory.close();
  });
});

describe("an offline goal run", () => {
  it("starts only the servers its spec uses, and plans the spec it would plan against every server", async () => {
    const goal = "a postgres database";
    const { services: built, described, memory, everyType } = await services();
    const report = await runGoal(built, { goal, approve: async () => true, dryRun: true });
    expect(report.outcome).toBe("planned");
    const used = new Set(report.spec?.resources.map((resource) => resource.type.split(":")[0]));
    expect(new Set(described)).toEqual(used);
    expect(used.size).toBeLessThan(PREFIXES.length);

    const all: ResourceTypeInfo[] = await everyType();
    const planned = planOffline(goal, {
      availableTypes: all.map((info) => info.type),
      typeProperties: closedProperties(all),
    });
    if (planned.kind !== "planned") throw new Error(planned.reason);
    const types = new Map(all.map((info) => [info.type, { info }]));
    expect(report.spec).toEqual(redactSpec(planned.deployment as never, types));
    await memory.close();
  });
});
