import { describe, expect, it } from "vitest";
import { createLangChainModel } from "./langchain.ts";
import { chatRequest, modelFailureOf } from "./testing/adapter-test-kit.ts";
import { ScriptedChatModel, TextOnlyChatModel } from "./testing/scripted-chat-model.ts";
import type { ChatMessage, ToolSpec } from "./types.ts";

const LIST_TOOL: ToolSpec = {
  name: "listResources",
  description: "List resources a provider manages",
  inputSchema: { type: "object", properties: { type: { type: "string" } } },
};

function scripted(chatModel: ScriptedChatModel | TextOnlyChatModel) {
  return createLangChainModel({
    chatModel,
    className: "ScriptedChatModel",
    packageName: "test",
    model: "scripted-1",
  });
}
describe("LangChain adapter over a scripted BaseChatModel", () => {
  it("maps text blocks, tool calls without ids, cut-off answers and usage with cache reads and writes", async () => {
    const chat = new ScriptedChatModel([
      {
        content: [
          { type: "text", text: "Looking " },
          { type: "text", text: "first." },
        ],
        tool_calls: [{ name: "listResources", args: { type: "opnsense:network:vlan" }, type: "tool_call" }],
        usage_metadata: {
          input_tokens: 3620,
          output_tokens: 40,
          total_tokens: 3660,
          input_token_details: { cache_read: 3000, cache_creation: 500 },
        },
        response_metadata: { model_name: "scripted-1-2026" },
      },
      { content: "partial", response_metadata: { stop_reason: "max_tokens" } },
    ]);
    const model = scripted(chat);
    const first = await model.generate(
      chatRequest([{ role: "user", content: "hi" }], { tools: [LIST_TOOL] }),
    );
    expect(first).toMatchObject({
      content: [
        { type: "text", text: "Looking first." },
        { type: "tool_call", id: "call_0", name: "listResources", input: { type: "opnsense:network:vlan" } },
      ],
      stopReason: "tool_use",
      usage: { inputTokens: 3620, outputTokens: 40, cachedInputTokens: 3000, cacheWriteTokens: 500 },
      model: "scripted-1-2026",
    });
    const second = await model.generate(chatRequest([{ role: "user", content: "hi" }]));
    expect(second).toMatchObject({ stopReason: "max_tokens", model: "scripted-1" });
    expect(second.usage).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
    });
    // Without tools nothing is bound.
    expect(chat.calls[1]?.tools).toEqual([]);
  });

  it("sends tool results as ToolMessages, an error flagged in status and text", async () => {
    const chat = new ScriptedChatModel([{ content: "done" }]);
    const messages: ChatMessage[] = [
      { role: "user", content: "plan it" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me look." },
          { type: "tool_call", id: "t1", name: "listResources", input: { type: "x" } },
        ],
      },
      {
        role: "tool",
        results: [
          { toolCallId: "t1", content: "[]" },
          { toolCallId: "t2", content: "server unavailable", isError: true },
        ],
      },
    ];
    await scripted(chat).generate(chatRequest(messages, { tools: [LIST_TOOL] }));
    expect(chat.calls[0]?.messages).toEqual([
      { type: "system", content: "You plan infrastructure.\n\nProvider schemas: ..." },
      { type: "human", content: "plan it" },
      {
        type: "ai",
        content: "Let me look.",
        tool_calls: [{ id: "t1", name: "listResources", args: { type: "x" }, type: "tool_call" }],
      },
      { type: "tool", content: "[]", tool_call_id: "t1", status: "success" },
      { type: "tool", content: "Error: server unavailable", tool_call_id: "t2", status: "error" },
    ]);
    expect(chat.calls[0]?.tools).toEqual([
      {
        type: "function",
        function: {
          name: "listResources",
          description: LIST_TOOL.description,
          parameters: LIST_TOOL.inputSchema,
        },
      },
    ]);
  });

  it("binds a tool set once, so the prompt prefix is the same bytes on every turn", async () => {
    const chat = new ScriptedChatModel([{ content: "a" }, { content: "b" }, { content: "c" }]);
    const model = scripted(chat);
    await model.generate(chatRequest([{ role: "user", content: "one" }], { tools: [LIST_TOOL] }));
    await model.generate(chatRequest([{ role: "user", content: "two" }], { tools: [LIST_TOOL] }));
    expect(chat.bindCount).toBe(1);
    await model.generate(
      chatRequest([{ role: "user", content: "three" }], { tools: [{ ...LIST_TOOL, name: "other" }] }),
    );
    expect(chat.bindCount).toBe(2);
    expect(chat.calls[0]?.messages[0]).toEqual(chat.calls[1]?.messages[0]);
    expect(chat.calls[0]?.tools).toEqual(chat.calls[1]?.tools);
  });

  it("marks the system text cacheable for an Anthropic chat model, and only for it", async () => {
    class AnthropicLike extends ScriptedChatModel {
      override _llmType(): string {
        return "anthropic";
      }
    }
    const chat = new AnthropicLike([{ content: "ok" }]);
    await scripted(chat).generate(chatRequest([{ role: "user", content: "hi" }]));
    expect(chat.calls[0]?.messages[0]).toEqual({
      type: "system",
      content: [
        {
          type: "text",
          text: "You plan infrastructure.\n\nProvider schemas: ...",
          cache_control: { type: "ephemeral" },
        },
      ],
    });
  });

  it("treats invalid_tool_calls as a malformed tool call", async () => {
    const chat = new ScriptedChatModel([
      {
        content: "",
        invalid_tool_calls: [
          {
            name: "submit_deployment",
            args: "{spec: oops",
            id: "c1",
            error: "Malformed args.",
            type: "invalid_tool_call",
          },
        ],
      },
    ]);
    const error = await modelFailureOf(
      scripted(chat).generate(chatRequest([{ role: "user", content: "hi" }])),
    );
    expect(error.kind).toBe("malformed_response");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('"submit_deployment"');
  });

  it("rejects tool arguments that are not an object, and an empty turn", async () => {
    const chat = new ScriptedChatModel([
      { content: "", tool_calls: [{ name: "listResources", args: ["a"] as never, id: "c1" }] },
      { content: "" },
    ]);
    const model = scripted(chat);
    const badArgs = await modelFailureOf(model.generate(chatRequest([{ role: "user", content: "hi" }])));
    expect(badArgs.message).toMatch(/"listResources" whose input is an array/);
    const empty = await modelFailureOf(model.generate(chatRequest([{ role: "user", content: "hi" }])));
    expect(empty.kind).toBe("malformed_response");
  });

  it("refuses a chat model class without bindTools, naming it", () => {
    expect(() =>
      createLangChainModel({
        chatModel: new TextOnlyChatModel({}),
        className: "TextOnlyChatModel",
        packageName: "@example/text-only",
        model: "t",
      }),
    ).toThrow(/TextOnlyChatModel from @example\/text-only has no bindTools/);
  });

  it("hands back the caller's abort reason instead of a model error", async () => {
    const controller = new AbortController();
    const reason = new Error("user pressed ctrl-c");
    const chat = new ScriptedChatModel([
      () => {
        controller.abort(reason);
        throw new Error("aborted inside the integration");
      },
    ]);
    await expect(
      scripted(chat).generate(chatRequest([{ role: "user", content: "hi" }], { signal: controller.signal })),
    ).rejects.toBe(reason);
  });
});
