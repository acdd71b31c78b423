import {
  type ContentBlock,
  type LanguageModel,
  type ModelRequest,
  type ModelResponse,
  type StopReason,
  type TokenUsage,
  ZERO_USAGE,
} from "./types.ts";

export interface ModelResponseLike {
  content: ContentBlock[];
  /** Defaults to "tool_use" when the content has a tool call, else "end". */
  stopReason?: StopReason;
  usage?: Partial<TokenUsage>;
}

/** A turn is a fixed answer, or a function of the request (it may also throw, e.g. a ModelError). */
export type ScriptedTurn = ModelResponseLike | ((request: ModelRequest, index: number) => ModelResponseLike);

/** A request as the model saw it at that moment (copied: callers often reuse one messages array). */
export type RecordedRequest = Omit<ModelRequest, "signal">;

export interface ScriptedModel extends LanguageModel {
  readonly provider: "scripted";
  /** Every request received, in order, including one that ran past the script. */
  readonly requests: RecordedRequest[];
  /** Turns not yet served. */
  readonly remaining: number;
}

/** A model for tests: serves the scripted turns in order and records what it was asked. */
export function createScriptedModel(script: ScriptedTurn[], options: { model?: string } = {}): ScriptedModel {
  const requests: RecordedRequest[] = [];
  const modelName = options.model ?? "scripted";
  return {
    provider: "scripted",
    model: modelName,
    requests,
    get remaining() {
      return Math.max(0, script.length - requests.length);
    },
    async generate(request: ModelRequest): Promise<ModelResponse> {
      request.signal?.throwIfAborted();
      const index = requests.length;
      requests.push(snapshotRequest(request));
      const turn = script[index];
      if (turn === undefined) {
        const last = request.messages.at(-1);
        throw new Error(
          `scripted model: the script has ${script.length} turn${script.length === 1 ? "" : "s"} and turn ${index + 1} was requested ` +
            `(last message: ${last ? JSON.stringify(last).slice(0, 300) : "none"}); add a turn to the script or stop the loop earlier`,
        );
      }
      const answer = typeof turn === "function" ? turn(request, index) : turn;
      return toModelResponse(answer, modelName, 0);
    },
  };
}

export function snapshotRequest(request: ModelRequest): RecordedRequest {
  const { signal: _signal, ...rest } = request;
  return structuredClone(rest);
}

export function toModelResponse(answer: ModelResponseLike, model: string, latencyMs: number): ModelResponse {
  const content = structuredClone(answer.content);
  const hasToolCall = content.some((block) => block.type === "tool_call");
  return {
    content,
    stopReason: answer.stopReason ?? (hasToolCall ? "tool_use" : "end"),
    usage: { ...ZERO_USAGE, ...answer.usage },
    model,
    latencyMs,
  };
}
