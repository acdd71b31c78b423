import type { AIMessageFields } from "@langchain/core/messages";
import { afterEach, describe, expect, it } from "vitest";
import { type AgentRig, agentRig, WEB, writeSeed } from "../../test/agent/harness.ts";
import { planOffline } from "../planner/offline/index.ts";
import { createLangChainModel } from "./langchain.ts";
import { selectModel } from "./select.ts";
import { ScriptedChatModel, type ScriptedChatTurn } from "./testing/scripted-chat-model.ts";
import { openaiCompletion, startOpenAIWireServer } from "./wire/openai-wire-server.ts";

let rig: AgentRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

let id = 0;
function callTool(name: string, args: Record<string, unknown>, usage?: AIMessageFields["usage_metadata"]) {
  return {
    content: "",
    tool_calls: [{ id: `lc-${++id}`, name, args, type: "tool_call" as const }],
    ...(usage ? { usage_metadata: usage } : {}),
  };
}

function bridged(script: ScriptedChatTurn[]) {
  const chat = new ScriptedChatModel(script);
  const model = createLangChainModel({
    chatModel: chat,
    className: "ScriptedChatModel",
    packageName: "test",
    model: "scripted-lc",
  });
  return { chat, model };
}

const withDb = (changes: Record<string, unknown>, name = "db") => ({
  ...WEB,
  resources: WEB.resources.map((resource) =>
    resource.name === "db"
      ? { ...resource, name, properties: { ...resource.properties, ...changes } }
      : resource,
  ),
});

// Each run spawns the four mock providers over stdio; on a loaded machine that takes a while.
const RUN_TIMEOUT = { timeout: 300_000 };

describe("the agent with a LangChain chat model over stdio mock providers", RUN_TIMEOUT, () => {
  it("repairs a policy violation on the second submission, with a stable prefix and token usage", async () => {
    rig = agentRig();
    const usage = {
      input_tokens: 4000,
      output_tokens: 90,
      total_tokens: 4090,
      input_token_details: { cache_read: 3500 },
    };
    const { chat, model } = bridged([
      callTool("submit_deployment", { spec: withDb({ publiclyAccessible: true }) }, usage),
      callTool("submit_deployment", { spec: WEB }, usage),
    ]);
    const report = await rig.run("a web server with a private postgres database", model);
    expect(report.outcome, report.reason).toBe("succeeded");
    expect(chat.calls).toHaveLength(2);
    const reply = chat.calls[1]!.messages.at(-1)!;
    expect(reply).toMatchObject({ type: "tool", tool_call_id: `lc-${id - 1}` });
    expect(JSON.stringify(reply.content)).toContain("database-not-public");
    // The static prefix (system text and bound tools) is the same on both turns.
    expect(chat.bindCount).toBe(1);
    expect(chat.calls[1]!.messages[0]).toEqual(chat.calls[0]!.messages[0]);
    expect(chat.calls[0]!.messages[0]!.type).toBe("system");
    expect(JSON.stringify(chat.calls[0]!.tools)).toContain("submit_deployment");
    expect(report.modelCalls).toHaveLength(2);
    expect(report.modelCalls[0]).toMatchObject({
      provider: "langchain",
      inputTokens: 4000,
      cachedInputTokens: 3500,
    });
    expect(report.tokens).toEqual({ input: 8000, output: 180, cached: 7000 });
    const db = (await rig.world("shop")).find((entry) => entry.name === "db");
    expect(db?.properties["publiclyAccessible"]).toBe(false);
  });

  it("revises the spec after a permanent error, through the recovery tools, and applies", async () => {
    rig = agentRig({
      env: {
        aws: {
          MOCK_FAULTS: JSON.stringify([
            {
              match: "db",
              op: "create",
              always: true,
              code: "QUOTA_EXCEEDED",
              message: "DB instance quota reached",
            },
          ]),
        },
      },
    });
    const { chat, model } = bridged([
      callTool("submit_deployment", { spec: WEB }),
      callTool("revise_deployment", {
        spec: withDb({}, "db-small"),
        reason: "the quota is reached for db; use a differently named instance",
      }),
    ]);
    const report = await rig.run("web server and database", model);
    expect(report.outcome, report.reason).toBe("succeeded");
    expect(report.recovery.map((entry) => entry.action)).toEqual(["revise"]);
    expect(JSON.stringify(chat.calls[1]!.messages)).toContain("QUOTA_EXCEEDED");
    // Recovery offers its own four tools: a second tool set, bound once.
    expect(chat.bindCount).toBe(2);
    expect(JSON.stringify(chat.calls[1]!.tools)).toContain("revise_deployment");
    const names = (await rig.world("shop")).map((entry) => entry.name).sort();
    expect(names).toEqual(["db-small", "subnet", "vpc", "web-1"]);
  });

  it("gets every request through the secret scrubber", async () => {
    const canaries = {
      config: "canary-config-4d1e77",
      spec: "canary-spec-b8c0a2",
      output: "canary-output-3f9e51",
    };
    rig = agentRig();
    const seed = writeSeed(rig.dir, [
      {
        type: "opnsense:security:user",
        id: "seeded-user",
        name: "ops",
        properties: { username: "ops", groups: ["admins"], password: canaries.output },
      },
    ]);
    await rig.close();
    rig = agentRig({ env: { opnsense: { OPNSENSE_API_SECRET: canaries.config, MOCK_SEED_FILE: seed } } });
    const { chat, model } = bridged([
      callTool("list_resources", { type: "opnsense:security:user" }),
      // The model echoes the config's secret; the scrubber takes it out before the next request.
      callTool("submit_deployment", {
        spec: withDb({ publiclyAccessible: true, password: canaries.spec }),
        notes: canaries.config,
      }),
      callTool("submit_deployment", { spec: withDb({ password: canaries.spec }) }),
    ]);
    const report = await rig.run("web server and a database with a password", model);
    expect(report.outcome, report.reason).toBe("succeeded");
    const sent = JSON.stringify(chat.calls);
    expect(sent).toContain("ops"); // the listing reached the model
    for (const canary of Object.values(canaries)) expect(sent).not.toContain(canary);
  });
});

describe("LangChain's ChatOpenAI runs the README's goal", RUN_TIMEOUT, () => {
  it("plans, applies and remembers the web app through the loopback Chat Completions server", async () => {
    const goal = "deploy a web app with a load balancer and a postgres database";
    const offline = planOffline(goal);
    if (offline.kind !== "planned") throw new Error(`the offline planner declined: ${offline.reason}`);
    const server = await startOpenAIWireServer(() =>
      openaiCompletion(
        {
          content: null,
          tool_calls: [
            {
              id: "call_1",
              function: {
                name: "submit_deployment",
                arguments: JSON.stringify({ spec: offline.deployment }),
              },
            },
          ],
        },
        {
          usage: {
            prompt_tokens: 5200,
            completion_tokens: 700,
            prompt_tokens_details: { cached_tokens: 4096 },
          },
        },
      ),
    );
    try {
      rig = agentRig();
      const { model, description } = selectModel(
        {
          provider: "langchain",
          package: "@langchain/openai",
          class: "ChatOpenAI",
          options: {
            model: "gpt-4o-mini",
            apiKey: "sk-lc-readme-key",
            configuration: { baseURL: server.url },
          },
        },
        {},
        {},
        { maxRetries: 0 },
      );
      expect(description).toMatch(/^model: langchain ChatOpenAI gpt-4o-mini/);
      const report = await rig.run(goal, model);
      expect(report.outcome, report.reason).toBe("succeeded");
      expect(report.modelCalls).toEqual([
        expect.objectContaining({ provider: "langchain", inputTokens: 5200, cachedInputTokens: 4096 }),
      ]);
      const body = server.requests[0]!;
      expect(body.model).toBe("gpt-4o-mini");
      expect(body.messages[0]).toMatchObject({ role: "system" });
      expect(body.messages[1]).toMatchObject({ role: "user" });
      expect(JSON.stringify(body.messages[1])).toContain(goal);
      expect(body.tools?.map((tool) => (tool.type === "function" ? tool.function.name : ""))).toContain(
        "submit_deployment",
      );
      expect(JSON.stringify(body)).not.toContain("sk-lc-readme-key");
      const world = await rig.world(offline.deployment.name);
      expect(world.map((entry) => entry.type).sort()).toEqual(
        offline.deployment.resources.map((resource) => resource.type).sort(),
      );
      expect(rig.events.some((event) => event.type === "memory.saved")).toBe(true);
    } finally {
      await server.close();
    }
  });
});
