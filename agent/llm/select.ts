import { resolve } from "node:path";
import type { AnthropicModelOptions } from "./anthropic.ts";
import { ANTHROPIC_KEY_VARIABLE, OPENAI_KEY_VARIABLE } from "./key-variables.ts";
import { createLazyLangChainModel, isShortForm, langChainSpecOf } from "./langchain-load.ts";
import type { OpenAIModelOptions } from "./openai.ts";
import { recordCalls } from "./recording.ts";
import { type LanguageModel, ModelError } from "./types.ts";

/**
 * The config file's `model` block (design §7); a bare string is a model name. `package`, `class`
 * and `options` belong to `provider: langchain` (any LangChain chat model, issue 15).
 */
export type ModelConfig = {
  provider?: "anthropic" | "openai" | "langchain" | "offline";
  name?: string;
  baseURL?: string;
  package?: string;
  class?: string;
  options?: Record<string, unknown>;
};

export interface ModelSelection {
  /** Undefined means the offline planner serves. */
  model: LanguageModel | undefined;
  /** What the run prints about it; never holds a key. */
  description: string;
}

/** Passed through to the adapter (tests shorten them). */
export interface AdapterTuning {
  maxRetries?: number;
  timeoutMs?: number;
}

// claude-sonnet-4-5 (the seed's example) reaches end of life on 2026-11-30; its successor serves by default.
export const DEFAULT_MODELS = { anthropic: "claude-sonnet-4-6", openai: "gpt-4o-mini" } as const;

type Provider = keyof typeof DEFAULT_MODELS;

const ADAPTERS = {
  anthropic: {
    keyVariable: ANTHROPIC_KEY_VARIABLE,
    baseVariable: "ANTHROPIC_BASE_URL",
    // The SDKs are loaded on the first call, so runs without a model (and every other command) never load them.
    create: (options: AnthropicModelOptions) =>
      lazyModel("anthropic", options.model, async () =>
        (await import("./anthropic.ts")).createAnthropicModel(options),
      ),
  },
  openai: {
    keyVariable: OPENAI_KEY_VARIABLE,
    baseVariable: "OPENAI_BASE_URL",
    create: (options: OpenAIModelOptions) =>
      lazyModel("openai", options.model, async () =>
        (await import("./openai.ts")).createOpenAIModel(options),
      ),
  },
} as const;

/** A model whose adapter (and SDK) is built on the first call; a failure to build is that call's failure. */
function lazyModel(
  provider: LanguageModel["provider"],
  model: string,
  load: () => Promise<LanguageModel>,
): LanguageModel {
  let adapter: Promise<LanguageModel> | undefined;
  return {
    provider,
    model,
    async generate(request) {
      adapter ??= load();
      return (await adapter).generate(request);
    },
  };
}

const OFFLINE_HINT = `set ${ANTHROPIC_KEY_VARIABLE} or ${OPENAI_KEY_VARIABLE}, or model: in mcp-iac.config.yaml`;

/**
 * Design §7: the config's `model` wins; else the first of ANTHROPIC_API_KEY and OPENAI_API_KEY that
 * is set picks the adapter; else the offline planner. `--model`, then MCP_IAC_MODEL, then the
 * config's name, then the provider's default name the model.
 */
export function selectModel(
  config: ModelConfig | string | undefined,
  env: NodeJS.ProcessEnv,
  flags: { model?: string },
  tuning: AdapterTuning = {},
): ModelSelection {
  return recorded(chooseModel(config, env, flags, tuning), env);
}

/** The env variable naming a JSONL file that every model call is appended to, for replay in tests and evals. */
export const RECORD_VARIABLE = "MCP_IAC_RECORD_MODEL";

/**
 * With MCP_IAC_RECORD_MODEL=path, every request and answer is appended to that file. The recording
 * sits inside the run's secret guard, so it holds only what the model saw, already scrubbed.
 */
function recorded(selection: ModelSelection, env: NodeJS.ProcessEnv): ModelSelection {
  const file = nonEmpty(env[RECORD_VARIABLE]);
  if (!selection.model || !file) return selection;
  return {
    model: recordCalls(selection.model, () => {}, { jsonlFile: resolve(file) }),
    description: `${selection.description}, recorded to ${file}`,
  };
}

function chooseModel(
  config: ModelConfig | string | undefined,
  env: NodeJS.ProcessEnv,
  flags: { model?: string },
  tuning: AdapterTuning,
): ModelSelection {
  const block = typeof config === "string" ? { name: config } : config;
  const named = nonEmpty(flags.model) ?? nonEmpty(env["MCP_IAC_MODEL"]);
  if (block?.provider === "langchain" || isShortForm(named) || isShortForm(nonEmpty(block?.name))) {
    return langChain(block, named, tuning);
  }

  if (block && (block.provider || nonEmpty(block.name) || nonEmpty(block.baseURL))) {
    if (block.provider === "offline") {
      return {
        model: undefined,
        description: "model: none — the offline planner serves (model: offline in the config)",
      };
    }
    const name = named ?? nonEmpty(block.name);
    const provider =
      block.provider ?? providerOfName(name) ?? providerOfKeys(env) ?? (block.baseURL ? "openai" : undefined);
    if (!provider) {
      throw new ModelError(
        "bad_request",
        `the config names model "${name}" but not who serves it; add provider: anthropic or openai to model: in mcp-iac.config.yaml`,
        { exitCode: 2 },
      );
    }
    return build(provider, name, nonEmpty(block.baseURL), env, tuning, "model: in the config");
  }

  const provider = providerOfKeys(env);
  if (provider) return build(provider, named, undefined, env, tuning, undefined);
  const ignored = named ? `; ${named} was named, but no key is set` : "";
  return {
    model: undefined,
    description: `model: none — the offline planner serves (${OFFLINE_HINT})${ignored}`,
  };
}

function build(
  provider: Provider,
  name: string | undefined,
  configBaseURL: string | undefined,
  env: NodeJS.ProcessEnv,
  tuning: AdapterTuning,
  configSource: string | undefined,
): ModelSelection {
  const adapter = ADAPTERS[provider];
  const modelName = name ?? DEFAULT_MODELS[provider];
  const baseURL = configBaseURL ?? nonEmpty(env[adapter.baseVariable]);
  const hasKey = nonEmpty(env[adapter.keyVariable]) !== undefined;
  if (!hasKey && !baseURL) {
    throw new ModelError(
      "auth",
      `the config picks ${provider} ${modelName} but ${adapter.keyVariable} is not set; set it, or change model: in mcp-iac.config.yaml`,
      { exitCode: 2 },
    );
  }
  const model = adapter.create({ model: modelName, env, ...(baseURL ? { baseURL } : {}), ...tuning });
  const sources = [configSource, hasKey ? adapter.keyVariable : "no key"].filter(Boolean).join(", ");
  const where = baseURL ? ` at ${baseURL}` : "";
  return { model, description: `model: ${provider} ${modelName}${where} (${sources})` };
}

function langChain(
  block: ModelConfig | undefined,
  named: string | undefined,
  tuning: AdapterTuning,
): ModelSelection {
  const spec = langChainSpecOf(block && { ...block, name: nonEmpty(block.name) }, named);
  const model = createLazyLangChainModel(spec, tuning);
  const source = isShortForm(named) ? "--model or MCP_IAC_MODEL" : "model: in the config";
  return {
    model,
    description: `model: langchain ${spec.class} ${model.model} (${spec.package}, ${source})`,
  };
}

function providerOfKeys(env: NodeJS.ProcessEnv): Provider | undefined {
  if (nonEmpty(env[ANTHROPIC_KEY_VARIABLE])) return "anthropic";
  if (nonEmpty(env[OPENAI_KEY_VARIABLE])) return "openai";
  return undefined;
}

/** Only for a config that names a model without a provider: the family is plain from the name. */
function providerOfName(name: string | undefined): Provider | undefined {
  if (!name) return undefined;
  if (/^claude/i.test(name)) return "anthropic";
  if (/^(gpt-|o\d)/i.test(name)) return "openai";
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== "" ? value.trim() : undefined;
}
