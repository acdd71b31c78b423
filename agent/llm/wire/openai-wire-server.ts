import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { startWireServer, type WireHandler, type WireReply, type WireServer } from "./wire-server.ts";

export type OpenAIWireServer = WireServer<ChatCompletionCreateParamsNonStreaming>;

/**
 * A loopback server speaking OpenAI Chat Completions (POST /v1/chat/completions), as OpenAI,
 * Ollama, vLLM and LM Studio do; `url` (ending in /v1) is the SDK's baseURL.
 */
export function startOpenAIWireServer(
  handler: WireHandler<ChatCompletionCreateParamsNonStreaming>,
): Promise<OpenAIWireServer> {
  return startWireServer(
    {
      basePath: "/v1",
      endpoint: "/v1/chat/completions",
      errorBody: (_status, type, message) => openaiErrorBody(type, message),
    },
    handler,
  );
}

export interface OpenAIWireToolCall {
  id: string;
  type?: "function";
  function: { name: string; arguments: string };
}

export interface OpenAIWireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number };
}

/** A 200 answer shaped like the real API's chat.completion object. */
export function openaiCompletion(
  message: { content?: string | null; tool_calls?: OpenAIWireToolCall[]; refusal?: string | null },
  options: { finish_reason?: string; usage?: OpenAIWireUsage | null; model?: string } = {},
): WireReply {
  const toolCalls = message.tool_calls?.map((call) => ({ type: "function", ...call }));
  const usage =
    options.usage === null
      ? undefined
      : {
          prompt_tokens: 10,
          completion_tokens: 5,
          ...options.usage,
          total_tokens: (options.usage?.prompt_tokens ?? 10) + (options.usage?.completion_tokens ?? 5),
        };
  return {
    body: {
      id: "chatcmpl-loopback-01",
      object: "chat.completion",
      created: 1_700_000_000,
      model: options.model ?? "gpt-4o-mini-2024-07-18",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: message.content ?? null,
            refusal: message.refusal ?? null,
            ...(toolCalls ? { tool_calls: toolCalls } : {}),
          },
          logprobs: null,
          finish_reason: options.finish_reason ?? (toolCalls?.length ? "tool_calls" : "stop"),
        },
      ],
      ...(usage ? { usage } : {}),
    },
  };
}

export function openaiErrorBody(type: string, message: string, code: string | null = null): unknown {
  return { error: { message, type, param: null, code } };
}

/** An error answer as the API sends it, e.g. 429 rate_limit_exceeded, 401 invalid_api_key. */
export function openaiError(
  status: number,
  type: string,
  message: string,
  options: { code?: string; headers?: Record<string, string> } = {},
): WireReply {
  return {
    status,
    headers: options.headers ?? {},
    body: openaiErrorBody(type, message, options.code ?? null),
  };
}
