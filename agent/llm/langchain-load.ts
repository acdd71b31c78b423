import { createRequire } from "node:module";
import { redactSecrets } from "../../core/redact.ts";
import { isPlainObject } from "./response-checks.ts";
import { type LanguageModel, ModelError, type ModelRequest, type ModelResponse } from "./types.ts";

/**
 * `model: { provider: langchain, package, class, options }` and the short form
 * `langchain:<integration>:<model>` (issue 15). This module imports nothing of LangChain: the
 * integration package and the adapter (`langchain.ts`) are imported on the first call, so users who
 * do not configure LangChain never load it, and `@langchain/core` stays an optional peer.
 */

export interface LangChainSpec {
  package: string;
  class: string;
  options: Record<string, unknown>;
}

interface Integration {
  package: string;
  class: string;
  keyVariable?: string;
}

/**
 * The integrations LangChain's `initChatModel` knows, by the name it uses. The `langchain` package
 * (which holds `initChatModel`) is not a dependency here, so the short form maps the name to the
 * integration package and class itself.
 */
export const INTEGRATIONS: Readonly<Record<string, Integration>> = {
  openai: { package: "@langchain/openai", class: "ChatOpenAI", keyVariable: "OPENAI_API_KEY" },
  azure_openai: {
    package: "@langchain/openai",
    class: "AzureChatOpenAI",
    keyVariable: "AZURE_OPENAI_API_KEY",
  },
  anthropic: { package: "@langchain/anthropic", class: "ChatAnthropic", keyVariable: "ANTHROPIC_API_KEY" },
  "google-genai": {
    package: "@langchain/google-genai",
    class: "ChatGoogleGenerativeAI",
    keyVariable: "GOOGLE_API_KEY",
  },
  "google-vertexai": {
    package: "@langchain/google-vertexai",
    class: "ChatVertexAI",
    keyVariable: "GOOGLE_APPLICATION_CREDENTIALS",
  },
  bedrock: {
    package: "@langchain/aws",
    class: "ChatBedrockConverse",
    keyVariable: "AWS_ACCESS_KEY_ID (or the AWS profile)",
  },
  mistralai: { package: "@langchain/mistralai", class: "ChatMistralAI", keyVariable: "MISTRAL_API_KEY" },
  groq: { package: "@langchain/groq", class: "ChatGroq", keyVariable: "GROQ_API_KEY" },
  ollama: { package: "@langchain/ollama", class: "ChatOllama" },
  cohere: { package: "@langchain/cohere", class: "ChatCohere", keyVariable: "COHERE_API_KEY" },
  cerebras: { package: "@langchain/cerebras", class: "ChatCerebras", keyVariable: "CEREBRAS_API_KEY" },
  deepseek: { package: "@langchain/deepseek", class: "ChatDeepSeek", keyVariable: "DEEPSEEK_API_KEY" },
  xai: { package: "@langchain/xai", class: "ChatXAI", keyVariable: "XAI_API_KEY" },
};

const SHORT_FORM = "langchain:<integration>:<model>";

export function isShortForm(name: string | undefined): name is string {
  return name !== undefined && /^langchain:/i.test(name);
}

/** `langchain:anthropic:claude-sonnet-4-6`; the model part may hold colons (`ollama:llama3.1:8b`). */
export function parseShortForm(name: string): LangChainSpec {
  const [, integration = "", ...rest] = name.split(":");
  const model = rest.join(":");
  const known = INTEGRATIONS[integration.toLowerCase()];
  if (!known || model === "") {
    const what = known
      ? "names no model"
      : `names integration "${integration}", which is not one of the known ones`;
    throw new ModelError(
      "bad_request",
      `model "${name}" ${what}; write ${SHORT_FORM} with one of ${Object.keys(INTEGRATIONS).join(", ")}, or configure any integration as model: { provider: langchain, package: "@langchain/…", class: Chat…, options: { model: … } }`,
      { exitCode: 2 },
    );
  }
  return { package: known.package, class: known.class, options: { model } };
}

/** The config block of `provider: langchain`, as select.ts has it. */
export interface LangChainBlock {
  name?: string | undefined;
  package?: unknown;
  class?: unknown;
  options?: unknown;
}

/**
 * The spec from the config block (long form, or `name` in the short form without its prefix) or
 * from a short-form name given by --model or MCP_IAC_MODEL, which renames the model as for the others.
 */
export function langChainSpecOf(block: LangChainBlock | undefined, named: string | undefined): LangChainSpec {
  if (isShortForm(named)) return parseShortForm(named);
  if (block && (block.package !== undefined || block.class !== undefined)) {
    const options = isPlainObject(block.options) ? { ...block.options } : {};
    if (typeof block.package !== "string" || block.package.trim() === "" || typeof block.class !== "string") {
      throw new ModelError(
        "bad_request",
        'model: with provider: langchain needs both package and class, e.g. { provider: langchain, package: "@langchain/anthropic", class: ChatAnthropic, options: { model: claude-sonnet-4-6 } }',
        { exitCode: 2 },
      );
    }
    const model = named ?? block.name;
    if (model) options["model"] = model;
    return { package: block.package.trim(), class: block.class.trim(), options };
  }
  const name = named ?? block?.name;
  if (name) return parseShortForm(isShortForm(name) ? name : `langchain:${name}`);
  throw new ModelError(
    "bad_request",
    `model: with provider: langchain needs package and class (e.g. package: "@langchain/anthropic", class: ChatAnthropic, options: { model: … }), or a name in the form ${SHORT_FORM}`,
    { exitCode: 2 },
  );
}

/** Resolves a package from where the adapter would import it; undefined when it is not installed. */
export type PackageResolver = (name: string) => string | undefined;

const requireHere = createRequire(import.meta.url);

export const resolveInstalled: PackageResolver = (name) => {
  try {
    return requireHere.resolve(name);
  } catch (error) {
    // Installed but ESM-only (no `require` export): present all the same.
    if ((error as { code?: unknown }).code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return name;
    return undefined;
  }
};

/** Fails, with the exact `npm install` line, when the integration or `@langchain/core` is not installed. */
export function requireInstalled(spec: LangChainSpec, resolve: PackageResolver = resolveInstalled): void {
  const missing = ["@langchain/core", spec.package].filter(
    (name, index, all) => all.indexOf(name) === index && resolve(name) === undefined,
  );
  if (missing.length === 0) return;
  throw new ModelError(
    "bad_request",
    `the config picks ${spec.class} from ${spec.package}, but ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not installed; run: npm install ${missing.join(" ")}`,
    { exitCode: 2 },
  );
}

export interface LangChainTuning {
  maxRetries?: number;
  timeoutMs?: number;
}

/** Checked now: the spec and the packages; loaded on the first call: the class and the adapter. */
export function createLazyLangChainModel(
  spec: LangChainSpec,
  tuning: LangChainTuning = {},
  resolve: PackageResolver = resolveInstalled,
): LanguageModel {
  requireInstalled(spec, resolve);
  const modelName = typeof spec.options["model"] === "string" ? spec.options["model"] : spec.class;
  let loaded: Promise<LanguageModel> | undefined;
  return {
    provider: "langchain",
    model: modelName,
    generate(request: ModelRequest): Promise<ModelResponse> {
      loaded ??= load(spec, modelName, tuning);
      return loaded.then((model) => model.generate(request));
    },
  };
}

async function load(spec: LangChainSpec, modelName: string, tuning: LangChainTuning): Promise<LanguageModel> {
  const [integration, adapter] = await Promise.all([
    import(spec.package) as Promise<Record<string, unknown>>,
    import("./langchain.ts"),
  ]);
  const ChatClass = integration[spec.class];
  if (typeof ChatClass !== "function") {
    const classes = Object.keys(integration).filter((name) => /Chat/.test(name));
    throw new ModelError(
      "bad_request",
      `${spec.package} has no export named ${spec.class}; its chat model classes are ${classes.join(", ") || "none"} (model.class in mcp-iac.config.yaml)`,
      { exitCode: 2 },
    );
  }
  // The SDK adapters' bounded retries, unless the options say otherwise.
  const options = { maxRetries: tuning.maxRetries ?? 2, ...spec.options };
  let chatModel: unknown;
  try {
    chatModel = new (ChatClass as new (options: unknown) => unknown)(options);
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
    throw new ModelError(
      "bad_request",
      `${spec.class} from ${spec.package} could not be created: ${scrubOptions(reason, options)}; check model.options in mcp-iac.config.yaml and the environment variables ${spec.package} reads`,
      { exitCode: 2, cause: error },
    );
  }
  const known = Object.values(INTEGRATIONS).find(
    (entry) => entry.package === spec.package && entry.class === spec.class,
  );
  const endpoint = endpointOf(options);
  return adapter.createLangChainModel({
    chatModel: chatModel as Parameters<typeof adapter.createLangChainModel>[0]["chatModel"],
    className: spec.class,
    packageName: spec.package,
    model: modelName,
    secrets: secretsOf(options),
    ...(known?.keyVariable ? { keyVariable: known.keyVariable } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(tuning.timeoutMs ? { timeoutMs: tuning.timeoutMs } : {}),
  });
}

/** The base URL, under the names the common integrations give it. */
function endpointOf(options: Record<string, unknown>): string | undefined {
  const configuration = isPlainObject(options["configuration"]) ? options["configuration"] : {};
  for (const value of [
    configuration["baseURL"],
    options["baseURL"],
    options["baseUrl"],
    options["anthropicApiUrl"],
    options["endpoint"],
  ]) {
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

const SECRET_KEY = /key|token|secret|password|credential/i;

/** Option values that are keys: never repeated in a message. */
function secretsOf(options: Record<string, unknown>, depth = 0): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (typeof value === "string" && SECRET_KEY.test(key)) found.push(value);
    if (isPlainObject(value) && depth < 3) found.push(...secretsOf(value, depth + 1));
  }
  return found;
}

function scrubOptions(text: string, options: Record<string, unknown>): string {
  return redactSecrets(text, secretsOf(options));
}
