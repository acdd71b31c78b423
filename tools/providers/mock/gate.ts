import { existsSync } from "node:fs";
import { ProviderError } from "../../protocol/index.ts";
import { type Behaviour, fires, latencyFor, type Operation, pickLatency } from "./faults.ts";
import type { World } from "./world.ts";

export interface GateOptions {
  behaviour: Behaviour;
  world: World;
  sleep(ms: number): Promise<void>;
  random(): number;
  die(reason: string): never;
}

/** Runs before an operation: what MOCK_* injects (latency, hangs, crashes, faults); returns what must happen after it. */
export type Gate = (op: Operation, type: string, name: string) => Promise<() => void>;

export function faultGate({ behaviour, world, sleep, random, die }: GateOptions): Gate {
  /** Counts the attempt for a matching rule and says whether the rule fires on it (0 when not matching). */
  function attemptOf(
    kind: string,
    rule: Behaviour["faults"][number] | Behaviour["hangs"][number],
    op: Operation,
    type: string,
    name: string,
  ): number {
    if (!rule.ops.includes(op) || !rule.matches(name, type)) return 0;
    const attempt = world.bumpAttempt(`${kind}:${rule.key}:${name}`);
    return fires(rule.trigger, attempt) ? attempt : 0;
  }

  return async function gate(op: Operation, type: string, name: string): Promise<() => void> {
    const latency = op === "read" ? undefined : latencyFor(behaviour, type);
    if (latency) {
      const ms = pickLatency(latency, random);
      if (ms > 0) await sleep(ms);
    }
    if (behaviour.holdFile && op !== "read") while (existsSync(behaviour.holdFile)) await sleep(50);
    for (const rule of behaviour.hangs) {
      if (attemptOf("hang", rule, op, type, name)) await new Promise<never>(() => {});
    }
    const crashesAfter: string[] = [];
    for (const rule of behaviour.crashes) {
      const attempt = attemptOf("crash", rule, op, type, name);
      if (!attempt) continue;
      const reason = `MOCK_CRASH ${rule.when} ${op} of ${name} (${type}), attempt ${attempt}`;
      if (rule.when === "before") die(reason);
      crashesAfter.push(reason);
    }
    for (const rule of behaviour.faults) {
      const attempt = attemptOf("fault", rule, op, type, name);
      if (!attempt) continue;
      throw new ProviderError(
        rule.code,
        rule.message ?? `injected ${rule.code} on ${op} of ${name} (${type}), attempt ${attempt}`,
        { retryable: rule.retryable, details: { injected: true, attempt } },
      );
    }
    return () => {
      const first = crashesAfter[0];
      if (first !== undefined) die(first);
    };
  };
}
