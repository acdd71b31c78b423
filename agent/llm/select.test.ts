import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { selectModel } from "./select.ts";
import { ModelError } from "./types.ts";
import { type OpenAIWireServer, openaiCompletion, startOpenAIWireServer } from "./wire/openai-wire-server.ts";

const ANTHROPIC_KEY = "sk-ant-select-secret-0001";
const OPENAI_KEY = "sk-openai-select-secret-0002";

function expectNoKeys(description: string) {
  expect(description).not.toContain(ANTHROPIC_KEY);
  expect(description).not.toContain(OPENAI_KEY);
}

describe("selectModel (design §7)", () => {
  it("serves offline with neither key nor config, and says how to get a model", () => {
    const { model, description } = selectModel(undefined, {}, {});
    expect(model).toBeUndefined();
    expect(description).toBe(
      "model: none — the offline planner serves (set ANTHROPIC_API_KEY or OPENAI_API_KEY, or model: in mcp-iac.config.yaml)",
    );
  });

  it("treats empty key variables as unset", () => {
    expect(selectModel(undefined, { ANTHROPIC_API_KEY: "", OPENAI_API_KEY: " " }, {}).model).toBeUndefined();
  });

  it("picks Anthropic when ANTHROPIC_API_KEY is set, even with OPENAI_API_KEY too", () => {
    const { model, description } = selectModel(
      undefined,
      { ANTHROPIC_API_KEY: ANTHROPIC_KEY, OPENAI_API_KEY: OPENAI_KEY },
      {},
    );
    expect(model?.provider).toBe("anthropic");
    expect(model?.model).toBe("claude-sonnet-4-6");
    expect(description).toBe("model: anthropic claude-sonnet-4-6 (ANTHROPIC_API_KEY)");
    expectNoKeys(description);
  });

  it("picks OpenAI when only OPENAI_API_KEY is set", () => {
    const { model, description } = selectModel(undefined, { OPENAI_API_KEY: OPENAI_KEY }, {});
    expect(model?.provider).toBe("openai");
    expect(model?.model).toBe("gpt-4o-mini");
    expect(description).toBe("model: openai gpt-4o-mini (OPENAI_API_KEY)");
  });

  it("names the model with --model over MCP_IAC_MODEL over the default", () => {
    const env = { OPENAI_API_KEY: OPENAI_KEY, MCP_IAC_MODEL: "gpt-4.1" };
    expect(selectModel(undefined, env, {}).model?.model).toBe("gpt-4.1");
    expect(selectModel(undefined, env, { model: "gpt-5" }).model?.model).toBe("gpt-5");
  });

  it("says a named model was ignored when no key is set", () => {
    const { model, description } = selectModel(undefined, {}, { model: "claude-opus-4-1" });
    expect(model).toBeUndefined();
    expect(description).toContain("claude-opus-4-1 was named, but no key is set");
  });

  it("shows the base URL from the environment", () => {
    const { description } = selectModel(
      undefined,
      { ANTHROPIC_API_KEY: ANTHROPIC_KEY, ANTHROPIC_BASE_URL: "http://127.0.0.1:9/proxy" },
      {},
    );
    expect(description).toBe(
      "model: anthropic claude-sonnet-4-6 at http://127.0.0.1:9/proxy (ANTHROPIC_API_KEY)",
    );
  });

  it("lets the config's model win over the keys in the environment", () => {
    const env = { ANTHROPIC_API_KEY: ANTHROPIC_KEY, OPENAI_API_KEY: OPENAI_KEY };
    const { model, description } = selectModel({ provider: "openai", name: "gpt-4.1" }, env, {});
    expect(model?.provider).toBe("openai");
    expect(model?.model).toBe("gpt-4.1");
    expect(description).toBe("model: openai gpt-4.1 (model: in the config, OPENAI_API_KEY)");
    expectNoKeys(description);
  });

  it("lets --model and MCP_IAC_MODEL rename the config's model", () => {
    const env = { ANTHROPIC_API_KEY: ANTHROPIC_KEY, MCP_IAC_MODEL: "claude-opus-4-1" };
    expect(selectModel({ provider: "anthropic", name: "claude-sonnet-4-5" }, env, {}).model?.model).toBe(
      "claude-opus-4-1",
    );
    expect(
      selectModel({ provider: "anthropic", name: "claude-sonnet-4-5" }, env, { model: "claude-haiku-4-5" })
        .model?.model,
    ).toBe("claude-haiku-4-5");
  });

  it("serves offline when the config says so, keys or not", () => {
    const { model, description } = selectModel(
      { provider: "offline" },
      { ANTHROPIC_API_KEY: ANTHROPIC_KEY },
      {},
    );
    expect(model).toBeUndefined();
    expect(description).toBe("model: none — the offline planner serves (model: offline in the config)");
  });

  it("infers the provider of a bare config model name from its family", () => {
    const env = { ANTHROPIC_API_KEY: ANTHROPIC_KEY, OPENAI_API_KEY: OPENAI_KEY };
    expect(selectModel("gpt-4o", env, {}).model?.provider).toBe("openai");
    expect(selectModel({ name: "claude-haiku-4-5" }, env, {}).model?.provider).toBe("anthropic");
    // Otherwise the keys decide, as without a config.
    expect(selectModel({ name: "my-finetune" }, env, {}).model?.provider).toBe("anthropic");
  });

  it("fails with exit code 2 when the config picks a provider whose key is missing", () => {
    let caught: unknown;
    try {
      selectModel({ provider: "anthropic" }, { OPENAI_API_KEY: OPENAI_KEY }, {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ModelError);
    expect(caught).toMatchObject({ kind: "auth", exitCode: 2 });
    expect((caught as Error).message).toContain("ANTHROPIC_API_KEY is not set");
  });

  it("fails when the config names a model nobody can serve", () => {
    expect(() => selectModel({ name: "my-finetune" }, {}, {})).toThrow(/add provider: anthropic or openai/);
  });

  describe("with a local OpenAI-compatible server in the config", () => {
    let server: OpenAIWireServer | undefined;
    afterEach(async () => {
      await server?.close();
    });

    it("needs no key and talks to the configured base URL", async () => {
      server = await startOpenAIWireServer(() => openaiCompletion({ content: "local answer" }));
      const { model, description } = selectModel(
        { provider: "openai", name: "llama3.1", baseURL: server.url },
        {},
        {},
        {
          maxRetries: 0,
        },
      );
      expect(description).toBe(`model: openai llama3.1 at ${server.url} (model: in the config, no key)`);
      const response = await model!.generate({
        system: "s",
        messages: [{ role: "user", content: "hi" }],
        tools: [],
      });
      expect(response.content).toEqual([{ type: "text", text: "local answer" }]);
      expect(server.requests[0]?.model).toBe("llama3.1");
    });

    it("appends every call to the file MCP_IAC_RECORD_MODEL names, and says so", async () => {
      server = await startOpenAIWireServer(() => openaiCompletion({ content: "recorded answer" }));
      const file = join(mkdtempSync(join(tmpdir(), "select-record-")), "calls.jsonl");
      const { model, description } = selectModel(
        { provider: "openai", name: "llama3.1", baseURL: server.url },
        { MCP_IAC_RECORD_MODEL: file },
        {},
        { maxRetries: 0 },
      );
      expect(description).toBe(
        `model: openai llama3.1 at ${server.url} (model: in the config, no key), recorded to ${file}`,
      );
      await model!.generate({ system: "s", messages: [{ role: "user", content: "hi" }], tools: [] });
      const [line, ...rest] = readFileSync(file, "utf8").trim().split("\n");
      expect(rest).toEqual([]);
      expect(JSON.parse(line!)).toMatchObject({
        v: 1,
        provider: "openai",
        request: { system: "s" },
        response: { content: [{ type: "text", text: "recorded answer" }] },
      });
    });
  });

  it("records nothing for the offline planner, even when asked", () => {
    const selection = selectModel(undefined, { MCP_IAC_RECORD_MODEL: "/nonexistent/calls.jsonl" }, {});
    expect(selection.model).toBeUndefined();
    expect(selection.description).not.toContain("recorded");
  });
});
