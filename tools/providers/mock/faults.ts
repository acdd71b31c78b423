import { createHash } from "node:crypto";
import { type ErrorCode, isErrorCode, isRetryableByDefault } from "../../protocol/index.ts";

export type Operation = "create" | "update" | "delete" | "read";
const OPERATIONS: readonly Operation[] = ["create", "update", "delete", "read"];
const MUTATING: readonly Operation[] = ["create", "update", "delete"];

/** Which attempts of a matching operation (counted per rule and resource name) a rule fires on. */
export type Trigger = { always: true } | { attempts: readonly number[] };

interface RuleBase {
  /** Stable across restarts and reorderings: attempt counters are persisted under it. */
  key: string;
  matches(name: string, type: string): boolean;
  ops: readonly Operation[];
  trigger: Trigger;
}

export interface FaultRule extends RuleBase {
  code: ErrorCode;
  message?: string;
  retryable: boolean;
}

export interface CrashRule extends RuleBase {
  when: "before" | "after";
}

export type HangRule = RuleBase;

export interface LatencySpec {
  min: number;
  max: number;
}

export interface Behaviour {
  latency?: LatencySpec;
  latencyByType: { matches: (type: string) => boolean; latency: LatencySpec }[];
  faults: FaultRule[];
  crashes: CrashRule[];
  hangs: HangRule[];
  crashAfterCalls?: number;
  /** While this file exists, writes wait: a test holds a run mid-apply without racing the clock. */
  holdFile?: string;
}

/** A wrong MOCK_* setting: the message names the variable and what it expects. */
export class MockConfigError extends Error {
  override name = "MockConfigError";
}

/** A glob over names and types: `*` any run of characters, `?` one character. */
export function globMatcher(pattern: string): (value: string) => boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  const regex = new RegExp(`^${source}$`);
  return (value) => regex.test(value);
}

export function parseLatency(text: string, variable: string): LatencySpec {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text);
  if (!match) {
    throw new MockConfigError(
      `${variable} must be milliseconds ("50") or a range ("5-200"), not ${JSON.stringify(text)}`,
    );
  }
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (max < min) throw new MockConfigError(`${variable}: the range ${text} ends before it starts`);
  return { min, max };
}

export function pickLatency(spec: LatencySpec, random: () => number = Math.random): number {
  return spec.min + Math.floor(random() * (spec.max - spec.min + 1));
}

function parseJson(text: string, variable: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MockConfigError(`${variable} is not valid JSON (${(error as Error).message})`);
  }
}

type RawRule = Record<string, unknown>;

function asRules(value: unknown, variable: string): RawRule[] {
  const list = Array.isArray(value) ? value : [value];
  for (const [index, rule] of list.entries()) {
    if (typeof rule !== "object" || rule === null || Array.isArray(rule)) {
      throw new MockConfigError(
        `${variable}[${index}] must be an object like {"match": "web-*", "op": "create"}`,
      );
    }
  }
  return list as RawRule[];
}

function parseOps(rule: RawRule, where: string, fallback: readonly Operation[]): readonly Operation[] {
  const op = rule["op"];
  if (op === undefined) return fallback;
  if (op === "any") return OPERATIONS;
  if (typeof op === "string" && (OPERATIONS as readonly string[]).includes(op)) return [op as Operation];
  throw new MockConfigError(
    `${where}.op must be create, update, delete, read or any, not ${JSON.stringify(op)}`,
  );
}

function parseTrigger(rule: RawRule, where: string, fallback: Trigger): Trigger {
  if (rule["always"] === true) return { always: true };
  const attempts = rule["attempts"] ?? (rule["attempt"] === undefined ? undefined : [rule["attempt"]]);
  if (attempts === undefined) return fallback;
  if (!Array.isArray(attempts) || !attempts.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new MockConfigError(
      `${where}: attempt(s) must be positive whole numbers, e.g. "attempt": 1 or "attempts": [1, 2]`,
    );
  }
  return { attempts: attempts as number[] };
}

function parseBase(rule: RawRule, where: string, ops: readonly Operation[], trigger: Trigger) {
  const match = rule["match"] ?? "*";
  if (typeof match !== "string" || match === "") {
    throw new MockConfigError(`${where}.match must be a resource name or type, glob * allowed`);
  }
  const glob = globMatcher(match);
  return {
    key: createHash("sha256").update(JSON.stringify(rule)).digest("hex").slice(0, 12),
    matches: (name: string, type: string) => glob(name) || glob(type),
    ops: parseOps(rule, where, ops),
    trigger: parseTrigger(rule, where, trigger),
  };
}

function parseFault(rule: RawRule, index: number): FaultRule {
  const where = `MOCK_FAULTS[${index}]`;
  const code = rule["code"] ?? "INTERNAL";
  if (!isErrorCode(code))
    throw new MockConfigError(`${where}.code ${JSON.stringify(code)} is not an iac.mcp/v1 error code`);
  if (rule["message"] !== undefined && typeof rule["message"] !== "string") {
    throw new MockConfigError(`${where}.message must be a string`);
  }
  const retryable = rule["retryable"] ?? isRetryableByDefault(code);
  if (typeof retryable !== "boolean") throw new MockConfigError(`${where}.retryable must be true or false`);
  return {
    // A fault without attempt(s) fires every time.
    ...parseBase(rule, where, MUTATING, { always: true }),
    code,
    retryable,
    ...(typeof rule["message"] === "string" ? { message: rule["message"] } : {}),
  };
}

function parseCrash(rule: RawRule, index: number): CrashRule {
  const where = `MOCK_CRASH[${index}]`;
  const when = rule["when"] ?? "before";
  if (when !== "before" && when !== "after")
    throw new MockConfigError(`${where}.when must be before or after`);
  // Once by default: a restarted server with the same environment must not crash again.
  return { ...parseBase(rule, where, ["create"], { attempts: [1] }), when };
}

/**
 * Reads MOCK_LATENCY_MS, MOCK_LATENCY_BY_TYPE, MOCK_FAULTS, MOCK_CRASH, MOCK_CRASH_AFTER_CALLS,
 * MOCK_HANG and MOCK_HOLD_FILE.
 */
export function parseBehaviour(env: NodeJS.ProcessEnv): Behaviour {
  const behaviour: Behaviour = { latencyByType: [], faults: [], crashes: [], hangs: [] };
  const latency = env["MOCK_LATENCY_MS"];
  if (latency) behaviour.latency = parseLatency(latency, "MOCK_LATENCY_MS");
  const byType = env["MOCK_LATENCY_BY_TYPE"];
  if (byType) {
    const map = parseJson(byType, "MOCK_LATENCY_BY_TYPE");
    if (typeof map !== "object" || map === null || Array.isArray(map)) {
      throw new MockConfigError('MOCK_LATENCY_BY_TYPE must be a map like {"aws:rds:instance": "100-300"}');
    }
    for (const [type, value] of Object.entries(map)) {
      const spec = parseLatency(String(value), `MOCK_LATENCY_BY_TYPE[${type}]`);
      behaviour.latencyByType.push({ matches: globMatcher(type), latency: spec });
    }
  }
  if (env["MOCK_FAULTS"]) {
    behaviour.faults = asRules(parseJson(env["MOCK_FAULTS"], "MOCK_FAULTS"), "MOCK_FAULTS").map(parseFault);
  }
  if (env["MOCK_CRASH"]) {
    behaviour.crashes = asRules(parseJson(env["MOCK_CRASH"], "MOCK_CRASH"), "MOCK_CRASH").map(parseCrash);
  }
  if (env["MOCK_HANG"]) {
    behaviour.hangs = asRules(parseJson(env["MOCK_HANG"], "MOCK_HANG"), "MOCK_HANG").map((rule, index) =>
      parseBase(rule, `MOCK_HANG[${index}]`, MUTATING, { always: true }),
    );
  }
  if (env["MOCK_HOLD_FILE"]) behaviour.holdFile = env["MOCK_HOLD_FILE"];
  const calls = env["MOCK_CRASH_AFTER_CALLS"];
  if (calls) {
    if (!/^\d+$/.test(calls) || Number(calls) < 1) {
      throw new MockConfigError(
        `MOCK_CRASH_AFTER_CALLS must be a positive whole number, not ${JSON.stringify(calls)}`,
      );
    }
    behaviour.crashAfterCalls = Number(calls);
  }
  return behaviour;
}

/** The latency of one mutating operation on a type: the first matching per-type rule, else the global one. */
export function latencyFor(behaviour: Behaviour, type: string): LatencySpec | undefined {
  return behaviour.latencyByType.find((rule) => rule.matches(type))?.latency ?? behaviour.latency;
}

export function fires(trigger: Trigger, attempt: number): boolean {
  return "always" in trigger || trigger.attempts.includes(attempt);
}
