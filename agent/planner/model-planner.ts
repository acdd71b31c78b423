import { z } from "zod";
import { promptId, renderPrompt, wrapProviderData } from "../../prompts/index.ts";
import type { ChatMessage, ContentBlock, LanguageModel, ModelResponse } from "../llm/types.ts";
import type { PlannerEvent } from "./events.ts";
import { type LeftOut, readSubmission } from "./submitted-spec.ts";
import { PLANNER_TOOLS } from "./tool-specs.ts";

export type { PlannerEvent } from "./events.ts";

export interface PlannerFinding {
  source: "schema" | "validate" | "policy";
  resource?: string;
  path?: string;
  message: string;
  severity: "error" | "warning";
}

/** Read-only lookups the lead implements over the providers and memory; results come secret-redacted. */
export interface PlannerTools {
  listResources(filter: { type?: string }): Promise<unknown>;
  getResource(type: string, id: string): Promise<unknown>;
  searchMemory(query: string): Promise<unknown>;
  /** Types beyond the catalog in the prompt, on demand (describeResourceTypes with types or query). */
  describeResourceTypes?(input: { types?: string[]; query?: string }): Promise<unknown>;
}

export interface PlannerDeployment {
  name: string;
  resources: unknown[];
}

export interface PlanWithModelInput {
  goal: string;
  model: LanguageModel;
  schemas: Array<{
    type: string;
    description: string;
    properties: Record<string, unknown>;
    outputs: Record<string, unknown>;
    secretProperties?: string[];
  }>;
  /** The closest memory patterns. */
  examples: Array<{ goal: string; spec: PlannerDeployment }>;
  tools: PlannerTools;
  /** Checks a submitted spec object: schema, references, validateConfig, policies. No error findings = accepted. */
  validate(spec: unknown): Promise<{ deployment?: PlannerDeployment; findings: PlannerFinding[] }>;
  /** Rejected submissions (answers without a submission included) before giving up; default 3. */
  repairBudget?: number;
  /** Hard cap on model calls; default 12. */
  maxTurns?: number;
  maxTokens?: number;
  signal?: AbortSignal;
  onEvent?(event: PlannerEvent): void;
}

export type PlanWithModelResult =
  | {
      ok: true;
      deployment: PlannerDeployment;
      submissions: number;
      notes?: string;
      /** What the model says it did not build, and why (submit_deployment's leftOut). */
      leftOut?: LeftOut[];
      warnings: PlannerFinding[];
    }
  | { ok: false; reason: string; findings: PlannerFinding[]; submissions: number };

export const DEFAULT_REPAIR_BUDGET = 3;
export const DEFAULT_MAX_TURNS = 12;
/** A tool result bigger than this is cut: a whole inventory would crowd out the catalog and the goal. */
export const MAX_TOOL_RESULT_CHARS = 20_000;

type ToolResult = { toolCallId: string; content: string; isError?: boolean };
type ToolCall = Extract<ContentBlock, { type: "tool_call" }>;

const ListInput = z.object({ type: z.string().min(1).optional() });
const GetInput = z.object({ type: z.string().min(1), id: z.string().min(1) });
const SearchInput = z.object({ query: z.string().trim().min(1) });
const DescribeInput = z
  .object({ query: z.string().trim().min(1).optional(), types: z.array(z.string().min(1)).min(1).optional() })
  .refine((value) => value.query !== undefined || value.types !== undefined, "give a query or types");

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function describeFinding(finding: PlannerFinding): string {
  const where = [finding.resource, finding.path].filter(Boolean).join(" ");
  return where ? `${where}: ${finding.message}` : finding.message;
}

function listFindings(findings: PlannerFinding[], shown = 3): string {
  const head = findings.slice(0, shown).map(describeFinding).join("; ");
  return findings.length > shown ? `${head}; and ${findings.length - shown} more` : head;
}

function asData(value: unknown, source: string): string {
  let text = typeof value === "string" ? value : (JSON.stringify(value ?? null) ?? "null");
  if (text.length > MAX_TOOL_RESULT_CHARS) {
    const cut = text.length - MAX_TOOL_RESULT_CHARS;
    text = `${text.slice(0, MAX_TOOL_RESULT_CHARS)}\n…(cut: ${cut} more characters; narrow the lookup, e.g. with a type filter)`;
  }
  return wrapProviderData(text, source);
}

function badInput(tool: string, shape: string, error: z.ZodError): string {
  const problems = error.issues
    .map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`)
    .join("; ");
  return `${tool} takes ${shape}: ${problems}`;
}

/** Runs one read-only tool; its failures are data for the model, not errors of the run. */
async function runLookup(call: ToolCall, tools: PlannerTools): Promise<Omit<ToolResult, "toolCallId">> {
  const input = call.input ?? {};
  try {
    switch (call.name) {
      case "list_resources": {
        const parsed = ListInput.safeParse(input);
        if (!parsed.success)
          return { content: badInput(call.name, "{ type? }", parsed.error), isError: true };
        const filter = parsed.data.type === undefined ? {} : { type: parsed.data.type };
        return { content: asData(await tools.listResources(filter), call.name) };
      }
      case "get_resource": {
        const parsed = GetInput.safeParse(input);
        if (!parsed.success)
          return { content: badInput(call.name, "{ type, id }", parsed.error), isError: true };
        return { content: asData(await tools.getResource(parsed.data.type, parsed.data.id), call.name) };
      }
      case "search_memory": {
        const parsed = SearchInput.safeParse(input);
        if (!parsed.success)
          return { content: badInput(call.name, "{ query }", parsed.error), isError: true };
        return { content: asData(await tools.searchMemory(parsed.data.query), call.name) };
      }
      case "describe_resource_types": {
        const parsed = DescribeInput.safeParse(input);
        if (!parsed.success)
          return { content: badInput(call.name, "{ query? , types? }", parsed.error), isError: true };
        if (!tools.describeResourceTypes)
          return { content: "no provider describes types beyond the catalog here", isError: true };
        const request = {
          ...(parsed.data.query === undefined ? {} : { query: parsed.data.query }),
          ...(parsed.data.types === undefined ? {} : { types: parsed.data.types }),
        };
        return { content: asData(await tools.describeResourceTypes(request), call.name) };
      }
      default:
        return {
          content: `there is no tool "${call.name}"; the tools are ${PLANNER_TOOLS.map((tool) => tool.name).join(", ")}`,
          isError: true,
        };
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { content: `${call.name} failed: ${asData(message, call.name)}`, isError: true };
  }
}

function textOf(content: ContentBlock[]): string | undefined {
  const text = content
    .filter((block): block is Extract<ContentBlock, { type: "text" }> => block.type === "text")
    .map((block) => block.text.trim())
    .filter(Boolean)
    .join("\n");
  return text === "" ? undefined : text;
}

/**
 * The model-driven planner (design §1, §8): the model reads the catalog and memory examples, may look
 * things up read-only, and submits a spec; every submission is validated and answered with its
 * findings until one is clean, the repair budget is spent, or the turn cap is reached. A ModelError
 * from the model propagates unchanged, with its kind, for the caller to report.
 */
export async function planWithModel(input: PlanWithModelInput): Promise<PlanWithModelResult> {
  const budget = input.repairBudget ?? DEFAULT_REPAIR_BUDGET;
  const maxTurns = input.maxTurns ?? DEFAULT_MAX_TURNS;
  const emit = input.onEvent ?? (() => {});
  const system = renderPrompt("planner-system", { maxTurns, repairBudget: budget });
  const context = renderPrompt("planner-context", { schemas: input.schemas, examples: input.examples });
  const messages: ChatMessage[] = [
    { role: "user", content: renderPrompt("planner-goal", { goal: input.goal }) },
  ];
  const tally: Tally = { submissions: 0, rejected: 0, lastFindings: [], lastWasNudge: false };

  for (let turn = 1; turn <= maxTurns; turn++) {
    const response = await askModel(input, { system, context, messages }, turn, emit);
    messages.push({ role: "assistant", content: response.content });

    const calls = response.content.filter((block): block is ToolCall => block.type === "tool_call");
    if (calls.length === 0) {
      tally.rejected++;
      tally.lastWasNudge = true;
      const problem =
        response.stopReason === "max_tokens"
          ? "Your answer was cut off at the token limit before it called a tool; submit the spec without commentary."
          : "You answered without calling a tool.";
      emit({ type: "planner.nudge", attempt: tally.rejected, reason: problem });
      if (tally.rejected >= budget) return giveUp(tally);
      messages.push({
        role: "user",
        content: renderPrompt("planner-nudge", { problem, remaining: budget - tally.rejected }),
      });
      continue;
    }

    const results: ToolResult[] = [];
    for (const call of calls) {
      if (call.name !== "submit_deployment") {
        const result = await runLookup(call, input.tools);
        emit({ type: "planner.tool", name: call.name, isError: result.isError === true });
        results.push({ toolCallId: call.id, ...result });
        continue;
      }
      const judged = await judgeSubmission(call, input, ++tally.submissions, emit);
      if (judged.accepted)
        return { ...judged.accepted, ...notesOf(judged.notes ?? textOf(response.content)) };
      tally.rejected++;
      tally.lastWasNudge = false;
      tally.lastFindings = judged.findings;
      if (tally.rejected >= budget) return giveUp(tally);
      results.push({
        toolCallId: call.id,
        content: renderPrompt("planner-repair", {
          attempt: tally.submissions,
          remaining: budget - tally.rejected,
          findings: judged.findings,
        }),
        isError: true,
      });
    }
    messages.push({ role: "tool", results });
  }
  const errors = tally.lastFindings.filter((finding) => finding.severity === "error");
  const tail = errors.length > 0 ? `; its last spec had: ${listFindings(errors)}` : "";
  return {
    ok: false,
    reason: `the model used all ${maxTurns} turns without an accepted spec${tail}`,
    findings: tally.lastFindings,
    submissions: tally.submissions,
  };
}

/** What the planning loop has seen so far, for its repair budget and its final answer. */
interface Tally {
  submissions: number;
  rejected: number;
  lastFindings: PlannerFinding[];
  lastWasNudge: boolean;
}

function giveUp(tally: Tally): PlanWithModelResult {
  const errors = tally.lastFindings.filter((finding) => finding.severity === "error");
  const attempts = plural(tally.rejected, "attempt");
  const reason =
    tally.lastWasNudge || errors.length === 0
      ? `the model gave no acceptable spec after ${attempts}: its last answer did not call submit_deployment`
      : `the model's spec still has ${errors.length} problem(s) after ${attempts}: ${listFindings(errors)}`;
  return { ok: false, reason, findings: tally.lastFindings, submissions: tally.submissions };
}

function notesOf(notes: string | undefined): { notes?: string } {
  return notes === undefined ? {} : { notes };
}

/** One model turn, reported as a model.call event. */
async function askModel(
  input: PlanWithModelInput,
  prompt: { system: string; context: string; messages: ChatMessage[] },
  turn: number,
  emit: (event: PlannerEvent) => void,
): Promise<ModelResponse> {
  const response = await input.model.generate({
    ...prompt,
    tools: PLANNER_TOOLS,
    ...(input.maxTokens === undefined ? {} : { maxTokens: input.maxTokens }),
    ...(input.signal === undefined ? {} : { signal: input.signal }),
  });
  emit({
    type: "model.call",
    purpose: "plan",
    prompt: promptId("planner-system"),
    turn,
    model: response.model,
    usage: response.usage,
    latencyMs: response.latencyMs,
    stopReason: response.stopReason,
  });
  return response;
}

/** Checks one submit_deployment call; `accepted` is the answer when it has no error finding. */
async function judgeSubmission(
  call: ToolCall,
  input: PlanWithModelInput,
  attempt: number,
  emit: (event: PlannerEvent) => void,
): Promise<{
  findings: PlannerFinding[];
  notes?: string | undefined;
  accepted?: Extract<PlanWithModelResult, { ok: true }>;
}> {
  const submission = readSubmission(call.input);
  let findings: PlannerFinding[];
  let deployment: PlannerDeployment | undefined;
  if (submission.ok) {
    const checked = await input.validate(submission.spec);
    findings = checked.findings;
    deployment = checked.deployment;
  } else {
    findings = [{ source: "schema", path: "spec", message: submission.problem, severity: "error" }];
  }
  const errors = findings.filter((finding) => finding.severity === "error").length;
  emit({
    type: "planner.submission",
    attempt,
    errors,
    warnings: findings.length - errors,
    accepted: errors === 0,
  });
  const notes = submission.ok ? submission.notes : undefined;
  if (errors > 0) return { findings, notes };
  if (!deployment) throw new Error("validate accepted a spec without returning its deployment");
  const leftOut = submission.ok ? submission.leftOut : undefined;
  return {
    findings,
    notes,
    accepted: {
      ok: true,
      deployment,
      submissions: attempt,
      warnings: findings,
      ...(leftOut ? { leftOut } : {}),
    },
  };
}
