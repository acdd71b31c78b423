import type { ProviderGateway } from "../engine/gateway.ts";
import type { EventSink, ModelCallRecord, RunEvent } from "../events.ts";
import { recordCalls } from "../llm/recording.ts";
import type { LanguageModel } from "../llm/types.ts";
import { guardModel } from "../model-guard.ts";
import type { Workspace } from "../operations.ts";
import type { ModelCallEvent } from "../planner/events.ts";
import type { SecretScrubber } from "../secrets.ts";
import {
  type AgentServices,
  EXIT_FOR,
  type GoalOutcome,
  type GoalReport,
  type GoalRequest,
} from "./types.ts";

/** What every step of one goal run shares: its services, request, report and scrubbed sink. */
export interface RunContext {
  services: AgentServices;
  request: GoalRequest;
  workspace: Workspace;
  gateway: ProviderGateway;
  emit: EventSink;
  scrubber: SecretScrubber;
  /** The services' model, guarded (prompts scrubbed) and its calls recorded; absent offline. */
  model: LanguageModel | undefined;
  report: GoalReport;
  /** What the next model calls are for, as the report's modelCalls say ("plan", "recover"). */
  setPurpose(purpose: string): void;
  /** The planner's or recovery's report of a call, with what the recording measured of it. */
  modelCallEvent(event: ModelCallEvent): RunEvent;
  /** The person stopped the run (request.signal). */
  cancelled(): boolean;
  finish(outcome: GoalOutcome, reason?: string): GoalReport;
}

function emptyReport(request: GoalRequest, services: AgentServices, model: boolean): GoalReport {
  return {
    goal: request.goal,
    planner: { kind: model ? "model" : "offline", description: services.modelDescription },
    findings: { deployment: [], plan: [] },
    approved: false,
    attempts: [],
    recovery: [],
    modelCalls: [],
    tokens: { input: 0, output: 0, cached: 0 },
    outcome: "failed",
    exitCode: 1,
  };
}

/** The model as the run uses it: scrubbed prompts, every call recorded for the report. */
function recordedModel(services: AgentServices, onCall: (record: Omit<ModelCallRecord, "purpose">) => void) {
  if (!services.model) return undefined;
  return recordCalls(guardModel(services.model, services.scrubber), (call) =>
    onCall({
      provider: call.provider,
      model: call.model,
      inputTokens: call.usage.inputTokens,
      outputTokens: call.usage.outputTokens,
      cachedInputTokens: call.usage.cachedInputTokens,
      cacheWriteTokens: call.usage.cacheWriteTokens,
      latencyMs: Math.round(call.latencyMs),
    }),
  );
}

export function createRunContext(services: AgentServices, request: GoalRequest): RunContext {
  const { scrubber } = services;
  // The workspace's sink is the composition root's (scrubbed, numbered); this scrubs again with
  // what the run learns (the spec's secret values) for a caller that built its own.
  const emit: EventSink = (event) => services.workspace.emit(scrubber.scrubDeep(event));
  let purpose = "plan";
  let last: ModelCallRecord | undefined;
  const model = recordedModel(services, (call) => {
    last = { purpose, ...call };
    report.modelCalls.push(last);
  });
  const report = emptyReport(request, services, model !== undefined);
  return {
    services,
    request,
    workspace: { ...services.workspace, emit },
    gateway: services.workspace.gateway,
    emit,
    scrubber,
    model,
    report,
    setPurpose: (next) => {
      purpose = next;
    },
    modelCallEvent: (event) => ({
      type: "model.call",
      ...(last ?? {
        purpose,
        provider: services.model?.provider ?? "unknown",
        model: event.model,
        inputTokens: event.usage.inputTokens,
        outputTokens: event.usage.outputTokens,
        cachedInputTokens: event.usage.cachedInputTokens,
        cacheWriteTokens: event.usage.cacheWriteTokens,
        latencyMs: Math.round(event.latencyMs),
      }),
      prompt: event.prompt,
      turn: event.turn,
      stopReason: event.stopReason,
    }),
    cancelled: () => request.signal?.aborted === true,
    finish: (outcome, reason) => {
      report.outcome = outcome;
      report.exitCode = EXIT_FOR[outcome];
      if (reason) report.reason = scrubber.scrub(reason);
      for (const call of report.modelCalls) {
        report.tokens.input += call.inputTokens;
        report.tokens.output += call.outputTokens;
        report.tokens.cached += call.cachedInputTokens;
      }
      return report;
    },
  };
}
