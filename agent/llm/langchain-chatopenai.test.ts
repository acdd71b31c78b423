import { ChatOpenAI } from "@langchain/openai";
import { describe, expect, it } from "vitest";
import { createLangChainModel } from "./langchain.ts";
import { createOpenAIModel } from "./openai.ts";
import { chatRequest, modelFailureOf, wireServerPerTest } from "./testing/adapter-test-kit.ts";
import type { ChatMessage, ToolSpec } from "./types.ts";
import { openaiCompletion, openaiError, startOpenAIWireServer } from "./wire/openai-wire-server.ts";
import type { WireReply } from "./wire/wire-server.ts";

const KEY = "sk-proj-langchain-secret-0123456789";

const LIST_TOOL: ToolSpec = {
  name: "listResources",
  description: "List resources a provider manages",
  inputSchema: { type: "object", properties: { type: { type: "string" } } },
};

const serve = wireServerPerTest(startOpenAIWireServer);

function chatOpenAI(url: string, options: { maxRetries?: number; timeoutMs?: number } = {}) {
  const chatModel = new ChatOpenAI({
    model: "gpt-4o-mini",
    apiKey: KEY,
    configuration: { baseURL: url },
    maxRetries: options.maxRetries ?? 0,
  });
  return createLangChainModel({
    chatModel,
    className: "ChatOpenAI",
    packageName: "@langchain/openai",
    model: "gpt-4o-mini",
    keyVariable: "OPENAI_API_KEY",
    endpoint: url,
    secrets: [KEY],
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
}

describe("LangChain's ChatOpenAI through the adapter, against the loopback Chat Completions server", () => {
  it("round-trips a tool call with function tools and tool messages, and reads cached usage", async () => {
    const wire = await serve((_body, index) =>
      index === 0
        ? openaiCompletion(
            {
              content: null,
              tool_calls: [
                {
                  id: "call_1",
                  function: { name: "listResources", arguments: '{"type":"opnsense:network:vlan"}' },
                },
              ],
            },
            {
              usage: {
                prompt_tokens: 2500,
                completion_tokens: 64,
                prompt_tokens_details: { cached_tokens: 2048 },
              },
            },
          )
        : openaiCompletion({ content: "VLAN 150 is free." }),
    );
    const model = chatOpenAI(wire.url);
    const messages: ChatMessage[] = [{ role: "user", content: "which VLAN tags are free?" }];
    const first = await model.generate(chatRequest(messages, { tools: [LIST_TOOL] }));
    expect(first).toMatchObject({
      stopReason: "tool_use",
      content: [
        { type: "tool_call", id: "call_1", name: "listResources", input: { type: "opnsense:network:vlan" } },
      ],
      usage: { inputTokens: 2500, outputTokens: 64, cachedInputTokens: 2048, cacheWriteTokens: 0 },
      model: "gpt-4o-mini-2024-07-18",
    });
    messages.push({ role: "assistant", content: first.content });
    messages.push({ role: "tool", results: [{ toolCallId: "call_1", content: '{"resources":[]}' }] });
    const second = await model.generate(chatRequest(messages, { tools: [LIST_TOOL] }));
    expect(second.content).toEqual([{ type: "text", text: "VLAN 150 is free." }]);

    expect(wire.received[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    const [firstBody, secondBody] = wire.requests;
    expect(firstBody?.model).toBe("gpt-4o-mini");
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
    expect(secondBody?.messages).toMatchObject([
      { role: "system", content: "You plan infrastructure.\n\nProvider schemas: ..." },
      { role: "user", content: "which VLAN tags are free?" },
      {
        role: "assistant",
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "listResources", arguments: '{"type":"opnsense:network:vlan"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"resources":[]}' },
    ]);
    // The static prefix is the same bytes on both turns.
    expect(JSON.stringify(secondBody?.messages[0])).toBe(JSON.stringify(firstBody?.messages[0]));
  });

  it("gives up on a persistent 429 after its bounded retries with rate_limited", async () => {
    const wire = await serve(() =>
      openaiError(429, "requests", "Rate limit reached", {
        code: "rate_limit_exceeded",
        headers: { "retry-after": "0", "retry-after-ms": "1" },
      }),
    );
    const error = await modelFailureOf(
      chatOpenAI(wire.url, { maxRetries: 1 }).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error).toMatchObject({ kind: "rate_limited", retryable: true, status: 429 });
    expect(error.message).toMatch(
      /^ChatOpenAI \(@langchain\/openai at http:\/\/127\.0\.0\.1:\d+\/v1\) is rate limiting/,
    );
    expect(wire.requests).toHaveLength(2);
  });

  it("times out on a server that never answers", async () => {
    const wire = await serve(() => ({ hang: true }));
    const error = await modelFailureOf(
      chatOpenAI(wire.url, { timeoutMs: 150 }).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("timeout");
    expect(error.retryable).toBe(true);
  });

  it("reports an unreachable server as network", async () => {
    const wire = await serve(() => openaiCompletion({ content: "never" }));
    const url = wire.url;
    await wire.close();
    const error = await modelFailureOf(
      chatOpenAI(url).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("network");
    expect(error.message).toContain(url);
  });
});

/** Replies whose classification must be the same through LangChain as through the OpenAI SDK. */
const SAME_CLASSIFICATION: [string, () => WireReply][] = [
  [
    "a 429 rate limit",
    () =>
      openaiError(429, "requests", "Rate limit reached", {
        code: "rate_limit_exceeded",
        headers: { "retry-after": "0" },
      }),
  ],
  [
    "a 429 with no quota left",
    () =>
      openaiError(429, "insufficient_quota", "You exceeded your current quota", {
        code: "insufficient_quota",
      }),
  ],
  [
    "a 401 that echoes the key",
    () =>
      openaiError(401, "invalid_request_error", `Incorrect API key provided: ${KEY}`, {
        code: "invalid_api_key",
      }),
  ],
  [
    "a 404 unknown model",
    () => openaiError(404, "invalid_request_error", "The model does not exist", { code: "model_not_found" }),
  ],
  ["a 500", () => openaiError(500, "server_error", "The server had an error")],
  ["a 503 overloaded", () => openaiError(503, "server_error", "overloaded")],
  [
    "a tool call whose arguments are not JSON",
    () =>
      openaiCompletion({
        content: null,
        tool_calls: [
          { id: "call_1", function: { name: "submit_deployment", arguments: '{"spec": {name: oops' } },
        ],
      }),
  ],
];

describe("failures classified the same through LangChain as through the OpenAI SDK", () => {
  for (const [what, reply] of SAME_CLASSIFICATION) {
    it(`classifies ${what} the same`, async () => {
      const wire = await serve(reply);
      const request = () => chatRequest([{ role: "user", content: "hi" }], { tools: [LIST_TOOL] });
      const direct = await modelFailureOf(
        createOpenAIModel({
          apiKey: KEY,
          baseURL: wire.url,
          model: "gpt-4o-mini",
          env: {},
          maxRetries: 0,
        }).generate(request()),
      );
      const bridged = await modelFailureOf(chatOpenAI(wire.url).generate(request()));
      expect({
        kind: bridged.kind,
        retryable: bridged.retryable,
        status: bridged.status,
        code: bridged.code,
      }).toEqual({
        kind: direct.kind,
        retryable: direct.retryable,
        status: direct.status,
        code: direct.code,
      });
      for (const error of [direct, bridged]) expect(error.message).not.toContain(KEY);
      if (direct.kind === "malformed_response") expect(bridged.message).toContain('"submit_deployment"');
      if (direct.kind === "auth") expect(bridged.message).toContain("OPENAI_API_KEY");
    });
  }
});
