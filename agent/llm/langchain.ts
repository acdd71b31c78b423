import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import {
  AIMessage,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import { redactSecrets } from "../../core/redact.ts";
import { type CallSite, classifyModelFailure } from "./classify-error.ts";
import { checkToolInput, checkUsable, isPlainObject } from "./response-checks.ts";
import { answeringModel } from "./sdk-adapter.ts";
import {
  type ChatMessage,
  type ContentBlock,
  type LanguageModel,
  ModelError,
  type ModelRequest,
  type ModelResponse,
  type StopReason,
  type TokenUsage,
  type ToolSpec,
} from "./types.ts";

/**
 * The bridge to any LangChain chat model (issue 15). Only `agent/llm/langchain-load.ts` imports this
 * module, dynamically, so nothing of LangChain loads unless the config asks for it.
 */

export interface LangChainModelOptions {
  /** A chat model instance that supports tool calling. */
  chatModel: BaseChatModel;
  /** The class and package, as the config named them: "ChatOpenAI", "@langchain/openai". */
  className: string;
  packageName: string;
  /** The model asked for, reported when the answer does not say which one served. */
  model: string;
  /** Named in auth messages: the variable the integration reads its key from. */
  keyVariable?: string;
  /** Where the calls go, when the options say (a base URL); named in network messages. */
  endpoint?: string;
  /** Values never repeated from a server's error message (keys given in the options). */
  secrets?: string[];
  /** Per call, through LangChain's own `timeout`; default 5 minutes, as the SDK adapters. */
  timeoutMs?: number;
}

type ToolBound = Runnable<BaseMessage[], AIMessage>;

const DEFAULT_TIMEOUT_MS = 300_000;

export function createLangChainModel(options: LangChainModelOptions): LanguageModel {
  const { chatModel, className, packageName } = options;
  const label = `${className} (${packageName}${options.endpoint ? ` at ${options.endpoint}` : ""})`;
  if (typeof chatModel.bindTools !== "function") {
    throw new ModelError(
      "bad_request",
      `${className} from ${packageName} has no bindTools, so it cannot call tools, and the planner works only through tools; configure a chat model class that supports tool calling (e.g. ChatOpenAI, ChatAnthropic, ChatOllama)`,
      { exitCode: 2 },
    );
  }
  const site: CallSite = {
    provider: "langchain",
    label,
    model: options.model,
    keyVariable:
      options.keyVariable ?? `the key ${packageName} reads (model.options or its environment variable)`,
    endpoint: options.endpoint ?? packageName,
  };
  const secrets = options.secrets ?? [];
  const marksCache = chatModel._llmType() === "anthropic";
  // Planner and recovery offer different tool sets; each is bound once, so its schema text stays
  // byte-identical from turn to turn and a provider's prompt cache keeps hitting.
  const bound = new Map<string, ToolBound>();
  const bind = (tools: ToolSpec[]): ToolBound => {
    if (tools.length === 0) return chatModel as unknown as ToolBound;
    const key = JSON.stringify(tools);
    let runnable = bound.get(key);
    if (!runnable) {
      runnable = chatModel.bindTools!(tools.map(toToolDefinition)) as unknown as ToolBound;
      bound.set(key, runnable);
    }
    return runnable;
  };

  return {
    provider: "langchain",
    model: options.model,
    async generate(request: ModelRequest): Promise<ModelResponse> {
      const started = performance.now();
      // Our own timer, so that an abort it caused is told apart from the caller's (integrations
      // report both as an AbortError).
      const timer = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const signal = request.signal ? AbortSignal.any([request.signal, timer]) : timer;
      let answer: unknown;
      try {
        answer = await bind(request.tools).invoke(toLangChainMessages(request, marksCache), { signal });
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason ?? error;
        if (timer.aborted) throw classifyModelFailure({ timedOut: true, cause: error }, site);
        throw failureOf(error, site, secrets);
      }
      const latencyMs = Math.round(performance.now() - started);
      return fromAIMessage(answer, className, options.model, latencyMs);
    },
  };
}

/** OpenAI's function format: every LangChain integration's bindTools accepts it. */
function toToolDefinition(tool: ToolSpec) {
  return {
    type: "function" as const,
    function: {
      name: tool.name,
      description: tool.description,
      parameters: { type: "object", ...tool.inputSchema },
    },
  };
}

/**
 * One system message, static text first (instructions, then the per-run context), as the OpenAI
 * adapter sends it: providers that cache repeated prefixes find the same bytes on every turn.
 * Anthropic caches only what is marked, so for ChatAnthropic the system text is a block marked
 * `cache_control` (which caches the tools before it too), as the Anthropic adapter marks it.
 */
export function toLangChainMessages(request: ModelRequest, marksCache = false): BaseMessage[] {
  const systemText = [request.system, request.context ?? ""].filter((text) => text.length > 0).join("\n\n");
  const system = marksCache
    ? new SystemMessage({
        content: [{ type: "text", text: systemText, cache_control: { type: "ephemeral" } }],
      })
    : new SystemMessage(systemText);
  return [...(systemText ? [system] : []), ...request.messages.flatMap(toMessages)];
}

function toMessages(message: ChatMessage): BaseMessage[] {
  switch (message.role) {
    case "user":
      return [new HumanMessage(message.content)];
    case "assistant": {
      const text = message.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("\n");
      const toolCalls = message.content.flatMap((block) =>
        block.type === "tool_call"
          ? [
              {
                id: block.id,
                name: block.name,
                args: isPlainObject(block.input) ? block.input : {},
                type: "tool_call" as const,
              },
            ]
          : [],
      );
      return [new AIMessage({ content: text, tool_calls: toolCalls })];
    }
    case "tool":
      // Not every integration forwards `status`; the text says it too, as for Chat Completions.
      return message.results.map(
        (result) =>
          new ToolMessage({
            content: result.isError ? `Error: ${result.content}` : result.content,
            tool_call_id: result.toolCallId,
            status: result.isError ? "error" : "success",
          }),
      );
    default: {
      const unknownMessage: never = message;
      throw new Error(`unknown chat message role in ${JSON.stringify(unknownMessage)}`);
    }
  }
}

export function fromAIMessage(
  answer: unknown,
  className: string,
  requestedModel: string,
  latencyMs: number,
): ModelResponse {
  if (!AIMessage.isInstance(answer)) {
    throw new ModelError(
      "malformed_response",
      `${className} answered with something that is not an AIMessage; use a LangChain chat model class`,
    );
  }
  const invalid = answer.invalid_tool_calls ?? [];
  if (invalid.length > 0) {
    // LangChain parked a call it could not parse: the same failure as unparsable arguments today.
    const first = invalid[0]!;
    throw new ModelError(
      "malformed_response",
      `${className} returned a call to tool "${first.name ?? "(no name)"}" whose arguments are not valid JSON${first.error ? ` (${first.error})` : ""}; run again, or use a model that supports tool calling`,
    );
  }
  const content: ContentBlock[] = [];
  const text = textOf(answer.content);
  if (text) content.push({ type: "text", text });
  for (const [index, call] of (answer.tool_calls ?? []).entries()) {
    content.push({
      type: "tool_call",
      id: call.id || `call_${index}`, // some integrations (Ollama) leave the id out
      name: call.name,
      input: checkToolInput(className, call.name, call.args),
    });
  }
  const metadata = isPlainObject(answer.response_metadata) ? answer.response_metadata : {};
  const stopReason = stopReasonOf(metadata, content);
  checkUsable(className, content, stopReason);
  return {
    content,
    stopReason,
    usage: usageOf(answer.usage_metadata),
    model: answeringModel(metadata["model_name"] ?? metadata["model"], requestedModel),
    latencyMs,
  };
}

/** A string, or content blocks of which only text counts (tool_use blocks repeat `tool_calls`). */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .flatMap((block) =>
      isPlainObject(block) && block["type"] === "text" && typeof block["text"] === "string"
        ? [block["text"]]
        : [],
    )
    .join("");
}

// How integrations report a cut-off answer: OpenAI and Ollama "length", Anthropic "max_tokens",
// Gemini "MAX_TOKENS", Bedrock "max_tokens".
const CUT_OFF = new Set(["length", "max_tokens", "model_context_window_exceeded"]);

function stopReasonOf(metadata: Record<string, unknown>, content: ContentBlock[]): StopReason {
  const reasons = ["finish_reason", "stop_reason", "stopReason", "done_reason", "finishReason"].map((key) =>
    String(metadata[key] ?? "").toLowerCase(),
  );
  if (reasons.some((reason) => CUT_OFF.has(reason))) return "max_tokens";
  return content.some((block) => block.type === "tool_call") ? "tool_use" : "end";
}

/** LangChain's `input_tokens` already counts the whole prompt, cached parts included, as ours does. */
function usageOf(usage: AIMessage["usage_metadata"]): TokenUsage {
  return {
    inputTokens: usage?.input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
    cachedInputTokens: usage?.input_token_details?.cache_read ?? 0,
    cacheWriteTokens: usage?.input_token_details?.cache_creation ?? 0,
  };
}

/**
 * Integrations throw their vendor SDK's errors (sometimes wrapped); what they share is an HTTP
 * status, a code or type, and the body's message. Those go through the same classification as the
 * direct adapters, so recovery sees the same kinds.
 */
function failureOf(error: unknown, site: CallSite, secrets: string[]): unknown {
  if (ModelError.isInstance(error)) return error;
  const failure = isPlainObject(error) || error instanceof Error ? (error as Record<string, unknown>) : {};
  const status = statusOf(failure);
  if (status === undefined) {
    if (isTimeout(error)) return classifyModelFailure({ timedOut: true, cause: error }, site);
    if (isConnectionFailure(error))
      return classifyModelFailure({ connectionFailed: true, cause: error }, site);
    const message = scrub(error instanceof Error ? firstLine(error.message) : String(error), secrets);
    // Integrations check for their key only when called: "Missing credentials", "API key not found".
    if (/credential|api[\s_-]?key/i.test(message)) {
      return new ModelError("auth", `${site.label} has no usable key: ${message}`, {
        cause: error,
        exitCode: 2,
      });
    }
    return new ModelError("bad_request", `${site.label} failed: ${message}`, { cause: error });
  }
  const body = isPlainObject(failure["error"]) ? failure["error"] : {};
  const nested = isPlainObject(body["error"]) ? body["error"] : {};
  const errorType =
    stringOf(failure["code"]) ??
    stringOf(failure["type"]) ??
    stringOf(nested["type"]) ??
    stringOf(body["type"]);
  const apiMessage =
    stringOf(body["message"]) ??
    stringOf(nested["message"]) ??
    (error instanceof Error ? firstLine(error.message) : undefined);
  return classifyModelFailure(
    {
      status,
      errorType: errorType ?? null,
      apiMessage: apiMessage === undefined ? null : scrub(apiMessage, secrets),
      cause: error,
    },
    site,
  );
}

function statusOf(failure: Record<string, unknown>): number | undefined {
  const response = isPlainObject(failure["response"]) ? failure["response"] : {};
  for (const value of [failure["status"], failure["statusCode"], response["status"]]) {
    if (typeof value === "number" && Number.isInteger(value)) return value;
  }
  return undefined;
}

function isTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === "TimeoutError" || /Timeout/.test(error.constructor.name);
}

const CONNECTION_CODES =
  /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|UND_ERR_)/;

/** The vendor SDK's connection error, or a fetch that never got an HTTP answer. */
function isConnectionFailure(error: unknown): boolean {
  let inner: unknown = error;
  for (let depth = 0; depth < 5 && inner instanceof Error; depth++) {
    if (/ConnectionError/.test(inner.constructor.name)) return true;
    if (inner instanceof TypeError && inner.message === "fetch failed") return true;
    const code = (inner as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_CODES.test(code)) return true;
    inner = inner.cause;
  }
  return false;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** LangChain appends a troubleshooting URL after a blank line; the first line says what happened. */
function firstLine(message: string): string {
  return message.split("\n")[0]?.trim() ?? message;
}

function scrub(text: string, secrets: readonly string[]): string {
  return redactSecrets(text, secrets);
}
