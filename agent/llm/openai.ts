import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
} from "openai/resources/chat/completions";
import type { CallSite } from "./classify-error.ts";
import { OPENAI_KEY_VARIABLE } from "./key-variables.ts";
import { checkToolInput, checkUsable, isPlainObject } from "./response-checks.ts";
import {
  answeringModel,
  type ConnectionNames,
  clientSettings,
  type FailureContext,
  resolveConnection,
  type SdkModelOptions,
  timedCall,
} from "./sdk-adapter.ts";
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

export interface OpenAIModelOptions extends SdkModelOptions {
  /** Defaults to OPENAI_API_KEY; with a baseURL and no key, a placeholder (local servers ignore it). */
  apiKey?: string;
  /** Any Chat Completions server: Ollama, vLLM, LM Studio. Defaults to OPENAI_BASE_URL, then OpenAI. */
  baseURL?: string;
}

export { OPENAI_KEY_VARIABLE };

const NAMES: ConnectionNames = {
  label: "OpenAI",
  keyVariable: OPENAI_KEY_VARIABLE,
  baseURLVariable: "OPENAI_BASE_URL",
  placeholderKey: "no-key-local-server",
  missingKeyHint: "set it, or give model.baseURL in mcp-iac.config.yaml for a local OpenAI-compatible server",
  exampleURL: "http://127.0.0.1:11434/v1",
};
const SDK_ERRORS = { APIUserAbortError, APIConnectionTimeoutError, APIConnectionError, APIError };
const OPENAI_HOST = "api.openai.com";

export function createOpenAIModel(options: OpenAIModelOptions): LanguageModel {
  const connection = resolveConnection(options, NAMES);
  const client = new OpenAI(clientSettings(connection, options));
  const site: CallSite = {
    provider: "openai",
    model: options.model,
    keyVariable: OPENAI_KEY_VARIABLE,
    endpoint: client.baseURL,
    apiKey: connection.apiKey,
  };
  // OpenAI's newer models refuse `max_tokens`; many compatible servers know only `max_tokens`.
  const maxTokensField =
    new URL(client.baseURL).hostname === OPENAI_HOST ? "max_completion_tokens" : "max_tokens";

  return {
    provider: "openai",
    model: options.model,
    async generate(request: ModelRequest): Promise<ModelResponse> {
      const params = toChatParams(options.model, request, maxTokensField);
      const { value, latencyMs } = await timedCall(
        () => client.chat.completions.create(params, { signal: request.signal }),
        failureContext(site, request.signal),
      );
      return fromChatCompletion(value, options.model, latencyMs);
    },
  };
}

function toChatParams(
  model: string,
  request: ModelRequest,
  maxTokensField: "max_tokens" | "max_completion_tokens",
): ChatCompletionCreateParamsNonStreaming {
  // One system message, static text first: OpenAI caches the longest repeated prefix by itself,
  // and some local chat templates accept only one system message.
  const systemText = [request.system, request.context ?? ""].filter((text) => text.length > 0).join("\n\n");
  const messages: ChatCompletionMessageParam[] = [
    ...(systemText ? [{ role: "system" as const, content: systemText }] : []),
    ...request.messages.flatMap(toChatMessages),
  ];
  const tools = request.tools.map(toFunctionTool);
  return {
    model,
    messages,
    ...(tools.length > 0 ? { tools } : {}),
    ...(request.maxTokens === undefined ? {} : { [maxTokensField]: request.maxTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
  };
}

function toFunctionTool(tool: ToolSpec): ChatCompletionFunctionTool {
  return {
    type: "function",
    function: {
      name: tool.name,
      description: tool.description,
      parameters: { type: "object", ...tool.inputSchema },
    },
  };
}

function toChatMessages(message: ChatMessage): ChatCompletionMessageParam[] {
  switch (message.role) {
    case "user":
      return [{ role: "user", content: message.content }];
    case "assistant": {
      const text = message.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("\n");
      const toolCalls = message.content.flatMap((block): ChatCompletionMessageToolCall[] =>
        block.type === "tool_call"
          ? [
              {
                id: block.id,
                type: "function",
                function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
              },
            ]
          : [],
      );
      return [
        {
          role: "assistant",
          content: text || null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
      ];
    }
    case "tool":
      // Chat Completions has no error flag on a tool result, so the text says it.
      return message.results.map((result) => ({
        role: "tool",
        tool_call_id: result.toolCallId,
        content: result.isError ? `Error: ${result.content}` : result.content,
      }));
    default: {
      const unknownMessage: never = message;
      throw new Error(`unknown chat message role in ${JSON.stringify(unknownMessage)}`);
    }
  }
}

function fromChatCompletion(
  completion: ChatCompletion,
  requestedModel: string,
  latencyMs: number,
): ModelResponse {
  const choice =
    isPlainObject(completion) && Array.isArray(completion.choices) ? completion.choices[0] : undefined;
  if (!choice || !isPlainObject(choice.message)) {
    throw new ModelError(
      "malformed_response",
      "OpenAI answered with something that is not a Chat Completions response (no choices); check the base URL",
    );
  }
  const { message } = choice;
  const content: ContentBlock[] = [];
  const text = message.content || message.refusal;
  if (text) content.push({ type: "text", text });
  for (const [index, call] of (message.tool_calls ?? []).entries()) {
    if (call.type !== "function") continue; // custom (free-text) tools are never offered
    const name = call.function.name;
    content.push({
      type: "tool_call",
      id: call.id || `call_${index}`, // some local servers leave the id out
      name,
      input: checkToolInput("OpenAI", name, parseArguments(name, call.function.arguments)),
    });
  }
  const stopReason = stopReasonOf(choice.finish_reason, content);
  checkUsable("OpenAI", content, stopReason);
  return {
    content,
    stopReason,
    usage: usageOf(completion.usage),
    model: answeringModel(completion.model, requestedModel),
    latencyMs,
  };
}

function parseArguments(name: string, text: string | undefined): unknown {
  if (text === undefined || text.trim() === "") return {}; // a call without arguments
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelError(
      "malformed_response",
      `OpenAI returned a call to tool "${name}" whose arguments are not valid JSON; run again, or use a model that supports function calling`,
    );
  }
}

function stopReasonOf(reason: string | null | undefined, content: ContentBlock[]): StopReason {
  if (reason === "length") return "max_tokens";
  // Some compatible servers say "stop" even when they made tool calls; the calls decide.
  return content.some((block) => block.type === "tool_call") ? "tool_use" : "end";
}

function usageOf(usage: ChatCompletion["usage"]): TokenUsage {
  return {
    inputTokens: usage?.prompt_tokens ?? 0,
    outputTokens: usage?.completion_tokens ?? 0,
    cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWriteTokens: 0, // OpenAI caches prefixes automatically and bills no writes
  };
}

function failureContext(site: CallSite, signal: AbortSignal | undefined): FailureContext<APIError> {
  return {
    site,
    label: NAMES.label,
    signal,
    errors: SDK_ERRORS,
    detailsOf: (error) => {
      const body = isPlainObject(error.error) ? error.error : {};
      return {
        status: error.status,
        errorType: typeof error.code === "string" ? error.code : (error.type ?? null),
        apiMessage: typeof body["message"] === "string" ? body["message"] : null,
      };
    },
  };
}
