import { describe, expect, it } from "vitest";
import { anthropicMessage, startAnthropicWireServer } from "../../agent/llm/wire/anthropic-wire-server.ts";
import { openaiCompletion, startOpenAIWireServer } from "../../agent/llm/wire/openai-wire-server.ts";
import { agent, json, tempProject, worldResources } from "./harness.ts";

const NO_KEYS = { ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "", MCP_IAC_MODEL: "" };

const SPEC = {
  name: "shop",
  resources: [
    { type: "aws:vpc:vpc", name: "vpc", properties: { cidrBlock: "10.40.0.0/16" } },
    {
      type: "aws:vpc:subnet",
      name: "subnet",
      properties: { vpc: "${vpc.id}", cidrBlock: "10.40.1.0/24", availabilityZone: "us-east-1a" },
    },
    {
      type: "aws:ec2:instance",
      name: "web",
      properties: {
        instanceType: "t3.small",
        ami: "ami-12345",
        subnet: "${subnet.id}",
        tags: { owner: "shop", environment: "dev" },
      },
    },
  ],
};

describe('agent "<goal>" through the real binary', () => {
  it("runs the README's first command end to end with no key and no config, and says so", async () => {
    const dir = tempProject();
    const run = await agent(
      ["deploy a web app with a load balancer and a postgres database", "--yes"],
      dir,
      NO_KEYS,
    );
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Sandbox: .*touches nothing real/);
    expect(run.stdout).toMatch(/offline planner/i);
    expect(run.stdout).toMatch(/Apply complete!/);
    expect(run.stdout).toMatch(/Remembered this deployment/);
    const world = await worldResources(dir, "web-app");
    expect(world.map((entry) => entry.type)).toContain("aws:rds:instance");

    // The same goal again reuses the pattern and finds nothing to change.
    const again = await agent(
      ["deploy a web app with a load balancer and a postgres database", "--yes", "--json"],
      dir,
      NO_KEYS,
    );
    const report = json<{ outcome: string; planner: { kind: string }; modelCalls: unknown[] }>(again);
    expect(report).toMatchObject({ outcome: "nothing-to-do", planner: { kind: "memory" }, modelCalls: [] });

    const memory = await agent(["memory", "search", "web app with postgres"], dir, NO_KEYS);
    expect(memory.stdout).toMatch(/web-app: "deploy a web app/);
  });

  it("prints one JSON document with the whole report, stops at --dry-run, and declines what it cannot map", async () => {
    const dir = tempProject();
    const dry = await agent(
      ["a dns override pointing app.example.lan at 10.0.0.5", "--dry-run", "--json"],
      dir,
      NO_KEYS,
    );
    expect(dry.exitCode, dry.stderr).toBe(0);
    const report = json<Record<string, unknown>>(dry);
    for (const key of [
      "goal",
      "planner",
      "spec",
      "plan",
      "findings",
      "attempts",
      "recovery",
      "modelCalls",
      "tokens",
      "outcome",
      "events",
    ]) {
      expect(report).toHaveProperty(key);
    }
    expect(report["outcome"]).toBe("planned");
    expect(await worldResources(dir, String((report["spec"] as { name: string }).name))).toEqual([]);

    const declined = await agent(["build me a redis cluster on gcp", "--yes"], dir, NO_KEYS);
    expect(declined.exitCode).toBe(1);
    expect(declined.stdout).toMatch(/Offline planner/);
    expect(declined.stdout + declined.stderr).not.toMatch(/\n\s+at /);
  });

  it("plans with Claude through the Anthropic SDK against a loopback Messages server", async () => {
    const server = await startAnthropicWireServer(() =>
      anthropicMessage(
        [{ type: "tool_use", id: "toolu_1", name: "submit_deployment", input: { spec: SPEC } }],
        {
          usage: { input_tokens: 1200, output_tokens: 80, cache_read_input_tokens: 1000 },
        },
      ),
    );
    try {
      const dir = tempProject();
      const run = await agent(["a small web server in a new VPC", "--yes", "--json"], dir, {
        ...NO_KEYS,
        ANTHROPIC_API_KEY: "sk-ant-loopback-test",
        ANTHROPIC_BASE_URL: server.url,
      });
      expect(run.exitCode, run.stderr).toBe(0);
      const report = json<{
        outcome: string;
        planner: { description: string };
        modelCalls: { cachedInputTokens: number }[];
        tokens: { cached: number };
      }>(run);
      expect(report.outcome).toBe("succeeded");
      expect(report.planner.description).toMatch(
        /^model: anthropic claude-sonnet-4-6 at http:\/\/127\.0\.0\.1:\d+ \(ANTHROPIC_API_KEY\)$/,
      );
      expect(report.modelCalls[0]!.cachedInputTokens).toBe(1000);
      const body = server.requests[0]!;
      expect(JSON.stringify(body.system)).toContain("cache_control");
      expect(JSON.stringify(body.tools)).toContain("submit_deployment");
      expect(JSON.stringify(body)).not.toContain("sk-ant-loopback-test");
      expect((await worldResources(dir, "shop")).map((entry) => entry.name).sort()).toEqual([
        "subnet",
        "vpc",
        "web",
      ]);
    } finally {
      await server.close();
    }
  });

  it("plans with any OpenAI-compatible server through the OpenAI SDK (Chat Completions, function tools)", async () => {
    const server = await startOpenAIWireServer(() =>
      openaiCompletion({
        content: null,
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "submit_deployment", arguments: JSON.stringify({ spec: SPEC }) },
          },
        ],
      }),
    );
    try {
      const dir = tempProject();
      const run = await agent(["a small web server in a new VPC", "--yes"], dir, {
        ...NO_KEYS,
        OPENAI_API_KEY: "sk-loopback",
        OPENAI_BASE_URL: server.url,
        MCP_IAC_MODEL: "llama3.1",
      });
      expect(run.exitCode, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/model: openai llama3\.1/);
      expect(server.requests[0]!.tools?.[0]).toMatchObject({ type: "function" });
    } finally {
      await server.close();
    }
  });
});
