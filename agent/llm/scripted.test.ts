import { describe, expect, it } from "vitest";
import { createScriptedModel } from "./scripted.ts";
import { type ChatMessage, ModelError, type ModelRequest } from "./types.ts";

function request(messages: ChatMessage[]): ModelRequest {
  return { system: "sys", messages, tools: [] };
}

describe("scripted model", () => {
  it("serves turns in order, fills defaults, and records each request as it was", async () => {
    const model = createScriptedModel([
      { content: [{ type: "tool_call", id: "t1", name: "listResources", input: {} }] },
      (req, index) => ({
        content: [{ type: "text", text: `turn ${index} saw ${req.messages.length} messages` }],
        usage: { inputTokens: 7 },
      }),
    ]);
    const messages: ChatMessage[] = [{ role: "user", content: "go" }];

    const first = await model.generate(request(messages));
    expect(first).toEqual({
      content: [{ type: "tool_call", id: "t1", name: "listResources", input: {} }],
      stopReason: "tool_use",
      usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 },
      model: "scripted",
      latencyMs: 0,
    });
    messages.push({ role: "assistant", content: first.content });
    messages.push({ role: "tool", results: [{ toolCallId: "t1", content: "[]" }] });
    const second = await model.generate(request(messages));
    expect(second.content).toEqual([{ type: "text", text: "turn 1 saw 3 messages" }]);
    expect(second.stopReason).toBe("end");
    expect(second.usage.inputTokens).toBe(7);

    // The loop reused one array; the record keeps what each call saw.
    expect(model.requests.map((req) => req.messages.length)).toEqual([1, 3]);
    expect(model.remaining).toBe(0);
  });

  it("throws a clear error when the script runs out", async () => {
    const model = createScriptedModel([{ content: [{ type: "text", text: "only turn" }] }]);
    await model.generate(request([{ role: "user", content: "one" }]));
    await expect(model.generate(request([{ role: "user", content: "two" }]))).rejects.toThrow(
      /script has 1 turn and turn 2 was requested.*"two"/,
    );
    expect(model.requests).toHaveLength(2);
  });

  it("lets a turn throw, e.g. a ModelError to exercise recovery", async () => {
    const model = createScriptedModel([
      () => {
        throw new ModelError("rate_limited", "slow down");
      },
    ]);
    await expect(model.generate(request([]))).rejects.toMatchObject({
      kind: "rate_limited",
      retryable: true,
    });
  });

  it("honours an aborted signal", async () => {
    const model = createScriptedModel([{ content: [{ type: "text", text: "never" }] }]);
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(model.generate({ ...request([]), signal: controller.signal })).rejects.toThrow("stop");
    expect(model.requests).toHaveLength(0);
  });
});
