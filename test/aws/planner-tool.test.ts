import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScriptedModel } from "../../agent/llm/scripted.ts";
import type { ModelRequest } from "../../agent/llm/types.ts";
import { type PlannerFinding, planWithModel } from "../../agent/planner/model-planner.ts";
import { type CloudControlEmulator, startCloudControlEmulator } from "./emulator/server.ts";
import { providerFor } from "./support.ts";

const call = (id: string, name: string, input: unknown) => ({
  content: [{ type: "tool_call" as const, id, name, input }],
});

function lastToolResult(request: ModelRequest): string {
  const last = request.messages.at(-1);
  return last?.role === "tool" ? last.results.map((result) => result.content).join("\n") : "";
}

describe("the model planner finds a type beyond the catalog through describe_resource_types", () => {
  let emulator: CloudControlEmulator;
  beforeAll(async () => {
    emulator = await startCloudControlEmulator({ polls: 1 });
  });
  afterAll(async () => emulator.stop());

  it("searches, describes and plans an SQS queue; the prompt carries only the curated catalog", async () => {
    const provider = providerFor(emulator);
    const catalog = (await provider.tools.describeResourceTypes({})).types;
    const seen: string[] = [];
    const model = createScriptedModel([
      call("t1", "describe_resource_types", { query: "message queue" }),
      (request) => {
        seen.push(lastToolResult(request));
        return call("t2", "describe_resource_types", { types: ["aws:sqs:queue"] });
      },
      (request) => {
        seen.push(lastToolResult(request));
        const spec = {
          name: "jobs",
          resources: [{ type: "aws:sqs:queue", name: "jobs", properties: { VisibilityTimeout: 120 } }],
        };
        return call("t3", "submit_deployment", { spec });
      },
    ]);
    const result = await planWithModel({
      goal: "a message queue for background jobs, with a two-minute visibility timeout",
      model,
      schemas: catalog,
      examples: [],
      tools: {
        listResources: async () => [],
        getResource: async () => ({}),
        searchMemory: async () => [],
        describeResourceTypes: async (input) => (await provider.tools.describeResourceTypes(input)).types,
      },
      async validate(spec) {
        const deployment = spec as {
          name: string;
          resources: Array<{ type: string; name: string; properties: Record<string, unknown> }>;
        };
        const checked = await provider.tools.validateConfig({ resources: deployment.resources });
        const findings: PlannerFinding[] = checked.issues.map((issue) => ({ source: "validate", ...issue }));
        return checked.valid ? { deployment, findings } : { findings };
      },
    });

    expect(result.ok).toBe(true);
    expect(seen[0]).toContain("aws:sqs:queue");
    expect(seen[1]).toContain("VisibilityTimeout");
    // However many types the provider could serve, the context is the curated catalog alone.
    for (const request of model.requests) {
      expect(request.context).not.toContain("aws:sqs:queue");
      expect(request.context).toContain("aws:rds:instance");
    }
    if (!result.ok) return;
    const resource = result.deployment.resources[0] as {
      type: string;
      name: string;
      properties: Record<string, unknown>;
    };
    const plan = await provider.tools.planDeployment({
      deploymentId: "jobs",
      resources: [resource],
      current: [],
    });
    const applied = await provider.tools.applyDeployment({ deploymentId: "jobs", changes: plan.changes });
    expect(applied.results[0]?.status).toBe("succeeded");
    expect(emulator.state.resources.get("AWS::SQS::Queue")?.get(applied.results[0]!.id!)).toMatchObject({
      VisibilityTimeout: 120,
    });
  });
});
