import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createReplayModel, type ModelCall, recordCalls } from "./recording.ts";
import { createScriptedModel } from "./scripted.ts";
import { type ChatMessage, ModelError, type ModelRequest } from "./types.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mcp-iac-llm-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function request(messages: ChatMessage[]): ModelRequest {
  return {
    system: "sys",
    context: "ctx",
    messages,
    tools: [{ name: "t", description: "d", inputSchema: {} }],
  };
}

function source() {
  return createScriptedModel([
    {
      content: [{ type: "tool_call", id: "c1", name: "t", input: { a: 1 } }],
      usage: { inputTokens: 100, outputTokens: 10, cachedInputTokens: 80 },
    },
    () => {
      throw new ModelError("overloaded", "busy", { status: 529 });
    },
    { content: [{ type: "text", text: "done" }], stopReason: "end" },
  ]);
}

describe("recordCalls", () => {
  it("reports each successful call and passes answers and errors through", async () => {
    const calls: ModelCall[] = [];
    const model = recordCalls(source(), (call) => calls.push(call));
    expect(model.provider).toBe("scripted");

    await model.generate(request([{ role: "user", content: "go" }]));
    await expect(model.generate(request([{ role: "user", content: "again" }]))).rejects.toMatchObject({
      kind: "overloaded",
    });
    await model.generate(request([{ role: "user", content: "third" }]));

    expect(calls).toEqual([
      {
        provider: "scripted",
        model: "scripted",
        latencyMs: 0,
        usage: { inputTokens: 100, outputTokens: 10, cachedInputTokens: 80, cacheWriteTokens: 0 },
        stopReason: "tool_use",
      },
      {
        provider: "scripted",
        model: "scripted",
        latencyMs: 0,
        usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 },
        stopReason: "end",
      },
    ]);
  });

  it("writes JSONL that createReplayModel serves back, errors included", async () => {
    const file = join(dir, "nested", "run.jsonl");
    const recorded = recordCalls(source(), () => {}, { jsonlFile: file });
    const asked = [
      request([{ role: "user", content: "go" }]),
      request([{ role: "user", content: "again" }]),
      request([{ role: "user", content: "third" }]),
    ];
    const original = [await recorded.generate(asked[0]!)];
    await expect(recorded.generate(asked[1]!)).rejects.toBeInstanceOf(ModelError);
    original.push(await recorded.generate(asked[2]!));

    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[1]!)).toMatchObject({ v: 1, error: { kind: "overloaded", status: 529 } });

    const replay = createReplayModel(file, { matchRequests: true });
    expect(await replay.generate(asked[0]!)).toEqual(original[0]);
    const error = await replay.generate(asked[1]!).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ kind: "overloaded", status: 529, retryable: true, message: "busy" });
    expect(await replay.generate(asked[2]!)).toEqual(original[1]);
    await expect(replay.generate(asked[2]!)).rejects.toThrow(/script has 3 turns/);
  });

  it("with matchRequests, names where a request drifted from the recording", async () => {
    const file = join(dir, "run.jsonl");
    await recordCalls(source(), () => {}, { jsonlFile: file }).generate(
      request([{ role: "user", content: "go" }]),
    );

    await expect(
      createReplayModel(file, { matchRequests: true }).generate(request([{ role: "user", content: "went" }])),
    ).rejects.toThrow(/call 1 differs from the recording at request\.messages\[0\]\.content/);
    // Lenient by default: the recorded answer still comes back.
    const lenient = await createReplayModel(file).generate(request([{ role: "user", content: "went" }]));
    expect(lenient.stopReason).toBe("tool_use");
  });

  it("names the file and line of a broken recording", () => {
    const file = join(dir, "broken.jsonl");
    writeFileSync(file, '{"v":1,"request":{},"response":{"content":[]}}\nnot json\n');
    expect(() => createReplayModel(file)).toThrow(`${file}:2 is not JSON`);
    expect(() => createReplayModel(join(dir, "missing.jsonl"))).toThrow(/cannot read recording/);
  });
});
