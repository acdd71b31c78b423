import { IacError } from "../../core/errors.ts";

/**
 * The model contract every adapter implements (design §8, style lesson 4): one `generate` call per
 * turn, provider-neutral messages, tools as JSON Schema. Planner and recovery see nothing else.
 */

export type ContentBlock =
  | { type: "text"; text: string }
  | { type: "tool_call"; id: string; name: string; input: unknown };

export type ChatMessage =
  | { role: "user"; content: string }
  | { role: "assistant"; content: ContentBlock[] }
  | { role: "tool"; results: { toolCallId: string; content: string; isError?: boolean }[] };

export interface ToolSpec {
  name: string;
  description: string;
  /** A JSON Schema object describing the tool's input. */
  inputSchema: Record<string, unknown>;
}

export interface ModelRequest {
  /** Static instructions; adapters mark them cacheable. */
  system: string;
  /** Static per-run context (e.g. provider schemas), sent after `system`; cacheable too. */
  context?: string;
  messages: ChatMessage[];
  tools: ToolSpec[];
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
}

/**
 * `inputTokens` counts every prompt token of the call, cached or not, the same way for every
 * provider; `cachedInputTokens` (read from cache) and `cacheWriteTokens` (written to cache) are the
 * parts of it that were billed differently.
 */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
}

export type StopReason = "end" | "tool_use" | "max_tokens";

export interface ModelResponse {
  content: ContentBlock[];
  stopReason: StopReason;
  usage: TokenUsage;
  model: string;
  latencyMs: number;
}

export type ModelProvider = "anthropic" | "openai" | "langchain" | "scripted";

export interface LanguageModel {
  readonly provider: ModelProvider;
  readonly model: string;
  generate(request: ModelRequest): Promise<ModelResponse>;
}

export type ModelErrorKind =
  | "rate_limited"
  | "overloaded"
  | "timeout"
  | "auth"
  | "bad_request"
  | "malformed_response"
  | "network";

const RETRYABLE_KINDS: ReadonlySet<ModelErrorKind> = new Set([
  "rate_limited",
  "overloaded",
  "timeout",
  "network",
]);

/**
 * A model call that failed. `message` says what to do about it and never contains a key.
 * `retryable` tells recovery whether waiting and calling again can help (the SDK's own bounded
 * retries are already spent when this is thrown).
 */
export class ModelError extends IacError {
  readonly kind: ModelErrorKind;
  readonly retryable: boolean;
  readonly status: number | undefined;

  constructor(
    kind: ModelErrorKind,
    message: string,
    options: { retryable?: boolean; status?: number; cause?: unknown; exitCode?: number } = {},
  ) {
    super(`MODEL_${kind.toUpperCase()}`, message, { cause: options.cause, exitCode: options.exitCode ?? 1 });
    this.name = "ModelError";
    this.kind = kind;
    this.retryable = options.retryable ?? RETRYABLE_KINDS.has(kind);
    this.status = options.status;
  }

  static override readonly codes = /^MODEL_/;
}

export const ZERO_USAGE: TokenUsage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
});
