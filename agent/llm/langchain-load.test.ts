import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../config.ts";
import { createLazyLangChainModel, langChainSpecOf, parseShortForm } from "./langchain-load.ts";
import { selectModel } from "./select.ts";
import { chatRequest, modelFailureOf, wireServerPerTest } from "./testing/adapter-test-kit.ts";
import { ModelError } from "./types.ts";
import { openaiCompletion, startOpenAIWireServer } from "./wire/openai-wire-server.ts";

const serve = wireServerPerTest(startOpenAIWireServer);

afterEach(() => {
  vi.unstubAllEnvs();
});

function thrown(run: () => unknown): ModelError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError);
    return error as ModelError;
  }
  throw new Error("expected a ModelError");
}

describe("the LangChain model config", () => {
  it("maps the short form to the integration's package and class, keeping colons in the model", () => {
    expect(parseShortForm("langchain:anthropic:claude-sonnet-4-6")).toEqual({
      package: "@langchain/anthropic",
      class: "ChatAnthropic",
      options: { model: "claude-sonnet-4-6" },
    });
    expect(parseShortForm("langchain:ollama:llama3.1:8b")).toEqual({
      package: "@langchain/ollama",
      class: "ChatOllama",
      options: { model: "llama3.1:8b" },
    });
  });

  it("names the known integrations when the short form names another, or no model", () => {
    const unknown = thrown(() => parseShortForm("langchain:palm:bison"));
    expect(unknown.exitCode).toBe(2);
    expect(unknown.message).toMatch(/integration "palm".*openai, azure_openai, anthropic/);
    expect(unknown.message).toContain("provider: langchain, package:");
    expect(thrown(() => parseShortForm("langchain:openai")).message).toMatch(/names no model/);
  });

  it("builds the long form with its options, the named model winning", () => {
    const block = {
      package: "@langchain/openai",
      class: "ChatOpenAI",
      options: { model: "a", temperature: 0 },
    };
    expect(langChainSpecOf(block, undefined)).toEqual({ ...block, options: { model: "a", temperature: 0 } });
    expect(langChainSpecOf(block, "gpt-4.1").options).toEqual({ model: "gpt-4.1", temperature: 0 });
    expect(langChainSpecOf({ name: "groq:llama-3.3-70b" }, undefined)).toMatchObject({ class: "ChatGroq" });
    expect(thrown(() => langChainSpecOf({ package: "@langchain/openai" }, undefined)).message).toMatch(
      /needs both package and class/,
    );
    expect(thrown(() => langChainSpecOf({}, undefined)).message).toMatch(/needs package and class/);
  });

  it("gives the exact npm install line for what is missing, before any call", () => {
    const spec = parseShortForm("langchain:anthropic:claude-sonnet-4-6");
    const onlyIntegration = thrown(() =>
      createLazyLangChainModel(spec, {}, (name) => (name === "@langchain/core" ? "/core" : undefined)),
    );
    expect(onlyIntegration.message).toMatch(
      /@langchain\/anthropic is not installed; run: npm install @langchain\/anthropic$/,
    );
    expect(onlyIntegration.exitCode).toBe(2);
    const both = thrown(() => createLazyLangChainModel(spec, {}, () => undefined));
    expect(both.message).toMatch(/run: npm install @langchain\/core @langchain\/anthropic$/);
    // The real resolver, on a package this checkout does not have.
    const real = thrown(() =>
      selectModel(
        { provider: "langchain", package: "@langchain/not-installed-here", class: "ChatX" },
        {},
        {},
      ),
    );
    expect(real.message).toMatch(/run: npm install @langchain\/not-installed-here$/);
  });

  it("parses provider: langchain in the config file, and refuses package or class without it", () => {
    const servers = { mcpServers: { docker: { builtin: "docker" } } };
    const model = {
      provider: "langchain",
      package: "@langchain/anthropic",
      class: "ChatAnthropic",
      options: { model: "claude-sonnet-4-6", temperature: 0 },
    };
    expect(parseConfig({ ...servers, model }, "mcp-iac.config.yaml").model).toEqual(model);
    expect(() =>
      parseConfig({ ...servers, model: { package: "@langchain/openai", class: "ChatOpenAI" } }, "c.yaml"),
    ).toThrow(/model.package and model.class belong to provider: langchain/);
    expect(() =>
      parseConfig({ ...servers, model: { provider: "langchain", class: "Chat-X" } }, "c.yaml"),
    ).toThrow(/model.class must name the chat model class/);
  });
});

describe("selectModel with provider: langchain", () => {
  it("loads ChatOpenAI from the config on the first call and talks to its base URL", async () => {
    const wire = await serve(() => openaiCompletion({ content: "through LangChain" }));
    const { model, description } = selectModel(
      {
        provider: "langchain",
        package: "@langchain/openai",
        class: "ChatOpenAI",
        options: { model: "llama3.1", apiKey: "sk-lc-config-key", configuration: { baseURL: wire.url } },
      },
      { ANTHROPIC_API_KEY: "sk-ant-ignored" },
      {},
      { maxRetries: 0 },
    );
    expect(description).toBe(
      "model: langchain ChatOpenAI llama3.1 (@langchain/openai, model: in the config)",
    );
    expect(model).toMatchObject({ provider: "langchain", model: "llama3.1" });
    expect(wire.requests).toHaveLength(0);
    const response = await model!.generate(chatRequest([{ role: "user", content: "hi" }]));
    expect(response.content).toEqual([{ type: "text", text: "through LangChain" }]);
    expect(wire.requests[0]?.model).toBe("llama3.1");
  });

  it("takes the short form from --model, the integration reading its own environment", async () => {
    const wire = await serve(() => openaiCompletion({ content: "short form" }));
    vi.stubEnv("OPENAI_API_KEY", "sk-lc-env-key");
    vi.stubEnv("OPENAI_BASE_URL", wire.url);
    const { model, description } = selectModel(
      undefined,
      {},
      { model: "langchain:openai:gpt-4.1" },
      { maxRetries: 0 },
    );
    expect(description).toBe(
      "model: langchain ChatOpenAI gpt-4.1 (@langchain/openai, --model or MCP_IAC_MODEL)",
    );
    await model!.generate(chatRequest([{ role: "user", content: "hi" }]));
    expect(wire.requests[0]?.model).toBe("gpt-4.1");
    expect(wire.received[0]?.headers.authorization).toBe("Bearer sk-lc-env-key");
  });

  it("names the classes a package has when the configured one is not among them", async () => {
    const { model } = selectModel(
      { provider: "langchain", package: "@langchain/openai", class: "ChatOpenAl" },
      {},
      {},
    );
    const error = await modelFailureOf(model!.generate(chatRequest([{ role: "user", content: "hi" }])));
    expect(error.message).toMatch(
      /@langchain\/openai has no export named ChatOpenAl; its chat model classes are .*ChatOpenAI/,
    );
    expect(error.exitCode).toBe(2);
  });

  it("says when the integration finds no key, as auth, naming the variable it reads", async () => {
    vi.stubEnv("OPENAI_API_KEY", "");
    const { model } = selectModel(
      {
        provider: "langchain",
        package: "@langchain/openai",
        class: "ChatOpenAI",
        options: { model: "gpt-4o" },
      },
      {},
      {},
    );
    const error = await modelFailureOf(model!.generate(chatRequest([{ role: "user", content: "hi" }])));
    expect(error.kind).toBe("auth");
    expect(error.message).toMatch(/^ChatOpenAI \(@langchain\/openai\) has no usable key: .*OPENAI_API_KEY/);
    expect(error.exitCode).toBe(2);
  });

  it("refuses a configured class without bindTools, naming it", async () => {
    const { model } = selectModel(
      { provider: "langchain", package: "@langchain/core/utils/testing", class: "FakeChatModel" },
      {},
      {},
    );
    const error = await modelFailureOf(model!.generate(chatRequest([{ role: "user", content: "hi" }])));
    expect(error.message).toMatch(/^FakeChatModel from @langchain\/core\/utils\/testing has no bindTools/);
    expect(error.exitCode).toBe(2);
  });

  it("says the class could not be created, without repeating a key from the options", async () => {
    // Any export can be named; a constructor that throws stands for options the class rejects.
    const { model } = selectModel(
      { provider: "langchain", package: "node:url", class: "URL", options: { apiKey: "sk-never-shown-123" } },
      {},
      {},
    );
    const error = await modelFailureOf(model!.generate(chatRequest([{ role: "user", content: "hi" }])));
    expect(error.message).toMatch(
      /^URL from node:url could not be created: .*; check model.options in mcp-iac.config.yaml/,
    );
    expect(error.message).not.toContain("sk-never-shown-123");
    expect(error.exitCode).toBe(2);
  });
});

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** Every module URL a fresh Node resolves while importing the CLI's goal command and selecting `config`. */
async function modulesLoaded(config: unknown): Promise<string[]> {
  const script = `
    import { registerHooks } from "node:module";
    const loaded = [];
    registerHooks({ resolve(specifier, context, next) { const found = next(specifier, context); loaded.push(found.url); return found; } });
    await import(${JSON.stringify(`${REPO}cli/goal.ts`)});
    const { selectModel } = await import(${JSON.stringify(`${REPO}agent/llm/select.ts`)});
    const { model } = selectModel(${JSON.stringify(config)}, { OPENAI_API_KEY: "k" }, {}, { maxRetries: 0 });
    await model.generate({ system: "s", messages: [{ role: "user", content: "hi" }], tools: [] }).catch(() => {});
    console.log(JSON.stringify(loaded));
  `;
  const run = await execa(process.execPath, ["--input-type=module", "-e", script], {
    cwd: REPO,
    reject: false,
  });
  expect(run.exitCode, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as string[];
}

describe("LangChain stays unloaded unless configured", () => {
  const langChainModules = (urls: string[]) =>
    urls.filter((url) => /@langchain|\/agent\/llm\/langchain\.ts$/.test(url));

  it("loads nothing of LangChain for an OpenAI run, and loads it for a LangChain one", async () => {
    // Port 9 refuses: each call fails fast, after its adapter and SDK are loaded.
    const openai = await modulesLoaded({
      provider: "openai",
      name: "gpt-4o-mini",
      baseURL: "http://127.0.0.1:9/v1",
    });
    expect(openai.some((url) => url.endsWith("/agent/llm/openai.ts"))).toBe(true);
    expect(langChainModules(openai)).toEqual([]);

    const bridged = await modulesLoaded({
      provider: "langchain",
      package: "@langchain/openai",
      class: "ChatOpenAI",
      options: { model: "x", apiKey: "k", configuration: { baseURL: "http://127.0.0.1:9/v1" } },
    });
    expect(bridged.some((url) => url.endsWith("/agent/llm/langchain.ts"))).toBe(true);
    expect(bridged.some((url) => url.includes("/@langchain/core/"))).toBe(true);
  }, 180_000);
});
