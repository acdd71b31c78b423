import type { ErrorCode } from "../../tools/protocol/index.ts";

export interface FailedChange {
  name: string;
  type: string;
  action: string;
  error: { code: ErrorCode | string; message: string };
}

export type RecoveryAction =
  | { action: "retry"; reason: string }
  | { action: "revise"; reason: string; spec: unknown }
  | { action: "rollback"; reason: string }
  | { action: "abort"; reason: string };

const TRANSIENT = new Set(["THROTTLED", "TIMEOUT", "UNAVAILABLE", "DEPENDENCY_FAILED"]);

export interface LessonHint {
  errorCode: string;
  type: string;
  fix: string;
}

/**
 * Recovery without a model: one more attempt when every failure looks transient (the engine has
 * already retried those with backoff), or when a remembered lesson says a retry fixed this before;
 * otherwise roll back, since only a model can revise a spec.
 */
export function decideByRules(
  failed: readonly FailedChange[],
  previous: readonly RecoveryAction[],
  lessons: readonly LessonHint[] = [],
): RecoveryAction {
  const codes = [...new Set(failed.map((change) => change.error.code))];
  const retried = previous.some((decision) => decision.action === "retry");
  const described = failed.map((change) => `${change.name}: ${change.error.code}`).join(", ");
  if (!retried && failed.every((change) => TRANSIENT.has(change.error.code))) {
    return {
      action: "retry",
      reason: `only transient errors (${described}); one more attempt after the engine's own retries`,
    };
  }
  const remembered = failed.every((change) =>
    lessons.some(
      (lesson) =>
        lesson.errorCode === change.error.code && lesson.type === change.type && /retry/i.test(lesson.fix),
    ),
  );
  if (!retried && remembered) {
    return {
      action: "retry",
      reason: `a remembered lesson says retrying fixed ${codes.join(", ")} on these types before`,
    };
  }
  return {
    action: "rollback",
    reason: `${described} cannot be fixed without changing the spec, and the offline planner does not revise specs; rolling back this run's changes`,
  };
}
