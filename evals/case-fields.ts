import { z } from "zod";
import { valuePattern } from "./matcher.ts";

/**
 * The parts of a case that describe how it runs rather than what it expects: the planners it
 * applies to, its category, the scripted model turns, the turns of the conversation, the starting
 * world and memory. case-schema.ts assembles them.
 */

/** scripted: the case's own model turns through a real adapter; offline: the blueprints; live: a real model. */
export const PLANNER_KINDS = ["scripted", "offline", "live"] as const;
export type PlannerKind = (typeof PLANNER_KINDS)[number];

/** What a case measures; the report groups pass rates by it. */
export const CATEGORIES = [
  "blueprint",
  "customer-portal",
  "cross-provider",
  "policy",
  "policy-repair",
  "transient",
  "permanent-error",
  "crash",
  "drift",
  "memory",
  "destroy",
  "ambiguous",
  "injection",
  "secret",
  "follow-up",
  "update",
  "open-catalog",
  "coverage",
] as const;
export type Category = (typeof CATEGORIES)[number];

export const DIFFICULTIES = ["easy", "medium", "hard"] as const;

const Usage = z
  .object({
    input: z.number().int().min(0).optional(),
    output: z.number().int().min(0).optional(),
    cached: z.number().int().min(0).optional(),
  })
  .strict();

const ToolCall = z.object({ name: z.string().min(1), input: z.record(z.string(), z.unknown()) }).strict();

/**
 * One model answer. `submit`, `revise` and `recover` are shorthands for the planner's and
 * recovery's tool calls; `error` makes the wire server answer with that HTTP status instead.
 */
export const ScriptedTurnSchema = z
  .object({
    text: z.string().optional(),
    calls: z.array(ToolCall).optional(),
    submit: z.record(z.string(), z.unknown()).optional(),
    /** With submit: submit_deployment's notes and leftOut ({ element, why } for each part not built). */
    notes: z.string().optional(),
    leftOut: z.array(z.object({ element: z.string().min(1), why: z.string() }).strict()).optional(),
    revise: z.record(z.string(), z.unknown()).optional(),
    recover: z
      .object({ action: z.enum(["retry", "rollback", "abort"]), reason: z.string().min(1) })
      .strict()
      .optional(),
    reason: z.string().optional(),
    usage: Usage.optional(),
    error: z
      .object({ status: z.number().int().min(400).max(599), message: z.string() })
      .strict()
      .optional(),
  })
  .strict()
  .refine(
    (turn) =>
      [turn.text, turn.calls, turn.submit, turn.revise, turn.recover, turn.error].some(
        (v) => v !== undefined,
      ),
    { message: "a turn needs text, calls, submit, revise, recover or error" },
  );
export type ScriptedTurn = z.infer<typeof ScriptedTurnSchema>;

/** The model side of a scripted case: turns written out, or a recorded conversation (JSONL). */
export const ModelScriptSchema = z
  .object({
    /** Which adapter and wire format carries the turns (default openai). */
    wire: z.enum(["openai", "anthropic"]).default("openai"),
    turns: z.array(ScriptedTurnSchema).optional(),
    /** A recording beside the case (`agent eval --record DIR` writes them). */
    recording: z.string().min(1).optional(),
    /** Usage of a turn that gives none. */
    usage: Usage.optional(),
  })
  .strict()
  .refine((script) => (script.turns === undefined) !== (script.recording === undefined), {
    message: "give turns or recording, exactly one",
  });
export type ModelScript = z.infer<typeof ModelScriptSchema>;

const TypeName = z.string().regex(/^[a-z][a-z0-9-]*(:[a-z0-9-]+)+$/, {
  message: "must be a resource type such as aws:rds:instance",
});

/** Resources that already exist on a provider's platform (MOCK_SEED_FILE), managed or not. */
export const WorldResourceSchema = z
  .object({
    type: TypeName,
    name: z.string().min(1).optional(),
    id: z.string().min(1).optional(),
    deploymentId: z.string().min(1).optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
    outputs: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** A remembered pattern seeded before the first turn. */
export const MemorySeedSchema = z
  .object({
    goal: z.string().min(1),
    spec: z.object({ name: z.string().min(1), resources: z.array(z.unknown()) }).passthrough(),
    providers: z.array(z.string()).default([]),
  })
  .strict();

const DriftChange = z
  .object({
    deployment: z.string().min(1),
    resource: z.string().min(1),
    /** Properties changed behind the agent's back; without it the resource is deleted. */
    set: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const TypeSchema = z.string().regex(/^[a-z*?][a-z0-9*?-]*(:[a-z0-9*?-]+)*$/, {
  message: "must be a resource type such as aws:rds:instance (glob * allowed)",
});

/** Every `/regex/` value in an expectation compiles, so a typo fails at load time, not as a miss. */
function badPatterns(
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; message: string }[] {
  if (typeof value === "string") {
    try {
      valuePattern(value);
      return [];
    } catch (error) {
      return [{ path, message: `is not a valid regular expression: ${(error as Error).message}` }];
    }
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => badPatterns(item, [...path, index]));
  if (typeof value === "object" && value !== null)
    return Object.entries(value).flatMap(([key, item]) => badPatterns(item, [...path, key]));
  return [];
}

const PropertiesSchema = z.record(z.string(), z.unknown()).superRefine((value, context) => {
  for (const issue of badPatterns(value)) context.addIssue({ code: "custom", ...issue });
});

/** `properties` is a subset of what the provider reports; see matcher.ts for how values compare. */
export const ResourceExpectationSchema = z
  .object({
    type: TypeSchema,
    name: z.string().min(1).optional(),
    count: z.number().int().min(0).optional(),
    min: z.number().int().min(0).optional(),
    properties: PropertiesSchema.optional(),
  })
  .strict()
  .refine((value) => value.count === undefined || value.min === undefined, {
    message: "give count (exactly N) or min (at least N), not both",
  });
export type ResourceExpectation = z.infer<typeof ResourceExpectationSchema>;

/** A type (glob allowed), or a type with properties: no resource may match it afterwards. */
export const ForbiddenSchema = z.union([
  TypeSchema,
  z.object({ type: TypeSchema, properties: PropertiesSchema.optional() }).strict(),
]);
export type Forbidden = z.infer<typeof ForbiddenSchema>;

const OUTCOME_NAMES = [
  "succeeded",
  "nothing-to-do",
  "planned",
  "declined",
  "planner-failed",
  "blocked",
  "not-approved",
  "failed",
  "rolled-back",
  "cancelled",
] as const;
const OneOrMore = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

/** What one turn must show; the case's `expect` checks the last goal turn and the world. */
export const TurnExpectSchema = z
  .object({
    outcome: OneOrMore(z.enum(OUTCOME_NAMES)).optional(),
    planner: OneOrMore(z.enum(["model", "offline", "memory"])).optional(),
    maxModelCalls: z.number().int().min(0).optional(),
    exitCode: z.number().int().min(0).optional(),
    recovery: z.array(z.enum(["retry", "revise", "rollback", "abort"])).optional(),
    changes: z
      .partialRecord(z.enum(["create", "update", "replace", "delete", "noop"]), z.number().int())
      .optional(),
    /** What the providers list for the turn's deployment right after it (e.g. nothing after a rollback). */
    resources: z.array(ResourceExpectationSchema).optional(),
    noResourcesOf: z.array(ForbiddenSchema).optional(),
    /** State's resources equal what the providers list for the deployment, right after the turn. */
    stateMatchesWorld: z.boolean().optional(),
    /** For a refresh turn: the drift it must report. */
    drift: z
      .array(z.object({ name: z.string().min(1), kind: z.enum(["changed", "deleted"]) }).strict())
      .optional(),
  })
  .strict();
export type TurnExpect = z.infer<typeof TurnExpectSchema>;

/** One step of a conversation: a goal, or an operation a person runs between goals. */
export const TurnSchema = z.union([
  z.object({ goal: z.string().trim().min(1), expect: TurnExpectSchema.optional() }).strict(),
  z.object({ destroy: z.string().min(1), expect: TurnExpectSchema.optional() }).strict(),
  z.object({ refresh: z.string().min(1), expect: TurnExpectSchema.optional() }).strict(),
  z.object({ drift: DriftChange }).strict(),
]);
export type Turn = z.infer<typeof TurnSchema>;

/** Assertions beyond the original ones: exit status, budgets, what the model saw, state against world. */
export const ExtraExpectFields = {
  exitCode: z.number().int().min(0).optional(),
  /** State's resources (ids and types) equal what the providers list for the deployment. */
  stateMatchesWorld: z.boolean().optional(),
  maxTokens: z
    .object({ input: z.number().int().min(0).optional(), output: z.number().int().min(0).optional() })
    .strict()
    .optional(),
  /** Text that must appear in some request to the model (e.g. provider text inside <provider-data>). */
  modelSaw: z.array(z.string().min(1)).optional(),
  /** Text that must appear in no request to the model (a secret). */
  modelNeverSaw: z.array(z.string().min(1)).optional(),
  /**
   * Lines the last plan's notes must hold (text, or `/regex/`): every element of the goal is planned
   * or named there as left out, and why, whichever planner made the plan.
   */
  plannerNotes: z.array(z.string().min(1)).optional(),
  /** Deletes and replacements that may succeed in the whole case (0: nothing destroyed). */
  maxDestructive: z.number().int().min(0).optional(),
};
