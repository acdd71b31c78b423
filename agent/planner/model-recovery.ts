import { promptId, renderPrompt } from "../../prompts/index.ts";
import type { ChatMessage, ContentBlock, LanguageModel } from "../llm/types.ts";
import type { RecoveryEvent } from "./events.ts";
import { readSpecValue } from "./submitted-spec.ts";
import { RECOVERY_TOOLS } from "./tool-specs.ts";

export type RecoveryDecision =
  | { action: "retry"; reason: string }
  | { action: "revise"; reason: string; spec: unknown }
  | { action: "rollback"; reason: string }
  | { action: "abort"; reason: string };

export interface RecoveryFailedChange {
  name: string;
  type: string;
  action: string;
  error: { code: string; message: string };
}

export interface DecideWithModelInput {
  model: LanguageModel;
  goal: string;
  spec: unknown;
  failed: RecoveryFailedChange[];
  /** Secret-redacted, as everything else here: it goes into a prompt. */
  stateSummary: string;
  maxTokens?: number;
  signal?: AbortSignal;
  onEvent?(event: RecoveryEvent): void;
}

export const NO_DECISION: RecoveryDecision = {
  action: "rollback",
  reason: "the model did not choose a recovery action",
};

const MAX_REASON_CHARS = 500;

type ToolCall = Extract<ContentBlock, { type: "tool_call" }>;
type Reading = { ok: true; decision: RecoveryDecision } | { ok: false; problem: string };

function reasonOf(input: unknown): string {
  const reason = (input as { reason?: unknown } | null)?.reason;
  if (typeof reason !== "string" || reason.trim() === "") return "the model gave no reason";
  const trimmed = reason.trim();
  return trimmed.length > MAX_REASON_CHARS ? `${trimmed.slice(0, MAX_REASON_CHARS)}…` : trimmed;
}

function readDecision(calls: ToolCall[]): Reading {
  if (calls.length === 0) return { ok: false, problem: "You answered without calling a recovery tool." };
  if (calls.length > 1) {
    return {
      ok: false,
      problem: `You called ${calls.length} tools; exactly one decides, so none was taken.`,
    };
  }
  const call = calls[0]!;
  const reason = reasonOf(call.input);
  switch (call.name) {
    case "retry":
    case "rollback":
    case "abort":
      return { ok: true, decision: { action: call.name, reason } };
    case "revise_deployment": {
      const spec = (call.input as { spec?: unknown } | null)?.spec;
      const reading = readSpecValue(spec);
      if (!reading.ok) return { ok: false, problem: `revise_deployment was not taken: ${reading.problem}.` };
      return { ok: true, decision: { action: "revise", reason, spec: reading.spec } };
    }
    default:
      return { ok: false, problem: `There is no tool "${call.name}".` };
  }
}

/**
 * Asks the model how to recover from a failed apply (design §8). It must call exactly one of retry,
 * revise_deployment, rollback or abort; an answer that does not gets one nudge, and a second miss
 * means rollback, the engine's default. A revised spec comes back parsed but unchecked: the caller
 * validates, plans and asks for approval as for any spec. A ModelError propagates with its kind.
 */
export async function decideWithModel(input: DecideWithModelInput): Promise<RecoveryDecision> {
  const emit = input.onEvent ?? (() => {});
  const system = renderPrompt("recovery-system", {});
  const messages: ChatMessage[] = [
    {
      role: "user",
      content: renderPrompt("recovery-context", {
        goal: input.goal,
        spec: input.spec,
        failed: input.failed,
        stateSummary: input.stateSummary,
      }),
    },
  ];
  for (let turn = 1; turn <= 2; turn++) {
    const response = await input.model.generate({
      system,
      messages,
      tools: RECOVERY_TOOLS,
      ...(input.maxTokens === undefined ? {} : { maxTokens: input.maxTokens }),
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
    emit({
      type: "model.call",
      purpose: "recovery",
      prompt: promptId("recovery-system"),
      turn,
      model: response.model,
      usage: response.usage,
      latencyMs: response.latencyMs,
      stopReason: response.stopReason,
    });
    const calls = response.content.filter((block): block is ToolCall => block.type === "tool_call");
    const reading = readDecision(calls);
    if (reading.ok) return reading.decision;
    emit({ type: "recovery.nudge", reason: reading.problem });
    if (turn === 2) break;
    const nudge = renderPrompt("recovery-nudge", { problem: reading.problem });
    messages.push({ role: "assistant", content: response.content });
    // Every tool call needs its own result; the nudge rides on them rather than a separate message.
    messages.push(
      calls.length === 0
        ? { role: "user", content: nudge }
        : {
            role: "tool",
            results: calls.map((call) => ({ toolCallId: call.id, content: nudge, isError: true })),
          },
    );
  }
  return { ...NO_DECISION };
}
