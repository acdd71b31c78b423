import { describe, expect, it } from "vitest";
import { createAnthropicModel } from "./anthropic.ts";
import { chatRequest, modelFailureOf, wireServerPerTest } from "./testing/adapter-test-kit.ts";
import type { ChatMessage, ToolSpec } from "./types.ts";
import { anthropicError, anthropicMessage, startAnthropicWireServer } from "./wire/anthropic-wire-server.ts";

const KEY = "sk-ant-loopback-secret-0123456789";

const LIST_TOOL: ToolSpec = {
  name: "listResources",
  description: "List resources a provider manages",
  inputSchema: { type: "object", properties: { type: { type: "string" } } },
};
const SUBMIT_TOOL: ToolSpec = {
  name: "submit_deployment",
  description: "Submit the deployment spec",
  inputSchema: { type: "object", properties: { spec: { type: "object" } }, required: ["spec"] },
};

const serve = wireServerPerTest(startAnthropicWireServer);

function modelFor(url: string, options: { maxRetries?: number; timeoutMs?: number } = {}) {
  return createAnthropicModel({ apiKey: KEY, baseURL: url, model: "claude-loopback", env: {}, ...options });
}

describe("Anthropic adapter over the Messages wire format", () => {
  it("answers a plain text turn and sends system and context as cached system blocks", async () => {
    const wire = await serve(() => anthropicMessage([{ type: "text", text: "A VLAN and a rule." }]));
    const response = await modelFor(wire.url).generate(
      chatRequest([{ role: "user", content: "a guest VLAN" }]),
    );

    expect(response.content).toEqual([{ type: "text", text: "A VLAN and a rule." }]);
    expect(response.stopReason).toBe("end");
    expect(response.model).toBe("claude-sonnet-4-5-20250929");
    expect(response.latencyMs).toBeGreaterThanOrEqual(0);

    // SDK 1.x sends the key as a bearer token.
    expect(wire.received[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    const body = wire.requests[0]!;
    expect(body.model).toBe("claude-loopback");
    expect(body.max_tokens).toBe(8192);
    expect(body.system).toEqual([
      { type: "text", text: "You plan infrastructure." },
      { type: "text", text: "Provider schemas: ...", cache_control: { type: "ephemeral" } },
    ]);
    expect(body.tools).toBeUndefined();
    expect(body.messages).toEqual([
      {
        role: "user",
        content: [{ type: "text", text: "a guest VLAN", cache_control: { type: "ephemeral" } }],
      },
    ]);
  });

  it("round-trips a tool call: tool_use out, tool_result back, final answer", async () => {
    const wire = await serve((_body, index) =>
      index === 0
        ? anthropicMessage([
            { type: "text", text: "Let me look." },
            {
              type: "tool_use",
              id: "toolu_01",
              name: "listResources",
              input: { type: "opnsense:network:vlan" },
            },
          ])
        : anthropicMessage([{ type: "text", text: "VLAN 150 is free." }]),
    );
    const model = modelFor(wire.url);
    const messages: ChatMessage[] = [{ role: "user", content: "which VLAN tags are free?" }];
    const tools = [LIST_TOOL, SUBMIT_TOOL];

    const first = await model.generate(chatRequest(messages, { tools, temperature: 0.2, maxTokens: 1000 }));
    expect(first.stopReason).toBe("tool_use");
    expect(first.content).toEqual([
      { type: "text", text: "Let me look." },
      { type: "tool_call", id: "toolu_01", name: "listResources", input: { type: "opnsense:network:vlan" } },
    ]);

    messages.push({ role: "assistant", content: first.content });
    messages.push({
      role: "tool",
      results: [
        { toolCallId: "toolu_01", content: '{"resources":[{"tag":100}]}' },
        { toolCallId: "toolu_02", content: "server unavailable", isError: true },
      ],
    });
    const second = await model.generate(chatRequest(messages, { tools }));
    expect(second).toMatchObject({
      stopReason: "end",
      content: [{ type: "text", text: "VLAN 150 is free." }],
    });

    const [firstBody, secondBody] = wire.requests;
    expect(firstBody).not.toHaveProperty("temperature");
    expect(firstBody?.max_tokens).toBe(1000);
    expect(firstBody?.tools).toEqual([
      { name: "listResources", description: LIST_TOOL.description, input_schema: LIST_TOOL.inputSchema },
      {
        name: "submit_deployment",
        description: SUBMIT_TOOL.description,
        input_schema: SUBMIT_TOOL.inputSchema,
        cache_control: { type: "ephemeral" },
      },
    ]);
    expect(secondBody?.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "which VLAN tags are free?" }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me look." },
          {
            type: "tool_use",
            id: "toolu_01",
            name: "listResources",
            input: { type: "opnsense:network:vlan" },
          },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_01", content: '{"resources":[{"tag":100}]}' },
          {
            type: "tool_result",
            tool_use_id: "toolu_02",
            content: "server unavailable",
            is_error: true,
            cache_control: { type: "ephemeral" },
          },
        ],
      },
    ]);
  });

  it("keeps tool results and the next user words in one user turn", async () => {
    const wire = await serve(() => anthropicMessage([{ type: "text", text: "ok" }]));
    await modelFor(wire.url).generate(
      chatRequest([
        { role: "user", content: "plan it" },
        { role: "assistant", content: [{ type: "tool_call", id: "t1", name: "listResources", input: {} }] },
        { role: "tool", results: [{ toolCallId: "t1", content: "[]" }] },
        { role: "user", content: "and add a DNS name" },
      ]),
    );
    const messages = wire.requests[0]?.messages ?? [];
    expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    expect(messages[2]?.content).toEqual([
      { type: "tool_result", tool_use_id: "t1", content: "[]" },
      { type: "text", text: "and add a DNS name", cache_control: { type: "ephemeral" } },
    ]);
  });

  it("maps usage, counting cache reads and writes into the prompt total", async () => {
    const wire = await serve(() =>
      anthropicMessage([{ type: "text", text: "done" }], {
        usage: {
          input_tokens: 120,
          output_tokens: 40,
          cache_read_input_tokens: 3000,
          cache_creation_input_tokens: 500,
        },
      }),
    );
    const response = await modelFor(wire.url).generate(chatRequest([{ role: "user", content: "hi" }]));
    expect(response.usage).toEqual({
      inputTokens: 3620,
      outputTokens: 40,
      cachedInputTokens: 3000,
      cacheWriteTokens: 500,
    });
  });

  it("ignores thinking blocks and reports max_tokens", async () => {
    const wire = await serve(() =>
      anthropicMessage(
        [
          { type: "thinking", thinking: "hmm", signature: "sig" },
          { type: "text", text: "partial" },
        ],
        { stop_reason: "max_tokens" },
      ),
    );
    const response = await modelFor(wire.url).generate(chatRequest([{ role: "user", content: "hi" }]));
    expect(response.content).toEqual([{ type: "text", text: "partial" }]);
    expect(response.stopReason).toBe("max_tokens");
  });

  it("gives up on a persistent 429 after the bounded retries with rate_limited", async () => {
    const wire = await serve(() =>
      anthropicError(429, "rate_limit_error", "Number of requests has exceeded your rate limit", {
        "retry-after": "0",
        "retry-after-ms": "1",
      }),
    );
    const error = await modelFailureOf(
      modelFor(wire.url, { maxRetries: 2 }).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("rate_limited");
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(429);
    expect(wire.requests).toHaveLength(3);
  });

  it("succeeds when a 429 is followed by an answer", async () => {
    const wire = await serve((_body, index) =>
      index === 0
        ? anthropicError(429, "rate_limit_error", "slow down", { "retry-after": "0", "retry-after-ms": "1" })
        : anthropicMessage([{ type: "text", text: "after the wait" }]),
    );
    const response = await modelFor(wire.url, { maxRetries: 2 }).generate(
      chatRequest([{ role: "user", content: "hi" }]),
    );
    expect(response.content).toEqual([{ type: "text", text: "after the wait" }]);
    expect(wire.requests).toHaveLength(2);
  });

  it("classifies 529 overloaded_error as overloaded", async () => {
    const wire = await serve(() =>
      anthropicError(529, "overloaded_error", "Overloaded", { "retry-after-ms": "1" }),
    );
    const error = await modelFailureOf(
      modelFor(wire.url, { maxRetries: 1 }).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("overloaded");
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(529);
    expect(wire.requests).toHaveLength(2);
  });

  it("times out on a server that never answers", async () => {
    const wire = await serve(() => ({ hang: true }));
    const error = await modelFailureOf(
      modelFor(wire.url, { maxRetries: 0, timeoutMs: 150 }).generate(
        chatRequest([{ role: "user", content: "hi" }]),
      ),
    );
    expect(error.kind).toBe("timeout");
    expect(error.retryable).toBe(true);
  });

  it("hands back the caller's abort reason instead of a model error", async () => {
    const wire = await serve(() => ({ hang: true }));
    const controller = new AbortController();
    const pending = modelFor(wire.url, { maxRetries: 0 }).generate(
      chatRequest([{ role: "user", content: "hi" }], { signal: controller.signal }),
    );
    while (wire.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const reason = new Error("user pressed ctrl-c");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("rejects a tool_use whose input is not an object as malformed_response", async () => {
    const wire = await serve(() =>
      anthropicMessage([{ type: "tool_use", id: "toolu_09", name: "submit_deployment", input: "spec: yes" }]),
    );
    const error = await modelFailureOf(
      modelFor(wire.url).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("malformed_response");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("submit_deployment");
  });

  it("rejects a turn with no usable content as malformed_response", async () => {
    const wire = await serve(() => anthropicMessage([]));
    const error = await modelFailureOf(
      modelFor(wire.url).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("malformed_response");
  });

  it("rejects a 200 that is not a Messages response as malformed_response", async () => {
    const wire = await serve(() => ({ body: { hello: "proxy login page" } }));
    const error = await modelFailureOf(
      modelFor(wire.url).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("malformed_response");
  });

  it("turns a 401 into auth, naming ANTHROPIC_API_KEY and never the key", async () => {
    const wire = await serve(() => anthropicError(401, "authentication_error", `invalid x-api-key ${KEY}`));
    const error = await modelFailureOf(
      modelFor(wire.url).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("auth");
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(401);
    expect(error.message).toContain("ANTHROPIC_API_KEY");
    expect(error.message).not.toContain(KEY);
    expect(wire.requests).toHaveLength(1);
  });

  it("reports an unreachable server as network", async () => {
    const wire = await serve(() => anthropicMessage([]));
    const url = wire.url;
    await wire.close();
    const error = await modelFailureOf(
      modelFor(url, { maxRetries: 0 }).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("network");
    expect(error.message).toContain(url);
  });

  it("refuses to start without a key or a base URL", () => {
    expect(() => createAnthropicModel({ model: "claude-sonnet-4-5", env: {} })).toThrow(
      /ANTHROPIC_API_KEY is not set/,
    );
  });
});
