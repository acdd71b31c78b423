import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createAnthropicModel } from "../agent/llm/anthropic.ts";
import { createOpenAIModel } from "../agent/llm/openai.ts";
import type { RecordedExchange } from "../agent/llm/recording.ts";
import type { ContentBlock, LanguageModel } from "../agent/llm/types.ts";
import {
  type AnthropicWireBlock,
  anthropicError,
  anthropicMessage,
  startAnthropicWireServer,
} from "../agent/llm/wire/anthropic-wire-server.ts";
import {
  openaiCompletion,
  openaiError,
  startOpenAIWireServer,
} from "../agent/llm/wire/openai-wire-server.ts";
import type { WireReply } from "../agent/llm/wire/wire-server.ts";
import type { ModelScript, ScriptedTurn } from "./case-fields.ts";

/** One answer as the wire server sends it: content blocks and usage, or an HTTP error. */
export interface WireTurn {
  content: ContentBlock[];
  usage: { input: number; output: number; cached: number };
  error?: { status: number; message: string };
}

export interface ScriptedWireModel {
  model: LanguageModel;
  description: string;
  /** Request bodies as they crossed the wire, for what-the-model-saw checks. */
  requests: unknown[];
  /** Turns the run did not ask for (a shorter conversation than scripted). */
  unused(): number;
  close(): Promise<void>;
}

const DEFAULT_USAGE = { input: 1200, output: 150, cached: 0 };

/** The case's turns in provider-neutral form; the shorthands become the planner's and recovery's tool calls. */
export function wireTurns(script: ModelScript, caseDir: string): WireTurn[] {
  const base = { ...DEFAULT_USAGE, ...script.usage };
  if (script.recording) return turnsFromRecording(resolve(caseDir, script.recording));
  return (script.turns ?? []).map((turn, index) => toWireTurn(turn, index, base));
}

function toWireTurn(turn: ScriptedTurn, index: number, base: WireTurn["usage"]): WireTurn {
  const usage = { ...base, ...turn.usage };
  if (turn.error) return { content: [], usage, error: turn.error };
  const content: ContentBlock[] = turn.text ? [{ type: "text", text: turn.text }] : [];
  const reason = turn.reason ?? "scripted";
  const calls: { name: string; input: unknown }[] = [...(turn.calls ?? [])];
  if (turn.submit)
    calls.push({
      name: "submit_deployment",
      input: {
        spec: turn.submit,
        ...(turn.notes ? { notes: turn.notes } : {}),
        ...(turn.leftOut ? { leftOut: turn.leftOut } : {}),
      },
    });
  if (turn.revise) calls.push({ name: "revise_deployment", input: { spec: turn.revise, reason } });
  if (turn.recover) calls.push({ name: turn.recover.action, input: { reason: turn.recover.reason } });
  for (const [n, call] of calls.entries())
    content.push({ type: "tool_call", id: `call_${index + 1}_${n + 1}`, name: call.name, input: call.input });
  return { content, usage };
}

/** A JSONL recording (agent/llm/recording.ts) as wire turns: answers and errors in order. */
export function turnsFromRecording(file: string): WireTurn[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`the recording ${file} cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, index) => {
      let exchange: RecordedExchange;
      try {
        exchange = JSON.parse(line) as RecordedExchange;
      } catch {
        throw new Error(`${file}:${index + 1} is not JSON; a recording has one exchange per line`);
      }
      if (exchange.error) {
        return {
          content: [],
          usage: { input: 0, output: 0, cached: 0 },
          error: { status: exchange.error.status ?? 500, message: exchange.error.message },
        };
      }
      if (!exchange.response) throw new Error(`${file}:${index + 1} has neither a response nor an error`);
      const { usage } = exchange.response;
      return {
        content: exchange.response.content,
        usage: { input: usage.inputTokens, output: usage.outputTokens, cached: usage.cachedInputTokens },
      };
    });
}

function openaiReply(turn: WireTurn): WireReply {
  if (turn.error) return openaiError(turn.error.status, "api_error", turn.error.message);
  const text = turn.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("\n");
  const calls = turn.content.flatMap((block) =>
    block.type === "tool_call"
      ? [{ id: block.id, function: { name: block.name, arguments: JSON.stringify(block.input) } }]
      : [],
  );
  return openaiCompletion(
    { content: text || null, ...(calls.length > 0 ? { tool_calls: calls } : {}) },
    {
      model: "scripted",
      usage: {
        prompt_tokens: turn.usage.input,
        completion_tokens: turn.usage.output,
        prompt_tokens_details: { cached_tokens: turn.usage.cached },
      },
    },
  );
}

function anthropicReply(turn: WireTurn): WireReply {
  if (turn.error) return anthropicError(turn.error.status, "api_error", turn.error.message);
  const blocks: AnthropicWireBlock[] = turn.content.map((block) =>
    block.type === "text"
      ? { type: "text", text: block.text }
      : { type: "tool_use", id: block.id, name: block.name, input: block.input },
  );
  // Anthropic counts cached prompt tokens apart from input_tokens; the adapter adds them back.
  return anthropicMessage(blocks, {
    model: "scripted",
    usage: {
      input_tokens: Math.max(0, turn.usage.input - turn.usage.cached),
      output_tokens: turn.usage.output,
      cache_read_input_tokens: turn.usage.cached,
      cache_creation_input_tokens: 0,
    },
  });
}

/**
 * The scripted planner: a loopback server speaking the OpenAI or Anthropic wire format answers
 * with the case's turns, and the real adapter (SDK, request building, response checks, usage)
 * talks to it, so the model planner, its repair loop and recovery run as they do with a vendor.
 */
export async function startScriptedModel(script: ModelScript, caseDir: string): Promise<ScriptedWireModel> {
  const turns = wireTurns(script, caseDir);
  let served = 0;
  const reply = (index: number, render: (turn: WireTurn) => WireReply, past: WireReply): WireReply => {
    const turn = turns[index];
    served = Math.max(served, index + 1);
    return turn ? render(turn) : past;
  };
  const pastEnd = `the script has ${turns.length} turns and turn ${turns.length + 1} was requested; add a turn to the case`;
  // No SDK retries: a scripted error turn is what the agent must handle, not the SDK.
  const tuning = { maxRetries: 0, timeoutMs: 60_000, env: {} };
  if (script.wire === "anthropic") {
    const server = await startAnthropicWireServer((_body, index) =>
      reply(index, anthropicReply, anthropicError(400, "invalid_request_error", pastEnd)),
    );
    return {
      model: createAnthropicModel({
        model: "scripted",
        apiKey: "eval-scripted",
        baseURL: server.url,
        ...tuning,
      }),
      description: `model: scripted (${turns.length} turns over the Anthropic wire)`,
      requests: server.requests,
      unused: () => Math.max(0, turns.length - served),
      close: () => server.close(),
    };
  }
  const server = await startOpenAIWireServer((_body, index) =>
    reply(index, openaiReply, openaiError(400, "invalid_request_error", pastEnd)),
  );
  return {
    model: createOpenAIModel({ model: "scripted", apiKey: "eval-scripted", baseURL: server.url, ...tuning }),
    description: `model: scripted (${turns.length} turns over the OpenAI wire)`,
    requests: server.requests,
    unused: () => Math.max(0, turns.length - served),
    close: () => server.close(),
  };
}
