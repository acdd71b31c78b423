import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { isPlainObject } from "./response-checks.ts";
import {
  createScriptedModel,
  type RecordedRequest,
  type ScriptedModel,
  snapshotRequest,
} from "./scripted.ts";
import {
  type LanguageModel,
  ModelError,
  type ModelErrorKind,
  type ModelProvider,
  type ModelRequest,
  type ModelResponse,
  type StopReason,
  type TokenUsage,
} from "./types.ts";

export interface ModelCall {
  provider: ModelProvider;
  model: string;
  latencyMs: number;
  usage: TokenUsage;
  stopReason: StopReason;
}

/** One line of a recording: the request and what came back, an answer or an error. */
export interface RecordedExchange {
  v: 1;
  at: string;
  provider: ModelProvider;
  model: string;
  request: RecordedRequest;
  response?: ModelResponse;
  error?: { kind?: ModelErrorKind; message: string; status?: number; retryable?: boolean };
}

export interface RecordOptions {
  /** Append every request/response pair to this JSONL file, for `createReplayModel`. */
  jsonlFile?: string;
}

/**
 * Wraps a model so every successful call is reported (latency, tokens, stop reason), and
 * optionally written to JSONL. Prompts reach the model already scrubbed of secrets, so the
 * recording holds nothing the model did not see.
 */
export function recordCalls(
  model: LanguageModel,
  onCall: (call: ModelCall) => void,
  options: RecordOptions = {},
): LanguageModel {
  const { jsonlFile } = options;
  if (jsonlFile) mkdirSync(dirname(jsonlFile), { recursive: true });
  const write = (
    request: ModelRequest,
    outcome: Pick<RecordedExchange, "response" | "error">,
    served: string,
  ) => {
    if (!jsonlFile) return;
    const exchange: RecordedExchange = {
      v: 1,
      at: new Date().toISOString(),
      provider: model.provider,
      model: served,
      request: snapshotRequest(request),
      ...outcome,
    };
    appendFileSync(jsonlFile, `${JSON.stringify(exchange)}\n`);
  };

  return {
    provider: model.provider,
    model: model.model,
    async generate(request: ModelRequest): Promise<ModelResponse> {
      let response: ModelResponse;
      try {
        response = await model.generate(request);
      } catch (error) {
        if (!request.signal?.aborted) write(request, { error: describeError(error) }, model.model);
        throw error;
      }
      write(request, { response }, response.model);
      onCall({
        provider: model.provider,
        model: response.model,
        latencyMs: response.latencyMs,
        usage: response.usage,
        stopReason: response.stopReason,
      });
      return response;
    },
  };
}

function describeError(error: unknown): NonNullable<RecordedExchange["error"]> {
  if (error instanceof ModelError) {
    return {
      kind: error.kind,
      message: error.message,
      retryable: error.retryable,
      ...(error.status === undefined ? {} : { status: error.status }),
    };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

export interface ReplayOptions {
  /**
   * Fail when a request differs from the recorded one (a regression check of prompts and the
   * loop). Off by default, so a reworded prompt does not break a replayed conversation.
   */
  matchRequests?: boolean;
}

/** Serves a JSONL recording back in order, answers and errors alike. */
export function createReplayModel(file: string, options: ReplayOptions = {}): ScriptedModel {
  const exchanges = readRecording(file);
  const script = exchanges.map((exchange, index) => (request: ModelRequest) => {
    if (options.matchRequests) {
      const difference = firstDifference(exchange.request, snapshotRequest(request), "request");
      if (difference) {
        throw new Error(
          `replay ${file}: call ${index + 1} differs from the recording at ${difference}; record the conversation again or replay without matchRequests`,
        );
      }
    }
    if (exchange.error) {
      const { kind, message, status, retryable } = exchange.error;
      if (!kind) throw new Error(message);
      throw new ModelError(kind, message, {
        ...(status === undefined ? {} : { status }),
        ...(retryable === undefined ? {} : { retryable }),
      });
    }
    const response = exchange.response!;
    return { content: response.content, stopReason: response.stopReason, usage: response.usage };
  });
  return createScriptedModel(script, { model: exchanges[0]?.model ?? "replay" });
}

function readRecording(file: string): RecordedExchange[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`replay: cannot read recording ${file}: ${(error as Error).message}`);
  }
  const exchanges: RecordedExchange[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`replay: ${file}:${index + 1} is not JSON; a recording has one exchange per line`);
    }
    if (!isPlainObject(parsed) || parsed["v"] !== 1 || !isPlainObject(parsed["request"])) {
      throw new Error(
        `replay: ${file}:${index + 1} is not a recorded exchange (v: 1, request, response or error)`,
      );
    }
    if (!isPlainObject(parsed["response"]) && !isPlainObject(parsed["error"])) {
      throw new Error(`replay: ${file}:${index + 1} has neither a response nor an error`);
    }
    exchanges.push(parsed as unknown as RecordedExchange);
  }
  return exchanges;
}

/** The path of the first place two JSON values differ, or undefined when they are equal. */
function firstDifference(recorded: unknown, actual: unknown, path: string): string | undefined {
  if (Object.is(recorded, actual)) return undefined;
  if (Array.isArray(recorded) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(recorded.length, actual.length); i++) {
      const found = firstDifference(recorded[i], actual[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (isPlainObject(recorded) && isPlainObject(actual)) {
    for (const key of new Set([...Object.keys(recorded), ...Object.keys(actual)])) {
      const found = firstDifference(recorded[key], actual[key], `${path}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return path;
}
