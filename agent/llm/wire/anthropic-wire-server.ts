import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { startWireServer, type WireHandler, type WireReply, type WireServer } from "./wire-server.ts";

export type AnthropicWireServer = WireServer<MessageCreateParamsNonStreaming>;

/** A loopback server speaking the Anthropic Messages API (POST /v1/messages); `url` is the SDK's baseURL. */
export function startAnthropicWireServer(
  handler: WireHandler<MessageCreateParamsNonStreaming>,
): Promise<AnthropicWireServer> {
  return startWireServer(
    {
      basePath: "",
      endpoint: "/v1/messages",
      errorBody: (_status, type, message) => anthropicErrorBody(type, message),
    },
    handler,
  );
}

export type AnthropicWireBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "thinking"; thinking: string; signature: string };

export interface AnthropicWireUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

/** A 200 answer shaped like the real API's Message object. */
export function anthropicMessage(
  content: AnthropicWireBlock[],
  options: { stop_reason?: string; usage?: AnthropicWireUsage; model?: string; id?: string } = {},
): WireReply {
  const hasToolUse = content.some((block) => block.type === "tool_use");
  return {
    body: {
      id: options.id ?? "msg_loopback_01",
      type: "message",
      role: "assistant",
      model: options.model ?? "claude-sonnet-4-5-20250929",
      content,
      stop_reason: options.stop_reason ?? (hasToolUse ? "tool_use" : "end_turn"),
      stop_sequence: null,
      usage: {
        input_tokens: 10,
        output_tokens: 5,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
        ...options.usage,
      },
    },
  };
}

export function anthropicErrorBody(type: string, message: string): unknown {
  return { type: "error", error: { type, message }, request_id: "req_loopback_01" };
}

/** An error answer as the API sends it: 429 rate_limit_error, 529 overloaded_error, 401 authentication_error... */
export function anthropicError(
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): WireReply {
  return { status, headers, body: anthropicErrorBody(type, message) };
}
