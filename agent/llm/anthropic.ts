import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "@anthropic-ai/sdk";
import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  TextBlockParam,
  Tool,
} from "@anthropic-ai/sdk/resources/messages";
import type { CallSite } from "./classify-error.ts";
import { ANTHROPIC_KEY_VARIABLE } from "./key-variables.ts";
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

export interface AnthropicModelOptions extends SdkModelOptions {
  /** Defaults to ANTHROPIC_API_KEY. */
  apiKey?: string;
  /** Defaults to ANTHROPIC_BASE_URL, then the public API. */
  baseURL?: string;
  /** Used when a request names no `maxTokens`; default 8192. */
  defaultMaxTokens?: number;
}

export { ANTHROPIC_KEY_VARIABLE };

const DEFAULT_MAX_TOKENS = 8192;
const NAMES: ConnectionNames = {
  label: "Anthropic",
  keyVariable: ANTHROPIC_KEY_VARIABLE,
  baseURLVariable: "ANTHROPIC_BASE_URL",
  // A gateway or proxy given as the base URL may hold the key itself; the SDK still wants one.
  placeholderKey: "no-key-configured",
  missingKeyHint: "set it to use Anthropic models, or pick another model in mcp-iac.config.yaml",
  exampleURL: "https://gateway.example.com",
};
const SDK_ERRORS = { APIUserAbortError, APIConnectionTimeoutError, APIConnectionError, APIError };
const EPHEMERAL = { type: "ephemeral" } as const;

export function createAnthropicModel(options: AnthropicModelOptions): LanguageModel {
  const connection = resolveConnection(options, NAMES);
  const client = new Anthropic(clientSettings(connection, options));
  const site: CallSite = {
    provider: "anthropic",
    model: options.model,
    keyVariable: ANTHROPIC_KEY_VARIABLE,
    endpoint: client.baseURL,
    apiKey: connection.apiKey,
  };
  const defaultMaxTokens = options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS;

  return {
    provider: "anthropic",
    model: options.model,
    async generate(request: ModelRequest): Promise<ModelResponse> {
      const params = toAnthropicParams(options.model, request, defaultMaxTokens);
      const { value, latencyMs } = await timedCall(
        () => client.messages.create(params, { signal: request.signal }),
        failureContext(site, request.signal),
      );
      return fromAnthropicMessage(value, options.model, latencyMs);
    },
  };
}

function toAnthropicParams(
  model: string,
  request: ModelRequest,
  defaultMaxTokens: number,
): MessageCreateParamsNonStreaming {
  // The static prefix (tools, then system and context) is cached; the last message is marked too,
  // so each turn of a tool loop reads the conversation so far from the cache.
  const system: TextBlockParam[] = [request.system, request.context ?? ""]
    .filter((text) => text.length > 0)
    .map((text) => ({ type: "text", text }));
  const lastSystem = system.at(-1);
  if (lastSystem) lastSystem.cache_control = EPHEMERAL;

  const tools: Tool[] = request.tools.map(toAnthropicTool);
  const lastTool = tools.at(-1);
  if (lastTool) lastTool.cache_control = EPHEMERAL;

  const messages = toAnthropicMessages(request.messages);
  const lastBlock = messages.at(-1)?.content.at(-1);
  if (lastBlock) markCacheable(lastBlock);

  return {
    model,
    max_tokens: request.maxTokens ?? defaultMaxTokens,
    messages,
    ...(system.length > 0 ? { system } : {}),
    ...(tools.length > 0 ? { tools } : {}),
    // No `temperature`: the Messages API of SDK 1.x deprecated it and newer models reject it.
  };
}

function markCacheable(block: ContentBlockParam): void {
  if (block.type === "text" || block.type === "tool_result" || block.type === "tool_use") {
    block.cache_control = EPHEMERAL;
  }
}

function toAnthropicTool(tool: ToolSpec): Tool {
  return {
    name: tool.name,
    description: tool.description,
    input_schema: { type: "object", ...tool.inputSchema } as Tool.InputSchema,
  };
}

type WireMessage = { role: "user" | "assistant"; content: ContentBlockParam[] };

function toAnthropicMessages(messages: ChatMessage[]): WireMessage[] {
  const wire: WireMessage[] = [];
  for (const message of messages) {
    const next = toWireMessage(message);
    if (next.content.length === 0) continue; // the API rejects empty turns
    const previous = wire.at(-1);
    // Tool results and the user's next words share one user turn; roles must alternate.
    if (previous && previous.role === next.role) previous.content.push(...next.content);
    else wire.push(next);
  }
  return wire;
}

function toWireMessage(message: ChatMessage): WireMessage {
  switch (message.role) {
    case "user":
      return { role: "user", content: message.content ? [{ type: "text", text: message.content }] : [] };
    case "assistant":
      return {
        role: "assistant",
        content: message.content.flatMap((block): ContentBlockParam[] => {
          if (block.type === "text") return block.text ? [{ type: "text", text: block.text }] : [];
          return [{ type: "tool_use", id: block.id, name: block.name, input: block.input }];
        }),
      };
    case "tool":
      return {
        role: "user",
        content: message.results.map((result) => ({
          type: "tool_result",
          tool_use_id: result.toolCallId,
          content: result.content,
          ...(result.isError ? { is_error: true } : {}),
        })),
      };
    default: {
      const unknownMessage: never = message;
      throw new Error(`unknown chat message role in ${JSON.stringify(unknownMessage)}`);
    }
  }
}

function fromAnthropicMessage(message: Message, requestedModel: string, latencyMs: number): ModelResponse {
  if (!isPlainObject(message) || !Array.isArray(message.content)) {
    throw new ModelError(
      "malformed_response",
      "Anthropic answered with something that is not a Messages API response; check the base URL",
    );
  }
  const content: ContentBlock[] = [];
  for (const block of message.content) {
    if (block.type === "text" && block.text) content.push({ type: "text", text: block.text });
    if (block.type === "tool_use") {
      const input = checkToolInput("Anthropic", block.name, block.input);
      content.push({ type: "tool_call", id: block.id, name: block.name, input });
    }
    // Thinking and server-tool blocks carry nothing the runtime acts on.
  }
  const stopReason = stopReasonOf(message.stop_reason, content);
  checkUsable("Anthropic", content, stopReason);
  return {
    content,
    stopReason,
    usage: usageOf(message.usage),
    model: answeringModel(message.model, requestedModel),
    latencyMs,
  };
}

function stopReasonOf(reason: Message["stop_reason"] | undefined, content: ContentBlock[]): StopReason {
  if (reason === "max_tokens" || reason === "model_context_window_exceeded") return "max_tokens";
  return content.some((block) => block.type === "tool_call") ? "tool_use" : "end";
}

function usageOf(usage: Message["usage"] | undefined): TokenUsage {
  const uncached = usage?.input_tokens ?? 0;
  const cachedInputTokens = usage?.cache_read_input_tokens ?? 0;
  const cacheWriteTokens = usage?.cache_creation_input_tokens ?? 0;
  // Anthropic's input_tokens leaves out cache reads and writes; ours counts the whole prompt.
  return {
    inputTokens: uncached + cachedInputTokens + cacheWriteTokens,
    outputTokens: usage?.output_tokens ?? 0,
    cachedInputTokens,
    cacheWriteTokens,
  };
}

function failureContext(site: CallSite, signal: AbortSignal | undefined): FailureContext<APIError> {
  return {
    site,
    label: NAMES.label,
    signal,
    errors: SDK_ERRORS,
    detailsOf: (error) => ({ status: error.status, errorType: error.type, apiMessage: error.apiMessage }),
  };
}
