import { z } from "zod";
import { containsUnknown, deepEqual } from "../tools/protocol/index.ts";
import { type CompiledPath, parsePropertyPath, resolvePath } from "./property-path.ts";
import { isUnknown } from "./unknowns.ts";

/**
 * The condition language of YAML rules: data, never code. A leaf tests one property path with one
 * or more operators (all must hold); `all`, `any` and `not` combine conditions. See README.md.
 */
export interface Condition {
  property?: string;
  equals?: unknown;
  notEquals?: unknown;
  in?: unknown[];
  notIn?: unknown[];
  exists?: boolean;
  matches?: string;
  lessThan?: number;
  greaterThan?: number;
  contains?: unknown;
  some?: Condition;
  every?: Condition;
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
}

const OPERATORS = [
  "equals",
  "notEquals",
  "in",
  "notIn",
  "exists",
  "matches",
  "lessThan",
  "greaterThan",
  "contains",
  "some",
  "every",
] as const;
const COMBINATORS = ["all", "any", "not"] as const;

const scalarList = (key: string) =>
  z.array(z.unknown(), { error: `${key} takes a list of values, e.g. ${key}: [22, 3389]` });
const number = (key: string) => z.number({ error: `${key} takes a number, e.g. ${key}: 1024` });

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z
    .strictObject(
      {
        property: z.string({ error: "property takes a property path, e.g. ingress[*].cidr" }).optional(),
        equals: z.unknown().optional(),
        notEquals: z.unknown().optional(),
        in: scalarList("in").optional(),
        notIn: scalarList("notIn").optional(),
        exists: z.boolean({ error: "exists takes true or false" }).optional(),
        matches: z.string({ error: 'matches takes a regular expression as text, e.g. "^db\\."' }).optional(),
        lessThan: number("lessThan").optional(),
        greaterThan: number("greaterThan").optional(),
        contains: z.unknown().optional(),
        some: ConditionSchema.optional(),
        every: ConditionSchema.optional(),
        all: z
          .array(ConditionSchema, { error: "all takes a list of conditions" })
          .min(1, { error: "all needs at least one condition" })
          .optional(),
        any: z
          .array(ConditionSchema, { error: "any takes a list of conditions" })
          .min(1, { error: "any needs at least one condition" })
          .optional(),
        not: ConditionSchema.optional(),
      },
      {
        error: (issue) =>
          issue.code === "unrecognized_keys"
            ? `unknown key ${issue.keys.map((key) => `"${key}"`).join(", ")}; a condition takes property with ${OPERATORS.join(", ")}, or one of ${COMBINATORS.join(", ")}`
            : "a condition is a mapping, e.g. { property: publiclyAccessible, equals: true }",
      },
    )
    .superRefine(checkCondition),
);

/** What the shape alone cannot say: one combinator or one property with tests, a valid path and regex. */
function checkCondition(condition: Condition, ctx: z.RefinementCtx): void {
  const present = (key: string) => (condition as Record<string, unknown>)[key] !== undefined;
  const combinators = COMBINATORS.filter(present);
  const operators = OPERATORS.filter(present);
  if (combinators.length > 1) {
    ctx.addIssue({
      code: "custom",
      message: `use one of ${combinators.join(", ")} per condition; nest them instead`,
    });
    return;
  }
  if (combinators.length === 1) {
    if (present("property") || operators.length > 0) {
      ctx.addIssue({
        code: "custom",
        message: `${combinators[0]} cannot sit beside property tests; put the tests inside it`,
      });
    }
    return;
  }
  if (!present("property")) {
    ctx.addIssue({
      code: "custom",
      message: `a condition needs property (with a test such as equals) or one of ${COMBINATORS.join(", ")}`,
    });
    return;
  }
  const path = parsePropertyPath(condition.property!);
  if (typeof path === "string") ctx.addIssue({ code: "custom", path: ["property"], message: path });
  if (operators.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["property"],
      message: `add a test for ${condition.property}: one of ${OPERATORS.join(", ")}`,
    });
  }
  if (condition.matches !== undefined) {
    try {
      new RegExp(condition.matches);
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        path: ["matches"],
        message: `not a valid regular expression: ${(error as Error).message}`,
      });
    }
  }
}

/** Kleene logic: a test on a value not known before apply is "unknown", and only `true` matches. */
export type Truth = true | false | "unknown";

export interface Outcome {
  truth: Truth;
  /** Where the condition looked: the concrete path of what matched, or the path as written. */
  path?: string;
}

export type CompiledCondition = (root: unknown) => Outcome;

function and(values: Truth[]): Truth {
  if (values.includes(false)) return false;
  return values.includes("unknown") ? "unknown" : true;
}

function or(values: Truth[]): Truth {
  if (values.includes(true)) return true;
  return values.includes("unknown") ? "unknown" : false;
}

function negate(value: Truth): Truth {
  return value === "unknown" ? value : !value;
}

function joinPath(base: string, inner: string | undefined): string {
  if (!inner) return base;
  return inner.startsWith("[") ? `${base}${inner}` : `${base}.${inner}`;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

function equalsTest(value: unknown, expected: unknown): Truth {
  if (containsUnknown(value)) return "unknown";
  return deepEqual(value, expected);
}

type ValueTest = (value: unknown, at: string) => { truth: Truth; path?: string };

function compileTests(condition: Condition): ValueTest[] {
  const tests: ValueTest[] = [];
  const plain = (test: (value: unknown) => Truth): ValueTest => {
    return (value) => ({ truth: test(value) });
  };
  if (condition.equals !== undefined) tests.push(plain((value) => equalsTest(value, condition.equals)));
  if (condition.notEquals !== undefined) {
    tests.push(plain((value) => negate(equalsTest(value, condition.notEquals))));
  }
  if (condition.in !== undefined) {
    const options = condition.in;
    tests.push(plain((value) => or(options.map((option) => equalsTest(value, option)))));
  }
  if (condition.notIn !== undefined) {
    const options = condition.notIn;
    tests.push(plain((value) => negate(or(options.map((option) => equalsTest(value, option))))));
  }
  if (condition.exists !== undefined) {
    const wanted = condition.exists;
    tests.push(plain((value) => (value !== undefined && value !== null) === wanted));
  }
  if (condition.matches !== undefined) {
    const pattern = new RegExp(condition.matches);
    tests.push(
      plain((value) =>
        typeof value === "string" || typeof value === "number" || typeof value === "boolean"
          ? pattern.test(String(value))
          : false,
      ),
    );
  }
  if (condition.lessThan !== undefined) {
    const limit = condition.lessThan;
    tests.push(plain((value) => (asNumber(value) ?? Number.NaN) < limit));
  }
  if (condition.greaterThan !== undefined) {
    const limit = condition.greaterThan;
    tests.push(plain((value) => (asNumber(value) ?? Number.NaN) > limit));
  }
  if (condition.contains !== undefined) {
    const item = condition.contains;
    tests.push(
      plain((value) => {
        if (Array.isArray(value)) return or(value.map((element) => equalsTest(element, item)));
        if (typeof value === "string") return value.includes(typeof item === "string" ? item : String(item));
        return false;
      }),
    );
  }
  if (condition.some !== undefined) {
    const inner = compileCondition(condition.some);
    tests.push((value, at) => {
      if (!Array.isArray(value)) return { truth: false };
      const outcomes = value.map((element, index) => ({ index, ...inner(element) }));
      const hit = outcomes.find((outcome) => outcome.truth === true);
      if (hit) return { truth: true, path: joinPath(`${at}[${hit.index}]`, hit.path) };
      return { truth: or(outcomes.map((outcome) => outcome.truth)) };
    });
  }
  if (condition.every !== undefined) {
    const inner = compileCondition(condition.every);
    tests.push((value) => {
      if (!Array.isArray(value)) return { truth: false };
      return { truth: and(value.map((element) => inner(element).truth)) };
    });
  }
  return tests;
}

/** Turns a checked condition into a function of a property map (or a list element, inside some/every). */
export function compileCondition(condition: Condition): CompiledCondition {
  if (condition.all !== undefined) {
    const parts = condition.all.map(compileCondition);
    return (root) => {
      const outcomes = parts.map((part) => part(root));
      return {
        truth: and(outcomes.map((outcome) => outcome.truth)),
        path: outcomes.find((o) => o.path)?.path,
      };
    };
  }
  if (condition.any !== undefined) {
    const parts = condition.any.map(compileCondition);
    return (root) => {
      const outcomes = parts.map((part) => part(root));
      const hit = outcomes.find((outcome) => outcome.truth === true);
      return { truth: or(outcomes.map((outcome) => outcome.truth)), path: (hit ?? outcomes[0])?.path };
    };
  }
  if (condition.not !== undefined) {
    const inner = compileCondition(condition.not);
    return (root) => {
      const outcome = inner(root);
      return { truth: negate(outcome.truth), path: outcome.path };
    };
  }
  const parsed = parsePropertyPath(condition.property ?? "");
  if (typeof parsed === "string") throw new Error(`unchecked condition: ${parsed}`);
  const path: CompiledPath = parsed;
  const tests = compileTests(condition);
  const onlyAbsence = condition.exists === false && tests.length === 1;
  return (root) => {
    const entries = resolvePath(root, path);
    // `[*]` over nothing: nothing exists there, and no other test has a value to hold for.
    if (entries.length === 0) return { truth: onlyAbsence, path: path.text };
    let sawUnknown = false;
    for (const entry of entries) {
      if (isUnknown(entry.value)) {
        sawUnknown = true;
        continue;
      }
      const results = tests.map((test) => test(entry.value, entry.path));
      const truth = and(results.map((result) => result.truth));
      if (truth === true) return { truth, path: results.find((result) => result.path)?.path ?? entry.path };
      if (truth === "unknown") sawUnknown = true;
    }
    return { truth: sawUnknown ? "unknown" : false, path: path.text };
  };
}
