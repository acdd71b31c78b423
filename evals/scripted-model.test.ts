import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { recordCalls } from "../agent/llm/recording.ts";
import { createScriptedModel } from "../agent/llm/scripted.ts";
import type { ModelRequest } from "../agent/llm/types.ts";
import { ModelScriptSchema } from "./case-fields.ts";
import { startScriptedModel, wireTurns } from "./scripted-model.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const REQUEST: ModelRequest = {
  system: "plan",
  messages: [{ role: "user", content: "a bucket" }],
  tools: [
    { name: "submit_deployment", description: "submit", inputSchema: { type: "object", properties: {} } },
  ],
};
const SPEC = {
  name: "site",
  resources: [{ type: "aws:s3:bucket", name: "b", properties: { bucketName: "x" } }],
};

describe("the scripted planner's wire", () => {
  it("turns the shorthands into the planner's and recovery's tool calls", () => {
    const script = ModelScriptSchema.parse({
      usage: { input: 100 },
      turns: [
        { submit: SPEC },
        { revise: SPEC, reason: "smaller" },
        { recover: { action: "rollback", reason: "r" } },
      ],
    });
    const turns = wireTurns(script, "/nowhere");
    expect(
      turns.map((turn) => turn.content.map((block) => (block.type === "tool_call" ? block.name : "text"))),
    ).toEqual([["submit_deployment"], ["revise_deployment"], ["rollback"]]);
    expect(turns[1]!.content[0]).toMatchObject({ input: { spec: SPEC, reason: "smaller" } });
    expect(turns[0]!.usage).toEqual({ input: 100, output: 150, cached: 0 });
  });

  for (const wire of ["openai", "anthropic"] as const) {
    it(`serves the turns through the real ${wire} adapter, with usage as the vendor reports it`, async () => {
      const scripted = await startScriptedModel(
        ModelScriptSchema.parse({
          wire,
          turns: [{ submit: SPEC, usage: { input: 900, output: 80, cached: 600 } }],
        }),
        "/nowhere",
      );
      try {
        const response = await scripted.model.generate(REQUEST);
        expect(response.content).toEqual([
          { type: "tool_call", id: "call_1_1", name: "submit_deployment", input: { spec: SPEC } },
        ]);
        expect(response.usage).toMatchObject({ inputTokens: 900, outputTokens: 80, cachedInputTokens: 600 });
        expect(JSON.stringify(scripted.requests[0])).toContain("a bucket");
        // Past the script: a clear error, not a hang.
        await expect(scripted.model.generate(REQUEST)).rejects.toThrow(
          /the script has 1 turns and turn 2 was requested/,
        );
      } finally {
        await scripted.close();
      }
    });
  }

  it("replays a recorded conversation (JSONL) over the wire, answers and errors alike", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-iac-replay-"));
    dirs.push(dir);
    const file = join(dir, "conversation.jsonl");
    const live = recordCalls(
      createScriptedModel([{ content: [{ type: "text", text: "thinking" }], usage: { inputTokens: 7 } }]),
      () => {},
      { jsonlFile: file },
    );
    await live.generate(REQUEST);
    const scripted = await startScriptedModel(
      ModelScriptSchema.parse({ recording: "conversation.jsonl" }),
      dir,
    );
    try {
      const response = await scripted.model.generate(REQUEST);
      expect(response.content).toEqual([{ type: "text", text: "thinking" }]);
      expect(response.usage.inputTokens).toBe(7);
    } finally {
      await scripted.close();
    }
    writeFileSync(file, "not json\n");
    expect(() => wireTurns(ModelScriptSchema.parse({ recording: "conversation.jsonl" }), dir)).toThrow(
      /conversation.jsonl:1 is not JSON/,
    );
  });
});
