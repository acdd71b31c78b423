import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { EvalCaseError } from "./case-error.ts";
import { readYaml } from "./yaml-file.ts";

export { EvalCaseError } from "./case-error.ts";
export {
  type Forbidden,
  ForbiddenSchema,
  type ResourceExpectation,
  ResourceExpectationSchema,
} from "./case-fields.ts";

import { z } from "zod";
import { type Deployment, deploymentFromObject } from "../agent/engine/spec.ts";
import {
  CATEGORIES,
  DIFFICULTIES,
  ExtraExpectFields,
  ForbiddenSchema,
  MemorySeedSchema,
  ModelScriptSchema,
  PLANNER_KINDS,
  type PlannerKind,
  ResourceExpectationSchema,
  type Turn,
  TurnExpectSchema,
  TurnSchema,
  WorldResourceSchema,
} from "./case-fields.ts";

/** Every way `runGoal` can end (agent/run.ts GoalOutcome). */
export const OUTCOMES = [
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
export type Outcome = (typeof OUTCOMES)[number];

export const SANDBOX_PREFIXES = ["opnsense", "aws", "kubernetes", "docker"] as const;
export type SandboxPrefix = (typeof SANDBOX_PREFIXES)[number];

/** Prefixes whose real provider a case may run against an emulator (test/emulators/launch.ts). */
export const EMULATED_PREFIXES = ["opnsense", "aws", "kubernetes"] as const;
export type EmulatedPrefix = (typeof EMULATED_PREFIXES)[number];

/** Tags the runner acts on: `model-only` cases do not run with the offline planner. */
export const MODEL_ONLY = "model-only";

const OutcomeSchema = z.enum(OUTCOMES);
const OneOrMany = <T extends z.ZodType>(item: T, allowed: readonly string[]) =>
  z.union([item, z.array(item).min(1)], {
    error: `must be one of ${allowed.join(", ")}, or a list of them`,
  });
const RECOVERY_ACTIONS = ["retry", "revise", "rollback", "abort"] as const;
const PLANNERS = ["model", "offline", "memory"] as const;

const ExpectFields = {
  outcome: OneOrMany(OutcomeSchema, OUTCOMES).optional(),
  planner: OneOrMany(z.enum(PLANNERS), PLANNERS).optional(),
  deploymentName: z.string().min(1).optional(),
  resources: z.array(ResourceExpectationSchema).optional(),
  noResourcesOf: z.array(ForbiddenSchema).optional(),
  policy: z
    .object({
      blocked: z.boolean().optional(),
      /** Rule ids (`no-public-admin-port` or `baseline/no-public-admin-port`) that must be found as mandatory. */
      mandatory: z.array(z.string().min(1)).optional(),
      /** Rule ids that must not be found at all. */
      absent: z.array(z.string().min(1)).optional(),
    })
    .strict()
    .optional(),
  maxModelCalls: z.number().int().min(0).optional(),
  /** The recovery decisions, in order; `[]` means recovery was never needed. */
  recovery: z.array(z.enum(RECOVERY_ACTIONS)).optional(),
  /** Resources whose change the engine retried on its own (transient errors). */
  retried: z.array(z.string().min(1)).optional(),
  /** Counts of planned actions in the final plan, e.g. `{ create: 2, noop: 2 }`. */
  changes: z
    .object({
      create: z.number().int().min(0).optional(),
      update: z.number().int().min(0).optional(),
      replace: z.number().int().min(0).optional(),
      delete: z.number().int().min(0).optional(),
      noop: z.number().int().min(0).optional(),
    })
    .strict()
    .optional(),
  ...ExtraExpectFields,
};

/** What the second run of a `repeat: true` case must show. */
const SecondRunSchema = z
  .object({
    outcome: OneOrMany(OutcomeSchema, OUTCOMES).optional(),
    planner: OneOrMany(z.enum(PLANNERS), PLANNERS).optional(),
    maxModelCalls: z.number().int().min(0).optional(),
  })
  .strict();

const BaseFields = { ...ExpectFields, second: SecondRunSchema.optional() };
const BaseExpectSchema = z.object(BaseFields).strict();

/** The same fields, each also accepting null: "not checked when a model plans". */
function nullable<T extends Record<string, z.ZodType>>(shape: T) {
  return Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, field.nullable()])) as {
    [K in keyof T]: z.ZodNullable<T[K]>;
  };
}

export const ExpectSchema = BaseExpectSchema.extend({
  /** Fields that replace the ones above when a model plans instead of the offline planner; null drops one. */
  withModel: z.object(nullable(BaseFields)).strict().optional(),
}).strict();
export type Expectations = z.infer<typeof BaseExpectSchema>;

const EnvValue = z.union([
  z.string(),
  // Structured values (a MOCK_FAULTS list) are passed as JSON, which is what the mock reads.
  z
    .unknown()
    .refine((value) => value !== undefined && value !== null, { message: "must be a value" })
    .transform((value) => JSON.stringify(value)),
]);

export const EvalCaseSchema = z
  .object({
    /** Defaults to the case's folder name, and must equal it when given. */
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, {
        message: "must be lowercase letters, digits and '-' (it names the case in output and filters)",
      })
      .optional(),
    goal: z
      .string()
      .trim()
      .min(1, { message: "must not be empty: the plain-language goal to run" })
      .optional(),
    /** A conversation instead of one goal: goals, destroys, refreshes and out-of-band drift, in order. */
    turns: z.array(TurnSchema).min(1).optional(),
    description: z.string().optional(),
    category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(", ")}` }),
    difficulty: z.enum(DIFFICULTIES).default("medium"),
    /** The planners it applies to; default offline and live, plus scripted when it has model turns. */
    planners: z.array(z.enum(PLANNER_KINDS)).min(1).optional(),
    tags: z.array(z.string().min(1)).default([]),
    /** The sandbox providers started for it (default all four); fewer start faster. */
    providers: z.array(z.enum(SANDBOX_PREFIXES)).min(1).optional(),
    /**
     * Prefixes served by the real provider against an emulator instead of the mock: setup.sh starts
     * the emulators and writes emulators.json (per prefix, the provider's environment) in the case's
     * folder; cleanup.sh stops them (test/emulators/launch.ts does both).
     */
    emulators: z.array(z.enum(EMULATED_PREFIXES)).min(1).optional(),
    /** What already exists on each provider's platform before the first turn. */
    world: z.partialRecord(z.enum(SANDBOX_PREFIXES), z.array(WorldResourceSchema)).optional(),
    /** Patterns remembered before the first turn. */
    memory: z.array(MemorySeedSchema).optional(),
    /** Extra environment per sandbox server, e.g. `aws: { MOCK_FAULTS: [...] }`. */
    faults: z.partialRecord(z.enum(SANDBOX_PREFIXES), z.record(z.string(), EnvValue)).optional(),
    /** A spec (plain `{ name, resources }` or Kubernetes style), or a path to one beside the case. */
    setup: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
    /** Run the goal twice in the same folder; `expect.second` checks the second run. */
    repeat: z.boolean().default(false),
    /** The scripted planner's model turns (the planner, its repair loop and recovery all call it). */
    model: ModelScriptSchema.optional(),
    /** all: every plan is approved (as --yes); non-destructive: a plan that deletes or replaces is refused. */
    approve: z.enum(["all", "non-destructive"]).default("all"),
    /** A known gap of the agent: the case is expected to fail, and is counted apart until fixed. */
    knownGap: z.string().min(1).optional(),
    /** Per-case limit; the run is abandoned and the case fails after it (default 300 s). */
    timeoutSeconds: z.number().positive().max(3600).optional(),
    expect: ExpectSchema,
  })
  .strict()
  .superRefine((value, context) => {
    if (value.expect.second && !value.repeat) {
      context.addIssue({
        code: "custom",
        path: ["expect", "second"],
        message: "only a repeat: true case runs twice; add repeat: true or drop second",
      });
    }
    if ((value.goal === undefined) === (value.turns === undefined)) {
      context.addIssue({ code: "custom", path: ["goal"], message: "give goal or turns, exactly one" });
    }
    if (value.turns && !value.turns.some((turn) => "goal" in turn)) {
      context.addIssue({ code: "custom", path: ["turns"], message: "at least one turn must be a goal" });
    }
    if (value.repeat && value.turns) {
      context.addIssue({
        code: "custom",
        path: ["repeat"],
        message: "repeat goes with goal; list turns instead",
      });
    }
    for (const prefix of value.emulators ?? []) {
      if (value.providers && !value.providers.includes(prefix))
        context.addIssue({
          code: "custom",
          path: ["emulators"],
          message: `${prefix} is emulated but not among the case's providers`,
        });
      if (value.world?.[prefix] || value.faults?.[prefix])
        context.addIssue({
          code: "custom",
          path: ["emulators"],
          message: `world and faults are the mock's; ${prefix} is emulated (arm its faults in setup.sh)`,
        });
    }
    if (value.planners?.includes("scripted") && !value.model) {
      context.addIssue({
        code: "custom",
        path: ["planners"],
        message: "the scripted planner needs model: { turns } (or a recording) to replay",
      });
    }
  });

export interface EvalCase extends Omit<z.output<typeof EvalCaseSchema>, "setup" | "id" | "planners"> {
  id: string;
  /** The file it came from ("(inline)" for cases built in code). */
  file: string;
  setup?: Deployment;
  /** The planners it applies to, defaults filled in. */
  planners: PlannerKind[];
  /** The steps in order: `goal` alone (and `repeat`) become turns too. */
  steps: Turn[];
  /** Index into steps of the goal turn the case's `expect` checks. */
  primary: number;
  /** setup.sh, verify.sh and cleanup.sh beside case.yaml, when present. */
  scripts: { setup?: string; verify?: string; cleanup?: string };
}

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === "number") return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, "");
}

/** Checks a parsed case document; `file` names it in errors and anchors a setup path. */
export function parseCase(document: unknown, file: string): EvalCase {
  const parsed = EvalCaseSchema.safeParse(document);
  if (!parsed.success) {
    throw new EvalCaseError(
      file,
      parsed.error.issues.map((issue) => ({ path: pathText(issue.path), message: issue.message })),
    );
  }
  const { setup, id, planners, ...rest } = parsed.data;
  const folder = basename(dirname(file));
  const caseId = id ?? folder;
  if (basename(file) === "case.yaml" && id !== undefined && id !== folder) {
    throw new EvalCaseError(file, [
      { path: "id", message: `must equal its folder name "${folder}" (or be left out)` },
    ]);
  }
  let steps: Turn[];
  let primary: number;
  if (rest.turns) {
    steps = rest.turns;
    primary = steps.findLastIndex((turn) => "goal" in turn);
  } else {
    const goal = rest.goal as string;
    steps = rest.repeat
      ? [
          { goal },
          { goal, ...(rest.expect.second ? { expect: TurnExpectSchema.parse(rest.expect.second) } : {}) },
        ]
      : [{ goal }];
    primary = 0;
  }
  const defaults: PlannerKind[] = rest.tags.includes(MODEL_ONLY) ? ["live"] : ["offline", "live"];
  if (rest.model) defaults.unshift("scripted");
  const scripts = caseScripts(dirname(file));
  if (rest.emulators && !scripts.setup) {
    throw new EvalCaseError(file, [
      { path: "emulators", message: "emulated providers need a setup.sh beside case.yaml that starts them" },
    ]);
  }
  const evalCase: EvalCase = {
    ...rest,
    id: caseId,
    file,
    planners: planners ?? defaults,
    steps,
    primary,
    scripts,
  };
  if (setup !== undefined) {
    try {
      evalCase.setup =
        typeof setup === "string"
          ? deploymentFromObject(readYaml(resolve(dirname(file), setup)), `${file}: setup ${setup}`)
          : deploymentFromObject(setup, `${file}: setup`);
    } catch (error) {
      if (error instanceof EvalCaseError) throw error;
      const issues = (error as { issues?: { resource?: string; path: string; message: string }[] }).issues;
      throw new EvalCaseError(
        file,
        issues
          ? issues.map((issue) => ({
              path: ["setup", issue.resource, issue.path].filter(Boolean).join("."),
              message: issue.message,
            }))
          : [{ path: "setup", message: error instanceof Error ? error.message : String(error) }],
      );
    }
  }
  return evalCase;
}

function caseScripts(dir: string): EvalCase["scripts"] {
  const scripts: EvalCase["scripts"] = {};
  for (const name of ["setup", "verify", "cleanup"] as const) {
    const path = join(dir, `${name}.sh`);
    if (existsSync(path)) scripts[name] = path;
  }
  return scripts;
}

/** The expectations that apply: `withModel` fields replace the others when a model plans. */
export function expectationsFor(evalCase: EvalCase, withModel: boolean): Expectations {
  const { withModel: overrides, ...base } = evalCase.expect;
  if (!withModel || !overrides) return base;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  return merged as Expectations;
}
