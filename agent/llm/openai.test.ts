import { describe, expect, it } from "vitest";
import { createOpenAIModel } from "./openai.ts";
import { chatRequest, modelFailureOf, wireServerPerTest } from "./testing/adapter-test-kit.ts";
import type { ChatMessage, ToolSpec } from "./types.ts";
import { openaiCompletion, openaiError, startOpenAIWireServer } from "./wire/openai-wire-server.ts";

const KEY = "sk-proj-loopback-secret-0123456789";

const LIST_TOOL: ToolSpec = {
  name: "listResources",
  description: "List resources a provider manages",
  inputSchema: { type: "object", properties: { type: { type: "string" } } },
};

const serve = wireServerPerTest(startOpenAIWireServer);

function modelFor(url: string, options: { maxRetries?: number; timeoutMs?: number; apiKey?: string } = {}) {
  return createOpenAIModel({ apiKey: KEY, baseURL: url, model: "gpt-4o-mini", env: {}, ...options });
}

describe("OpenAI adapter over the Chat Completions wire format", () => {
  it("answers a plain text turn with system and context as the first system message", async () => {
    const wire = await serve(() => openaiCompletion({ content: "A VLAN and a rule." }));
    const response = await modelFor(wire.url).generate(
      chatRequest([{ role: "user", content: "a guest VLAN" }]),
    );

    expect(response.content).toEqual([{ type: "text", text: "A VLAN and a rule." }]);
    expect(response.stopReason).toBe("end");
    expect(response.model).toBe("gpt-4o-mini-2024-07-18");
    expect(wire.received[0]?.path).toBe("/v1/chat/completions");
    expect(wire.received[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(wire.requests[0]).toEqual({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "You plan infrastructure.\n\nProvider schemas: ..." },
        { role: "user", content: "a guest VLAN" },
      ],
    });
  });

  it("round-trips a tool call: function call out, tool message back, final answer", async () => {
    const wire = await serve((_body, index) =>
      index === 0
        ? openaiCompletion({
            content: null,
            tool_calls: [
              {
                id: "call_1",
                function: { name: "listResources", arguments: '{"type":"opnsense:network:vlan"}' },
              },
              { id: "call_2", function: { name: "listResources", arguments: "" } },
            ],
          })
        : openaiCompletion({ content: "VLAN 150 is free." }),
    );
    const model = modelFor(wire.url);
    const messages: ChatMessage[] = [{ role: "user", content: "which VLAN tags are free?" }];

    const first = await model.generate(
      chatRequest(messages, { tools: [LIST_TOOL], maxTokens: 500, temperature: 0 }),
    );
    expect(first.stopReason).toBe("tool_use");
    expect(first.content).toEqual([
      { type: "tool_call", id: "call_1", name: "listResources", input: { type: "opnsense:network:vlan" } },
      { type: "tool_call", id: "call_2", name: "listResources", input: {} },
    ]);

    messages.push({ role: "assistant", content: first.content });
    messages.push({
      role: "tool",
      results: [
        { toolCallId: "call_1", content: '{"resources":[{"tag":100}]}' },
        { toolCallId: "call_2", content: "server unavailable", isError: true },
      ],
    });
    const second = await model.generate(chatRequest(messages, { tools: [LIST_TOOL] }));
    expect(second).toMatchObject({
      stopReason: "end",
      content: [{ type: "text", text: "VLAN 150 is free." }],
    });

    const [firstBody, secondBody] = wire.requests;
    expect(firstBody?.tools).toEqual([
      {
        type: "function",
        function: {
          name: "listResources",
          description: LIST_TOOL.description,
          parameters: LIST_TOOL.inputSchema,
        },
      },
    ]);
    // A custom base URL is an OpenAI-compatible server: it gets the classic max_tokens.
    expect(firstBody?.max_tokens).toBe(500);
    expect(firstBody?.temperature).toBe(0);
    expect(secondBody?.messages.slice(1)).toEqual([
      { role: "user", content: "which VLAN tags are free?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "listResources", arguments: '{"type":"opnsense:network:vlan"}' },
          },
          { id: "call_2", type: "function", function: { name: "listResources", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"resources":[{"tag":100}]}' },
      { role: "tool", tool_call_id: "call_2", content: "Error: server unavailable" },
    ]);
  });

  it("trusts the tool calls over a finish_reason of stop, as some local servers send", async () => {
    const wire = await serve(() =>
      openaiCompletion(
        { tool_calls: [{ id: "", function: { name: "listResources", arguments: "{}" } }] },
        { finish_reason: "stop" },
      ),
    );
    const response = await modelFor(wire.url).generate(chatRequest([{ role: "user", content: "hi" }]));
    expect(response.stopReason).toBe("tool_use");
    expect(response.content).toEqual([{ type: "tool_call", id: "call_0", name: "listResources", input: {} }]);
  });

  it("maps usage including cached prompt tokens, and length as max_tokens", async () => {
    const wire = await serve(() =>
      openaiCompletion(
        { content: "partial" },
        {
          finish_reason: "length",
          usage: {
            prompt_tokens: 2500,
            completion_tokens: 64,
            prompt_tokens_details: { cached_tokens: 2048 },
          },
        },
      ),
    );
    const response = await modelFor(wire.url).generate(chatRequest([{ role: "user", content: "hi" }]));
    expect(response.stopReason).toBe("max_tokens");
    expect(response.usage).toEqual({
      inputTokens: 2500,
      outputTokens: 64,
      cachedInputTokens: 2048,
      cacheWriteTokens: 0,
    });
  });

  it("reads zero usage from a server that reports none", async () => {
    const wire = await serve(() => openaiCompletion({ content: "ok" }, { usage: null }));
    const response = await modelFor(wire.url).generate(chatRequest([{ role: "user", content: "hi" }]));
    expect(response.usage).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
    });
  });

  it("gives up on a persistent 429 after the bounded retries with rate_limited", async () => {
    const wire = await serve(() =>
      openaiError(429, "requests", "Rate limit reached", {
        code: "rate_limit_exceeded",
        headers: { "retry-after": "0", "retry-after-ms": "1" },
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
        ? openaiError(429, "requests", "slow down", {
            headers: { "retry-after": "0", "retry-after-ms": "1" },
          })
        : openaiCompletion({ content: "after the wait" }),
    );
    const response = await modelFor(wire.url, { maxRetries: 2 }).generate(
      chatRequest([{ role: "user", content: "hi" }]),
    );
    expect(response.content).toEqual([{ type: "text", text: "after the wait" }]);
    expect(wire.requests).toHaveLength(2);
  });

  it("treats an exhausted quota (429 insufficient_quota) as auth, not worth retrying", async () => {
    const wire = await serve(() =>
      openaiError(429, "insufficient_quota", "You exceeded your current quota", {
        code: "insufficient_quota",
        headers: { "x-should-retry": "false" },
      }),
    );
    const error = await modelFailureOf(
      modelFor(wire.url).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("auth");
    expect(error.retryable).toBe(false);
  });

  it("classifies a failing server (500) as overloaded after its retries", async () => {
    const wire = await serve(() =>
      openaiError(500, "server_error", "The server had an error", { headers: { "retry-after-ms": "1" } }),
    );
    const error = await modelFailureOf(
      modelFor(wire.url, { maxRetries: 1 }).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("overloaded");
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

  it("rejects function arguments that are not JSON as malformed_response naming the tool", async () => {
    const wire = await serve(() =>
      openaiCompletion({
        tool_calls: [{ id: "call_9", function: { name: "submit_deployment", arguments: "not json" } }],
      }),
    );
    const error = await modelFailureOf(
      modelFor(wire.url).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("malformed_response");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("submit_deployment");
  });

  it("rejects JSON arguments that are not an object as malformed_response", async () => {
    const wire = await serve(() =>
      openaiCompletion({
        tool_calls: [{ id: "call_9", function: { name: "submit_deployment", arguments: "[1,2]" } }],
      }),
    );
    const error = await modelFailureOf(
      modelFor(wire.url).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("malformed_response");
    expect(error.message).toContain("submit_deployment");
  });

  it("rejects an answer without choices or content as malformed_response", async () => {
    const wire = await serve((_body, index) =>
      index === 0 ? { body: { object: "chat.completion", choices: [] } } : openaiCompletion({ content: "" }),
    );
    const model = modelFor(wire.url);
    expect((await modelFailureOf(model.generate(chatRequest([{ role: "user", content: "hi" }])))).kind).toBe(
      "malformed_response",
    );
    expect((await modelFailureOf(model.generate(chatRequest([{ role: "user", content: "hi" }])))).kind).toBe(
      "malformed_response",
    );
  });

  it("turns a 401 into auth, naming OPENAI_API_KEY and never the key", async () => {
    const wire = await serve(() =>
      openaiError(401, "invalid_request_error", `Incorrect API key provided: ${KEY}.`, {
        code: "invalid_api_key",
      }),
    );
    const error = await modelFailureOf(
      modelFor(wire.url).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("auth");
    expect(error.status).toBe(401);
    expect(error.message).toContain("OPENAI_API_KEY");
    expect(error.message).not.toContain(KEY);
    expect(wire.requests).toHaveLength(1);
  });

  it("works without a key against a local server, sending a placeholder", async () => {
    const wire = await serve(() => openaiCompletion({ content: "hello from llama" }));
    const model = createOpenAIModel({ baseURL: wire.url, model: "llama3.1", env: {} });
    const response = await model.generate(chatRequest([{ role: "user", content: "hi" }]));
    expect(response.content).toEqual([{ type: "text", text: "hello from llama" }]);
    expect(wire.received[0]?.headers.authorization).toMatch(/^Bearer \S+/);
  });

  it("reads the base URL from OPENAI_BASE_URL of the environment it is given", async () => {
    const wire = await serve(() => openaiCompletion({ content: "via env" }));
    const model = createOpenAIModel({ model: "llama3.1", env: { OPENAI_BASE_URL: wire.url } });
    expect((await model.generate(chatRequest([{ role: "user", content: "hi" }]))).content).toEqual([
      { type: "text", text: "via env" },
    ]);
  });

  it("refuses to start without a key or a base URL", () => {
    expect(() => createOpenAIModel({ model: "gpt-4o-mini", env: {} })).toThrow(/OPENAI_API_KEY is not set/);
  });

  it("refuses a base URL that is not a URL, naming it", () => {
    expect(() =>
      createOpenAIModel({ model: "llama3.1", env: { OPENAI_BASE_URL: "localhost 11434" } }),
    ).toThrow(/"localhost 11434" is not a URL/);
  });
});
